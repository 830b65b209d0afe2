import {
  FakeClock,
  MemoryLogger,
  TransportError,
  type Event,
  type EventSink,
  type SinkErrorCode,
} from '@event-recorder/core';
import { MemorySink } from '@event-recorder/sink-memory';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { EventBroadcaster } from './eventBroadcaster.js';

function patches(sink: MemorySink): string[] {
  return sink.requests.filter((r) => r.method === 'patch').map((r) => r.patch!);
}

const sample: Event = {
  metadata: { name: 'foo.1', namespace: 'baz' },
  involvedObject: {
    kind: 'Pod',
    apiVersion: 'v1',
    name: 'foo',
    namespace: 'baz',
  },
  reason: 'Started',
  message: 'hand-made',
  type: 'Normal',
  count: 1,
};

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'foo', namespace: 'baz', uid: 'bar' },
};

function podNamed(name: string) {
  return { ...pod, metadata: { ...pod.metadata, name } };
}

/** Lets the delivery loops run; never waits for time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function setup(
  options: ConstructorParameters<typeof EventBroadcaster>[0] = {},
) {
  const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
  const logger = new MemoryLogger();
  const broadcaster = new EventBroadcaster({ clock, logger, ...options });
  const sink = new MemorySink({ clock });
  const handle = broadcaster.startRecordingToSink(sink);
  const recorder = broadcaster.newRecorder({ component: 'eventTest' });
  return { clock, logger, broadcaster, sink, handle, recorder };
}

describe('EventBroadcaster.startRecordingToSink', () => {
  it('turns 30 identical events 1 s apart into 1 create and 24 patches, skips 5, and patches count 32 at t = 300 s', async () => {
    const { clock, broadcaster, sink, recorder } = setup();
    for (let i = 0; i < 30; i++) {
      recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off %d', 1);
      await broadcaster.flush();
      clock.step(1000);
    }
    expect(sink.calls.create).toBe(1);
    expect(patches(sink)).toHaveLength(24);
    expect(JSON.parse(patches(sink)[23]!)).toMatchObject({ count: 25 });
    expect(broadcaster.stats().dropped.spam).toBe(5);

    clock.setTime(new Date('2026-07-24T10:04:59Z'));
    recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off %d', 1);
    await broadcaster.flush();
    expect(patches(sink)).toHaveLength(24);
    clock.setTime(new Date('2026-07-24T10:05:00Z'));
    recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off %d', 1);
    await broadcaster.flush();
    expect(JSON.parse(patches(sink)[24]!)).toEqual({
      count: 32,
      lastTimestamp: '2026-07-24T10:05:00Z',
      message: 'Back-off 1',
    });
    expect(sink.list()).toHaveLength(1);
    expect(sink.list()[0]).toMatchObject({ count: 32, message: 'Back-off 1' });
    const stats = broadcaster.stats();
    expect(stats).toMatchObject({ recorded: 32, delivered: 26, pending: 0 });
    expect(stats.dropped.spam).toBe(6);
  });

  it('combines 10 distinct messages about one object into one aggregated event', async () => {
    const { clock, broadcaster, sink, recorder } = setup();
    for (let i = 1; i <= 11; i++) {
      recorder.eventf(pod, 'Normal', 'Scaled', 'message %d', i);
      await broadcaster.flush();
      clock.step(1000);
    }
    expect(sink.calls.create).toBe(10);
    const combined = sink
      .list()
      .filter((e) => e.message?.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({
      message: '(combined from similar events): message 11',
      count: 2,
    });
    expect(JSON.parse(patches(sink)[0]!)).toMatchObject({
      count: 2,
      message: '(combined from similar events): message 11',
    });
  });

  it('still delivers an event when the sink fails three times with Transport', async () => {
    const { clock, broadcaster, sink, recorder } = setup({ random: () => 0 });
    sink.failNext(3, 'Transport');
    recorder.event(pod, 'Normal', 'Started', 'started');
    await settle();
    // Default policy with sleepDurationMs 10 s: 1 s, 2 s, 4 s.
    for (const delay of [1000, 2000, 4000]) {
      clock.step(delay);
      await settle();
    }
    expect(sink.calls.total).toBe(4);
    expect(sink.list()).toHaveLength(1);
    expect(broadcaster.stats()).toMatchObject({ delivered: 1, pending: 0 });
  });

  it('treats Forbidden as final, reports it loudly once and counts each one', async () => {
    const { broadcaster, sink, recorder, logger } = setup();
    sink.failNext(2, 'Forbidden');
    recorder.event(pod, 'Normal', 'Started', 'one');
    recorder.event(podNamed('other'), 'Normal', 'Started', 'two');
    const report = await broadcaster.flush();
    expect(sink.calls.total).toBe(2);
    expect(report.dropped.final).toBe(2);
    expect(report.sinks[0]?.finalByCode).toEqual({ Forbidden: 2 });
    const errors = logger.find({ level: 'error' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({ code: 'Forbidden' });
  });

  it('does not let a stalled sink delay a second sink', async () => {
    const { broadcaster, sink, recorder } = setup();
    sink.pause();
    const healthy = new MemorySink();
    broadcaster.startRecordingToSink(healthy, { name: 'healthy' });
    for (let i = 0; i < 20; i++) {
      recorder.event(podNamed(`p${i}`), 'Normal', 'Started', 'started');
    }
    await settle();
    expect(healthy.list()).toHaveLength(20);
    expect(sink.list()).toHaveLength(0);
    const stats = broadcaster.stats();
    expect(stats.sinks.map((s) => [s.name, s.delivered, s.pending])).toEqual([
      ['sink-1', 0, 20],
      ['healthy', 20, 0],
    ]);
  });

  it('gives each sink its own correlator', async () => {
    const { clock, broadcaster, sink, handle, recorder } = setup();
    for (let i = 0; i < 3; i++) {
      recorder.event(pod, 'Normal', 'Started', 'same');
      await broadcaster.flush();
      clock.step(1000);
    }
    handle.stop();
    const second = new MemorySink();
    broadcaster.startRecordingToSink(second);
    for (let i = 0; i < 3; i++) {
      recorder.event(pod, 'Normal', 'Started', 'same');
      await broadcaster.flush();
      clock.step(1000);
    }
    for (const s of [sink, second]) {
      expect(s.requests.map((r) => r.method)).toEqual([
        'create',
        'patch',
        'patch',
      ]);
    }
  });

  it('falls back to create with the cached name and count when the stored event expired', async () => {
    const { clock, broadcaster, sink, recorder } = setup();
    recorder.event(pod, 'Normal', 'Started', 'same');
    await broadcaster.flush();
    const name = sink.list()[0]!.metadata.name!;
    sink.deleteEvent('baz', name); // the server's TTL expired it
    clock.step(1000);
    recorder.event(pod, 'Normal', 'Started', 'same');
    await broadcaster.flush();
    expect(sink.requests.map((r) => `${r.method}:${r.outcome}`)).toEqual([
      'create:ok',
      'patch:NotFound',
      'create:ok',
    ]);
    expect(sink.get('baz', name)).toMatchObject({ count: 2 });
  });
});

describe("EventBroadcaster with retryPolicy 'client-go'", () => {
  const cases: [SinkErrorCode, number, 'retriesExhausted' | 'final'][] = [
    ['Transport', 12, 'retriesExhausted'],
    ['ServerError', 1, 'final'],
    ['TooManyRequests', 1, 'final'],
    ['Forbidden', 1, 'final'],
  ];
  for (const [code, attempts, reason] of cases) {
    it(`makes ${attempts} attempt(s) when every write fails with ${code}`, async () => {
      const { clock, broadcaster, sink, recorder } = setup({
        retryPolicy: 'client-go',
        random: () => 0.5,
      });
      sink.failNext(Number.POSITIVE_INFINITY, code);
      recorder.event(pod, 'Normal', 'Started', 'x');
      for (let i = 0; i < 15; i++) {
        await settle();
        clock.step(10_000);
      }
      await settle();
      expect(sink.calls.create).toBe(attempts);
      expect(broadcaster.stats().dropped[reason]).toBe(1);
    });
  }

  it('holds the next event of the sink while one is retried, as client-go', async () => {
    const { clock, broadcaster, sink, recorder } = setup({
      retryPolicy: 'client-go',
      random: () => 0.5,
    });
    sink.failNext(2, 'Transport');
    recorder.event(pod, 'Normal', 'Started', 'first');
    recorder.event(podNamed('other'), 'Normal', 'Started', 'second');
    await settle();
    clock.step(5000); // U[0,1) × 10 s with U = 0.5
    await settle();
    expect(sink.requests.map((r) => r.outcome)).toEqual([
      'Transport',
      'Transport',
    ]);
    clock.step(10_000);
    await settle();
    expect(
      sink.requests.map((r) => `${r.name.split('.')[0]}:${r.outcome}`),
    ).toEqual(['foo:Transport', 'foo:Transport', 'foo:ok', 'other:ok']);
    expect(broadcaster.stats().delivered).toBe(2);
  });
});

describe('EventBroadcaster under load (client-go TestLotsOfEvents)', () => {
  for (const retryPolicy of ['default', 'client-go'] as const) {
    it(`delivers 1000 events to the sink and the log, each after 4 failed creates (${retryPolicy})`, async () => {
      const { broadcaster, recorder } = setup({
        retryPolicy,
        sleepDurationMs: 0,
      });
      const store = new MemorySink();
      const attempts = new Map<string, number>();
      const flaky: EventSink<Event> = {
        create: async (event) => {
          const name = event.involvedObject.name!;
          const n = (attempts.get(name) ?? 0) + 1;
          attempts.set(name, n);
          if (n < 5) throw new TransportError('connection refused');
          return store.create(event);
        },
        patch: (event, patch) => store.patch(event, patch),
        update: (event) => store.update(event),
      };
      broadcaster.startRecordingToSink(flaky);
      const lines: string[] = [];
      broadcaster.startLogging((line) => lines.push(line));
      for (let i = 0; i < 1000; i++) {
        recorder.eventf(podNamed(`foo-${i}`), 'Normal', `Reason-${i}`, '%d', i);
      }
      const report = await broadcaster.flush();
      expect(store.size).toBe(1000);
      expect(lines).toHaveLength(1000);
      expect([...attempts.values()].every((n) => n === 5)).toBe(true);
      expect(report.sinks[1]).toMatchObject({
        recorded: 1000,
        delivered: 1000,
      });
      expect(report.dropped.queueFull).toBe(0);
    });
  }
});

describe('EventBroadcaster queues', () => {
  it('drops and counts when a queue is full, and publish returns false', async () => {
    const { broadcaster, sink, recorder } = setup({ queueLength: 3 });
    sink.pause();
    for (let i = 0; i < 10; i++) {
      recorder.event(podNamed(`p${i}`), 'Normal', 'Started', 'x');
    }
    await settle();
    // Recording is synchronous and delivery asynchronous: the queue took 3.
    expect(broadcaster.stats()).toMatchObject({ recorded: 10, pending: 3 });
    expect(broadcaster.stats().dropped.queueFull).toBe(7);
    expect(broadcaster.stats().sinks[0]).toMatchObject({ queued: 2 });
    expect(broadcaster.publish(sample)).toBe(true);
    expect(broadcaster.publish(sample)).toBe(false);
    expect(broadcaster.stats().dropped.queueFull).toBe(8);
  });
});

describe('EventBroadcaster.flush and shutdown', () => {
  it('delivers everything queued before shutdown, then refuses and counts later events', async () => {
    const { broadcaster, sink, recorder } = setup();
    for (let i = 0; i < 50; i++) {
      recorder.event(podNamed(`p${i}`), 'Normal', 'Started', 'x');
    }
    const report = await broadcaster.shutdown({ timeoutMs: 5000 });
    expect(sink.list()).toHaveLength(50);
    expect(sink.closed).toBe(true);
    expect(report).toMatchObject({ recorded: 50, delivered: 50, pending: 0 });

    expect(() =>
      recorder.event(pod, 'Normal', 'Started', 'too late'),
    ).not.toThrow();
    const after = broadcaster.stats();
    expect(after.dropped.shutdown).toBe(1);
    expect(after.recorded).toBe(51);
    expect(await broadcaster.shutdown()).toBe(report);
  });

  it('resolves at the deadline and counts what a stalled sink still holds as shutdown drops', async () => {
    const { clock, broadcaster, sink, recorder } = setup();
    sink.pause();
    for (let i = 0; i < 5; i++) {
      recorder.event(podNamed(`p${i}`), 'Normal', 'Started', 'x');
    }
    let done = false;
    const result = broadcaster.shutdown({ timeoutMs: 2000 }).then((r) => {
      done = true;
      return r;
    });
    await settle();
    expect(done).toBe(false);
    clock.step(2000);
    const report = await result;
    expect(report).toMatchObject({ recorded: 5, delivered: 0, pending: 0 });
    expect(report.dropped.shutdown).toBe(5);
    sink.resume();
    await settle();
    expect(broadcaster.stats().delivered).toBe(0);
  });

  it('reports pending events from a flush that hits its deadline without dropping them', async () => {
    const { clock, broadcaster, sink, recorder } = setup();
    sink.pause();
    recorder.event(pod, 'Normal', 'Started', 'x');
    const flushed = broadcaster.flush({ timeoutMs: 1000 });
    await settle();
    clock.step(1000);
    expect((await flushed).pending).toBe(1);
    sink.resume();
    expect((await broadcaster.flush()).delivered).toBe(1);
  });

  it('keeps the process alive while a flush waits on the real clock, and only then', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    try {
      const broadcaster = new EventBroadcaster({ logger: new MemoryLogger() });
      const sink = new MemorySink();
      sink.pause();
      broadcaster.startRecordingToSink(sink);
      broadcaster.newRecorder('c').event(pod, 'Normal', 'Started', 'm');
      const flushed = broadcaster.flush();
      expect(spy).toHaveBeenCalledTimes(1);
      const handle = spy.mock.results[0]!.value as ReturnType<
        typeof setInterval
      >;
      expect(handle.hasRef()).toBe(true);
      sink.resume();
      expect((await flushed).delivered).toBe(1);

      const fake = setup();
      fake.sink.pause();
      fake.recorder.event(pod, 'Normal', 'Started', 'm');
      const pending = fake.broadcaster.flush({ timeoutMs: 10 });
      expect(spy).toHaveBeenCalledTimes(1);
      fake.clock.step(10);
      expect((await pending).pending).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('starts nothing after shutdown, without throwing', async () => {
    const { broadcaster, logger } = setup();
    await broadcaster.shutdown();
    const seen: Event[] = [];
    const handle = broadcaster.startEventWatcher((e) => {
      seen.push(e);
    });
    const sinkHandle = broadcaster.startRecordingToSink(new MemorySink());
    expect(broadcaster.publish(sample)).toBe(false);
    expect(seen).toEqual([]);
    expect(handle.stats().stopped).toBe(true);
    expect(sinkHandle.stats().stopped).toBe(true);
    expect(logger.find({ level: 'error' })).toHaveLength(2);
  });

  it('counts events the recorder refused as invalid', async () => {
    const { broadcaster, recorder } = setup();
    recorder.event({ metadata: { name: 'x' } }, 'Normal', 'R', 'm');
    recorder.event(pod, 'Error' as never, 'R', 'm');
    expect((await broadcaster.flush()).dropped.invalid).toBe(2);
  });

  it('counts a published value that is not an event as invalid, not spam', async () => {
    const { broadcaster, sink } = setup();
    expect(broadcaster.publish(null as unknown as Event)).toBe(false);
    expect(broadcaster.publish([] as unknown as Event)).toBe(false);
    broadcaster.publish(sample);
    const report = await broadcaster.flush();
    expect(report.dropped.invalid).toBe(2);
    expect(report.dropped.spam).toBe(0);
    expect(report.delivered).toBe(1);
    expect(sink.list()).toHaveLength(1);
  });
});

describe('EventBroadcaster watchers and logging', () => {
  it("writes client-go's log line for each event", async () => {
    const { broadcaster, recorder } = setup();
    const lines: string[] = [];
    broadcaster.startLogging((line) => lines.push(line));
    recorder.eventf(
      { ...pod, kind: 'Pod', apiVersion: 'v1' },
      'Normal',
      'Started',
      'some verbose message: %v',
      1,
    );
    await broadcaster.flush();
    expect(lines).toEqual([
      `Event(v1.ObjectReference{Kind:"Pod", Namespace:"baz", Name:"foo", UID:"bar", APIVersion:"v1", ResourceVersion:"", FieldPath:""}): type: 'Normal' reason: 'Started' some verbose message: 1`,
    ]);
  });

  it('logs "Event occurred" with structured keys', async () => {
    const { broadcaster, recorder, logger } = setup();
    broadcaster.startStructuredLogging(0);
    recorder.event(pod, 'Normal', 'Started', 'some verbose message: 1');
    await broadcaster.flush();
    expect(logger.find({ text: 'Event occurred' })).toEqual([
      {
        level: 'info',
        message: 'Event occurred',
        fields: {
          object: 'baz/foo',
          fieldPath: '',
          kind: 'Pod',
          apiVersion: 'v1',
          type: 'Normal',
          reason: 'Started',
          message: 'some verbose message: 1',
        },
      },
    ]);
  });

  it('gives a watcher only the events recorded while it is attached', async () => {
    const { broadcaster, recorder } = setup();
    const seen: string[] = [];
    const handle = broadcaster.startEventWatcher((e) => {
      seen.push(e.message ?? '');
    });
    recorder.event(pod, 'Normal', 'R', 'one');
    await broadcaster.flush();
    handle.stop();
    recorder.event(pod, 'Normal', 'R', 'two');
    await broadcaster.flush();
    expect(seen).toEqual(['one']);
    expect(handle.stats()).toMatchObject({
      recorded: 1,
      delivered: 1,
      stopped: true,
    });
  });

  it('never lets a sink change the events a watcher also receives', async () => {
    // A lone sink correlates its recorder's events in place (nothing else
    // holds them); with a watcher attached it must work on copies.
    const { clock, broadcaster, sink, recorder } = setup();
    const seen: Event[] = [];
    broadcaster.startEventWatcher((e) => {
      seen.push(e);
    });
    recorder.event(pod, 'Normal', 'Started', 'same');
    await broadcaster.flush();
    clock.step(1000);
    recorder.event(pod, 'Normal', 'Started', 'same');
    await broadcaster.flush();
    expect(sink.requests.map((r) => r.method)).toEqual(['create', 'patch']);
    expect(sink.list()[0]?.count).toBe(2);
    expect(seen.map((e) => e.count)).toEqual([1, 1]);
    expect(seen[1]?.metadata.name).not.toBe(seen[0]?.metadata.name);
    expect(seen.map((e) => e.metadata.resourceVersion)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('sends its recorders’ events through publish when a subclass or a spy replaces it', async () => {
    class Filtering extends EventBroadcaster {
      seen = 0;
      override publish(event: Event): boolean {
        this.seen++;
        if (event.reason === 'Noisy') return true;
        return super.publish(event);
      }
    }
    const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
    const filtering = new Filtering({ clock, logger: new MemoryLogger() });
    const sink = new MemorySink({ clock });
    filtering.startRecordingToSink(sink);
    const recorder = filtering.newRecorder('c');
    recorder.event(pod, 'Normal', 'Noisy', 'x');
    recorder.event(pod, 'Normal', 'Started', 'y');
    await filtering.flush();
    expect(filtering.seen).toBe(2);
    expect(sink.list().map((e) => e.reason)).toEqual(['Started']);

    const { broadcaster, recorder: plain } = setup();
    const spy = vi.spyOn(broadcaster, 'publish');
    plain.event(pod, 'Normal', 'Started', 'y');
    expect(spy).toHaveBeenCalledTimes(1);
    await broadcaster.flush();
  });

  it('never changes an event given to publish, even with a lone sink', async () => {
    const { clock, broadcaster, sink } = setup();
    const mine: Event = {
      ...sample,
      firstTimestamp: clock.now(),
      lastTimestamp: clock.now(),
    };
    const before = structuredClone(mine);
    broadcaster.publish(mine);
    await broadcaster.flush();
    clock.step(1000);
    broadcaster.publish(mine);
    await broadcaster.flush();
    expect(sink.requests.map((r) => r.method)).toEqual(['create', 'patch']);
    expect(mine).toEqual(before);
  });

  it('keeps a slow watcher from delaying a sink', async () => {
    const { broadcaster, sink, recorder } = setup();
    broadcaster.startEventWatcher(() => new Promise<void>(() => undefined));
    recorder.event(pod, 'Normal', 'R', 'one');
    recorder.event(podNamed('two'), 'Normal', 'R', 'two');
    await settle();
    expect(sink.list()).toHaveLength(2);
  });
});

describe('EventBroadcaster accounting (property)', () => {
  it('for any stream and any sink failures, delivered + dropped = recorded, and stored counts never decrease', async () => {
    const failureArb = fc.constantFrom<SinkErrorCode | undefined>(
      undefined,
      undefined,
      undefined,
      'Transport',
      'ServerError',
      'Forbidden',
      'NotFound',
    );
    const stepArb = fc.record({
      object: fc.integer({ min: 0, max: 3 }),
      reason: fc.constantFrom('A', 'B'),
      message: fc.integer({ min: 0, max: 12 }),
      type: fc.constantFrom('Normal', 'Warning', 'Bogus'),
      advanceMs: fc.constantFrom(0, 500, 1000, 60_000, 301_000, 601_000),
      failure: failureArb,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1000, 60_000),
        fc.option(fc.nat({ max: 40 })),
        async (steps, queueLength, timeoutMs, stallAfter) => {
          const { clock, broadcaster, sink, recorder } = setup({
            queueLength,
            sleepDurationMs: 1000,
            random: () => 0.5,
          });
          const counts = new Map<string, number>();
          const check = () => {
            for (const event of sink.list()) {
              const key = `${event.metadata.namespace}/${event.metadata.name}`;
              const before = counts.get(key) ?? 0;
              expect(event.count ?? 0).toBeGreaterThanOrEqual(before);
              counts.set(key, event.count ?? 0);
            }
          };
          for (const [index, step] of steps.entries()) {
            // From here on the sink holds every call: a stalled server.
            if (index === stallAfter) sink.pause();
            if (step.failure !== undefined) sink.failNext(1, step.failure);
            recorder.eventf(
              podNamed(`p${step.object}`),
              step.type as 'Normal',
              step.reason,
              'm%d',
              step.message,
            );
            if (step.advanceMs > 0) {
              await settle();
              check();
              clock.step(step.advanceMs);
            }
          }
          await settle();
          check();
          const shut = broadcaster.shutdown({ timeoutMs });
          for (let i = 0; i < 30; i++) {
            await settle();
            clock.step(5000);
          }
          const report = await shut;
          sink.resume();
          await settle();
          check();
          const dropped = Object.values(report.dropped).reduce(
            (a, b) => a + b,
            0,
          );
          expect(report.pending).toBe(0);
          expect(report.delivered + dropped).toBe(report.recorded);
          expect(report.recorded).toBe(steps.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
