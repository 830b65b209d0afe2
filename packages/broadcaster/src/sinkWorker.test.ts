import {
  FakeClock,
  ForbiddenError,
  MemoryLogger,
  NotFoundError,
  ServerError,
  TooManyRequestsError,
  TransportError,
  type SinkError,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import {
  createBackoffRetryPolicy,
  createClientGoRetryPolicy,
  type RetryPolicy,
} from './retryPolicy.js';
import { SinkWorker, type WritableSink } from './sinkWorker.js';

interface Ev {
  name: string;
  count: number;
  resourceVersion?: string;
}

/** A sink that stores by name and can fail or stall on demand. */
class ScriptedSink implements WritableSink<Ev> {
  readonly stored = new Map<string, Ev>();
  readonly calls: { op: 'create' | 'patch'; name: string; count: number }[] =
    [];
  failures: SinkError[] = [];
  stall = false;
  readonly #stalled: (() => void)[] = [];

  async create(event: Ev): Promise<Ev> {
    return this.#do('create', event, () => this.applyCreate(event));
  }

  async patch(event: Ev, patch: string): Promise<Ev> {
    return this.#do('patch', event, () => this.applyPatch(event, patch));
  }

  protected applyCreate(event: Ev): Ev {
    if (this.stored.has(event.name)) throw new Error('exists');
    this.stored.set(event.name, { ...event });
    return { ...event };
  }

  protected applyPatch(event: Ev, patch: string): Ev {
    const stored = this.stored.get(event.name);
    if (stored === undefined) throw new NotFoundError('missing');
    stored.count = (JSON.parse(patch) as { count: number }).count;
    return { ...stored };
  }

  release(): void {
    for (const r of this.#stalled.splice(0)) r();
  }

  async #do(op: 'create' | 'patch', event: Ev, apply: () => Ev): Promise<Ev> {
    this.calls.push({ op, name: event.name, count: event.count });
    if (this.stall) {
      await new Promise<void>((resolve) => this.#stalled.push(resolve));
    }
    return this.answer(apply);
  }

  /** The outcome of a call that is not stalled. */
  protected answer(apply: () => Ev): Ev {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    return apply();
  }
}

/**
 * The same sink, answering synchronously (createNow/patchNow) whenever it is
 * not stalled; while stalled, those do nothing and the worker falls back to
 * the asynchronous methods, which wait.
 */
class NowScriptedSink extends ScriptedSink {
  /** How many writes were answered synchronously. */
  answeredNow = 0;

  createNow(event: Ev): Ev | undefined {
    return this.#now('create', event, () => this.applyCreate(event));
  }

  patchNow(event: Ev, patch: string): Ev | undefined {
    return this.#now('patch', event, () => this.applyPatch(event, patch));
  }

  #now(op: 'create' | 'patch', event: Ev, apply: () => Ev): Ev | undefined {
    if (this.stall) return undefined;
    this.calls.push({ op, name: event.name, count: event.count });
    this.answeredNow++;
    return this.answer(apply);
  }
}

// Every scenario runs against a sink that answers asynchronously and one that
// answers at once: the worker must behave the same with both.
const sinkKinds: [string, () => ScriptedSink][] = [
  ['an asynchronous sink', () => new ScriptedSink()],
  ['a sink that answers at once', () => new NowScriptedSink()],
];

function worker(
  sink: ScriptedSink,
  clock: FakeClock,
  policy: RetryPolicy,
  extra: {
    queueLength?: number;
    maxRetrying?: number;
    logger?: MemoryLogger;
  } = {},
): SinkWorker<Ev> {
  return new SinkWorker<Ev>({
    name: 'test',
    sink,
    queueLength: extra.queueLength ?? 100,
    maxRetrying: extra.maxRetrying ?? 100,
    maxTriesPerEvent: 12,
    policy,
    clock,
    logger: extra.logger ?? new MemoryLogger(),
    prepare: (event) => ({
      kind: 'write',
      event,
      patch:
        event.count > 1 ? JSON.stringify({ count: event.count }) : undefined,
    }),
    delivered: () => undefined,
    targetKey: (event) => event.name,
    forCreate: (event) => {
      const copy = { ...event };
      delete copy.resourceVersion;
      return copy;
    },
    describe: (event) => ({ name: event.name }),
  });
}

/** Lets queued microtasks and promise chains run; never waits for time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const backoff = createBackoffRetryPolicy({
  initialDelayMs: 1000,
  maxDelayMs: 8000,
  random: () => 0,
});

describe.each(sinkKinds)(
  'SinkWorker with the default policy, %s',
  (_kind, makeSink) => {
    it('retries a Transport failure with exponential backoff and then delivers', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = [1, 2, 3].map(() => new TransportError('refused'));
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      await settle();
      expect(sink.calls).toHaveLength(1);
      for (const delay of [1000, 2000, 4000]) {
        clock.step(delay - 1);
        await settle();
        const before = sink.calls.length;
        clock.step(1);
        await settle();
        expect(sink.calls.length).toBe(before + 1);
      }
      expect(sink.stored.get('a')).toEqual({ name: 'a', count: 1 });
      expect(w.stats()).toMatchObject({
        recorded: 1,
        delivered: 1,
        pending: 0,
      });
    });

    it('honours retryAfterMs when it is longer than the backoff', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = [
        new TooManyRequestsError('slow down', { retryAfterMs: 7000 }),
      ];
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      await settle();
      clock.step(6999);
      await settle();
      expect(sink.calls).toHaveLength(1);
      clock.step(1);
      await settle();
      expect(sink.calls).toHaveLength(2);
      expect(w.stats().delivered).toBe(1);
    });

    it('lets later events flow while a failed write waits for its retry', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = [new ServerError('503')];
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      w.offer({ name: 'b', count: 1 });
      w.offer({ name: 'c', count: 1 });
      await settle();
      expect([...sink.stored.keys()]).toEqual(['b', 'c']);
      expect(w.stats()).toMatchObject({
        delivered: 2,
        pending: 1,
        retrying: 1,
      });
      clock.step(1000);
      await settle();
      expect([...sink.stored.keys()]).toEqual(['b', 'c', 'a']);
      expect(w.stats()).toMatchObject({
        delivered: 3,
        pending: 0,
        retrying: 0,
      });
    });

    it('keeps writes to one event in order: a newer patch replaces the waiting write', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = [new TransportError('reset')];
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      await settle();
      w.offer({ name: 'a', count: 2 });
      w.offer({ name: 'a', count: 3 });
      await settle();
      // Nothing for `a` overtook the waiting create.
      expect(sink.calls.map((c) => c.count)).toEqual([1]);
      clock.step(1000);
      await settle();
      // The patch (count 3) found no event and fell back to create.
      expect(sink.calls.map((c) => `${c.op}:${c.count}`)).toEqual([
        'create:1',
        'patch:3',
        'create:3',
      ]);
      expect(sink.stored.get('a')?.count).toBe(3);
      expect(w.stats()).toMatchObject({
        recorded: 3,
        delivered: 3,
        pending: 0,
      });
    });

    it('queues a write injected while another to the same event is in flight behind it, even when that one fails', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.stall = true;
      sink.failures = [new ServerError('503')];
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      await settle();
      // The create is in flight; a series-style write to the same event comes.
      w.inject({
        kind: 'write',
        event: { name: 'a', count: 2 },
        patch: '{"count":2}',
      });
      sink.stall = false;
      sink.release();
      await settle();
      // The create failed and waits for its retry; the patch waits behind it.
      expect(sink.calls.map((c) => `${c.op}:${c.count}`)).toEqual(['create:1']);
      clock.step(1000);
      await settle();
      expect(sink.calls.map((c) => `${c.op}:${c.count}`)).toEqual([
        'create:1',
        'create:1',
        'patch:2',
      ]);
      expect(sink.stored.get('a')?.count).toBe(2);
      expect(w.stats()).toMatchObject({
        delivered: 1,
        pending: 0,
        retrying: 0,
      });
      expect(w.isIdle()).toBe(true);
    });

    it('sends a write injected while another to the same event is in flight right after it succeeds', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.stall = true;
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      w.offer({ name: 'b', count: 1 });
      await settle();
      w.inject({
        kind: 'write',
        event: { name: 'a', count: 2 },
        patch: '{"count":2}',
      });
      sink.stall = false;
      sink.release();
      await settle();
      expect(sink.calls.map((c) => `${c.op}:${c.name}:${c.count}`)).toEqual([
        'create:a:1',
        'patch:a:2',
        'create:b:1',
      ]);
      expect(w.isIdle()).toBe(true);
    });

    it('treats Forbidden as final, logs it once and counts every one', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      const logger = new MemoryLogger();
      sink.failures = [new ForbiddenError('no'), new ForbiddenError('no')];
      const w = worker(sink, clock, backoff, { logger });
      w.offer({ name: 'a', count: 1 });
      w.offer({ name: 'b', count: 1 });
      await settle();
      expect(sink.calls).toHaveLength(2);
      expect(w.stats().dropped.final).toBe(2);
      expect(w.stats().finalByCode).toEqual({ Forbidden: 2 });
      const loud = logger.find({ level: 'error' });
      expect(loud).toHaveLength(1);
      expect(loud[0]?.fields).toMatchObject({ code: 'Forbidden' });
    });

    it('gives up after maxTriesPerEvent attempts', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = Array.from(
        { length: 20 },
        () => new TransportError('down'),
      );
      const w = worker(sink, clock, backoff);
      w.offer({ name: 'a', count: 1 });
      for (let i = 0; i < 20; i++) {
        await settle();
        clock.step(8000);
      }
      await settle();
      expect(sink.calls).toHaveLength(12);
      expect(w.stats().dropped.retriesExhausted).toBe(1);
    });

    it('stops taking new events when the retry set is full, so memory stays bounded', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = Array.from(
        { length: 100 },
        () => new TransportError('down'),
      );
      const w = worker(sink, clock, backoff, {
        queueLength: 5,
        maxRetrying: 3,
      });
      for (let i = 0; i < 20; i++) w.offer({ name: `e${i}`, count: 1 });
      await settle();
      const stats = w.stats();
      expect(stats.retrying).toBe(3);
      expect(stats.queued).toBe(2);
      expect(stats.dropped.queueFull).toBe(15);
      expect(stats.recorded).toBe(20);
    });

    it('counts everything outstanding as shutdown drops when stopped', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.stall = true;
      const w = worker(sink, clock, backoff);
      for (let i = 0; i < 4; i++) w.offer({ name: `e${i}`, count: 1 });
      await settle();
      w.stop();
      sink.release();
      await settle();
      expect(w.stats()).toMatchObject({
        recorded: 4,
        delivered: 0,
        pending: 0,
        dropped: expect.objectContaining({ shutdown: 4 }) as unknown,
      });
    });
  },
);

describe.each(sinkKinds)(
  'SinkWorker with the client-go policy, %s',
  (_kind, makeSink) => {
    const cases: [string, SinkError | Error, number][] = [
      ['a Transport error', new TransportError('refused'), 12],
      ['an error that is not a SinkError', new Error('A weird error'), 12],
      ['a 503', new ServerError('unavailable', { status: 503 }), 1],
      ['a 429', new TooManyRequestsError('throttled'), 1],
      ['a 403', new ForbiddenError('forbidden'), 1],
    ];
    for (const [what, error, attempts] of cases) {
      it(`makes ${attempts} attempt(s) for ${what}`, async () => {
        const clock = new FakeClock();
        const sink = makeSink();
        sink.failures = Array.from({ length: 20 }, () => error as SinkError);
        const w = worker(
          sink,
          clock,
          createClientGoRetryPolicy({
            sleepDurationMs: 10_000,
            random: () => 0.5,
          }),
        );
        w.offer({ name: 'a', count: 1 });
        for (let i = 0; i < 15; i++) {
          await settle();
          clock.step(10_000);
        }
        await settle();
        expect(sink.calls).toHaveLength(attempts);
      });
    }

    it('sleeps U[0,1)·d before the first retry and d afterwards, holding later events', async () => {
      const clock = new FakeClock();
      const sink = makeSink();
      sink.failures = [new TransportError('x'), new TransportError('x')];
      const w = worker(
        sink,
        clock,
        createClientGoRetryPolicy({
          sleepDurationMs: 10_000,
          random: () => 0.25,
        }),
      );
      w.offer({ name: 'a', count: 1 });
      w.offer({ name: 'b', count: 1 });
      await settle();
      expect(sink.calls.map((c) => c.name)).toEqual(['a']);
      clock.step(2499);
      await settle();
      expect(sink.calls).toHaveLength(1);
      clock.step(1);
      await settle();
      expect(sink.calls).toHaveLength(2);
      clock.step(9999);
      await settle();
      expect(sink.calls).toHaveLength(2);
      clock.step(1);
      await settle();
      // `b` waited for `a`, as in client-go.
      expect(sink.calls.map((c) => c.name)).toEqual(['a', 'a', 'a', 'b']);
      expect(w.stats().delivered).toBe(2);
    });
  },
);

describe('SinkWorker with a sink that answers at once', () => {
  it('uses createNow and patchNow, and the asynchronous methods only while they cannot answer', async () => {
    const clock = new FakeClock();
    const sink = new NowScriptedSink();
    const w = worker(sink, clock, backoff);
    w.offer({ name: 'a', count: 1 });
    w.offer({ name: 'a', count: 2 });
    await settle();
    expect(sink.answeredNow).toBe(2);
    sink.stall = true;
    w.offer({ name: 'a', count: 3 });
    await settle();
    // createNow declined, so the worker called patch, which now waits.
    expect(sink.answeredNow).toBe(2);
    expect(sink.calls).toHaveLength(3);
    expect(w.stats().delivered).toBe(2);
    sink.stall = false;
    sink.release();
    await settle();
    expect(sink.calls.map((c) => `${c.op} ${c.count}`)).toEqual([
      'create 1',
      'patch 2',
      'patch 3',
    ]);
    expect(sink.stored.get('a')?.count).toBe(3);
    expect(w.stats().delivered).toBe(3);
  });

  it('treats a throw from createNow as a failed attempt, and retries it', async () => {
    const clock = new FakeClock();
    const sink = new NowScriptedSink();
    sink.failures = [new TransportError('refused')];
    const w = worker(sink, clock, backoff);
    w.offer({ name: 'a', count: 1 });
    await settle();
    expect(w.stats()).toMatchObject({ delivered: 0, retrying: 1 });
    clock.step(1000);
    await settle();
    expect(sink.answeredNow).toBe(2);
    expect(w.stats()).toMatchObject({ delivered: 1, retrying: 0 });
  });

  it('falls back from a patch of a missing event to createNow', async () => {
    const clock = new FakeClock();
    const sink = new NowScriptedSink();
    const w = worker(sink, clock, backoff);
    w.offer({ name: 'b', count: 5 });
    await settle();
    expect(sink.calls.map((c) => c.op)).toEqual(['patch', 'create']);
    expect(sink.answeredNow).toBe(2);
    expect(sink.stored.get('b')?.count).toBe(5);
    expect(w.stats().delivered).toBe(1);
  });
});
