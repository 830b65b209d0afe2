import {
  FakeClock,
  MemoryLogger,
  type SinkErrorCode,
} from '@event-recorder/core';
import { MemorySink } from '@event-recorder/sink-memory';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { EventsBroadcaster } from './eventsBroadcaster.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'foo', namespace: 'baz', uid: 'bar' },
};

const t0 = Date.parse('2026-07-24T10:00:00Z');
const minute = 60_000;

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function setup(
  options: ConstructorParameters<typeof EventsBroadcaster>[0] = {},
) {
  const clock = new FakeClock(t0);
  const logger = new MemoryLogger();
  const store = new MemorySink({ clock });
  const sink = store.eventsV1();
  const broadcaster = new EventsBroadcaster({
    clock,
    logger,
    sink,
    ...options,
  });
  const handle = broadcaster.startRecordingToSink();
  const recorder = broadcaster.newRecorder('example.com/event-test', {
    reportingInstance: 'event-test-1',
  });
  const record = (note = 'some verbose message: 1') =>
    recorder.eventf(pod, undefined, 'Normal', 'Started', 'starting', note);
  const requests = () =>
    store.requests.map((r) =>
      r.method === 'patch'
        ? `patch ${r.patch ?? ''}`
        : `${r.method} ${r.outcome}`,
    );
  return {
    clock,
    logger,
    store,
    sink,
    broadcaster,
    handle,
    recorder,
    record,
    requests,
  };
}

/** Moves the fake clock to `t0 + ms`, letting delivery run at each timer. */
async function advanceTo(clock: FakeClock, ms: number): Promise<void> {
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === undefined || next.getTime() > t0 + ms) break;
    clock.setTime(next);
    await settle();
  }
  clock.setTime(t0 + ms);
  await settle();
}

describe('EventsBroadcaster series', () => {
  it('creates, patches count 2, counts locally, heartbeats at 30 min and finishes after 6 idle minutes', async () => {
    const { clock, broadcaster, store, record, requests } = setup();
    // The series time is when the broadcaster processes the occurrence, as
    // in client-go; settle() lets it run before the clock moves on.
    record();
    await settle();
    await advanceTo(clock, 1000);
    record();
    await settle();
    await advanceTo(clock, 2000);
    record();
    await settle();
    expect(requests()).toEqual([
      'create ok',
      'patch {"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:01.000000Z"}}',
    ]);
    const name = store.list()[0]!.metadata.name!;

    for (const at of [5, 10, 15, 20, 25]) {
      await advanceTo(clock, at * minute);
      record();
      await settle();
    }
    await advanceTo(clock, 30 * minute);
    expect(requests()).toHaveLength(3);
    expect(requests()[2]).toBe(
      'patch {"series":{"count":8,"lastObservedTime":"2026-07-24T10:25:00.000000Z"}}',
    );
    expect(store.get('baz', name)?.series?.count).toBe(8);

    await advanceTo(clock, 31 * minute);
    record();
    await settle();
    await advanceTo(clock, 36 * minute);
    expect(requests()).toHaveLength(3); // idle for 5 minutes only
    await advanceTo(clock, 42 * minute);
    expect(requests()[3]).toBe(
      'patch {"series":{"count":9,"lastObservedTime":"2026-07-24T10:31:00.000000Z"}}',
    );
    expect(store.get('baz', name)?.series?.count).toBe(9);

    record();
    await settle();
    expect(requests()[4]).toBe('create ok');
    const names = store.list().map((e) => e.metadata.name);
    expect(names).toHaveLength(2);
    expect(names[1]).not.toBe(name);

    expect(broadcaster.stats()).toMatchObject({
      recorded: 10,
      delivered: 10,
      pending: 0,
    });
  });

  it('lets the count-2 patch replace a create that waits for a retry, and still stores one event', async () => {
    const { clock, broadcaster, store, record, requests } = setup({
      random: () => 0,
    });
    store.failNext(1, 'Transport');
    record();
    await settle();
    record();
    await settle();
    await advanceTo(clock, 1000); // the default policy's first retry
    expect(requests()).toEqual([
      'create Transport',
      'patch {"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:00.000000Z"}}',
      'create ok',
    ]);
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0]?.series?.count).toBe(2);
    expect(broadcaster.stats()).toMatchObject({ delivered: 2, pending: 0 });
  });

  it('keeps the first note by default', async () => {
    const { broadcaster, store, record } = setup();
    record('note A');
    record('note B');
    await broadcaster.flush();
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0]).toMatchObject({
      message: 'note A',
      series: { count: 2 },
    });
  });

  it("starts a new event for a new note with notePolicy 'latest'", async () => {
    const { broadcaster, store, record } = setup({ notePolicy: 'latest' });
    record('note A');
    record('note A');
    record('note B');
    await broadcaster.flush();
    expect(store.list().map((e) => e.message)).toEqual(['note A', 'note B']);
  });

  it('writes open series counts on shutdown and stops its timers', async () => {
    const { clock, broadcaster, store, record, requests } = setup();
    for (let i = 0; i < 5; i++) record();
    const report = await broadcaster.shutdown({ timeoutMs: 1000 });
    expect(store.closed).toBe(true);
    expect(requests()).toHaveLength(3);
    expect(store.list()[0]?.series?.count).toBe(5);
    expect(report).toMatchObject({ recorded: 5, delivered: 5, pending: 0 });
    expect(clock.pendingTimers()).toBe(0);
    record();
    expect(broadcaster.stats().dropped.shutdown).toBe(1);
    broadcaster.startRecordingToSink(new MemorySink().eventsV1());
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses and counts a published value that is not an event, an array too', async () => {
    const { broadcaster } = setup();
    expect(broadcaster.publish([] as never)).toBe(false);
    expect(broadcaster.publish(null as never)).toBe(false);
    const report = await broadcaster.shutdown({ timeoutMs: 0 });
    expect(report.dropped.invalid).toBe(2);
    const [sink] = report.sinks;
    const dropped = Object.values(sink!.dropped).reduce((a, b) => a + b, 0);
    expect(sink!.recorded).toBe(sink!.delivered + dropped);
    expect(sink!.pending).toBe(0);
  });

  it('counts the occurrences a series still held as dropped when its sink is detached', async () => {
    const { handle, record } = setup();
    for (let i = 0; i < 5; i++) record();
    await settle(); // create, count-2 patch, three occurrences counted locally
    handle.stop();
    expect(handle.stats()).toMatchObject({
      recorded: 5,
      delivered: 2,
      pending: 0,
    });
    expect(handle.stats().dropped.shutdown).toBe(3);
  });

  it('counts series occurrences it could not write before the shutdown deadline', async () => {
    const { clock, broadcaster, store, record, recorder } = setup();
    for (let i = 0; i < 3; i++) record();
    await settle(); // create, count-2 patch, and one occurrence counted locally
    store.pause();
    recorder.eventf(pod, undefined, 'Normal', 'Other', 'x', 'held');
    const shut = broadcaster.shutdown({ timeoutMs: 1000 });
    await settle();
    clock.step(1000);
    const report = await shut;
    expect(report).toMatchObject({ recorded: 4, delivered: 2, pending: 0 });
    expect(report.dropped.shutdown).toBe(2);
  });

  it('writes the counts of grown series on flush', async () => {
    const { broadcaster, store, record } = setup();
    for (let i = 0; i < 4; i++) record();
    const report = await broadcaster.flush();
    expect(store.list()[0]?.series?.count).toBe(4);
    expect(report).toMatchObject({ recorded: 4, delivered: 4, pending: 0 });
  });

  it('refuses a second recording to the same sink', () => {
    const { broadcaster } = setup();
    expect(() => broadcaster.startRecordingToSink()).toThrow(
      /already recording/,
    );
  });

  it('stops recording when the signal aborts', async () => {
    const clock = new FakeClock(t0);
    const store = new MemorySink({ clock });
    const broadcaster = new EventsBroadcaster({
      clock,
      logger: new MemoryLogger(),
      sink: store.eventsV1(),
    });
    const controller = new AbortController();
    const handle = broadcaster.startRecordingToSink(controller.signal);
    const recorder = broadcaster.newRecorder('example.com/c');
    recorder.eventf(pod, undefined, 'Normal', 'R', 'a', 'n');
    await broadcaster.flush();
    controller.abort();
    recorder.eventf(pod, undefined, 'Normal', 'R', 'a', 'other');
    await broadcaster.flush();
    expect(store.list()).toHaveLength(1);
    expect(handle.stats().stopped).toBe(true);
  });

  it('logs "Event occurred" with the events.k8s.io keys', async () => {
    const { broadcaster, logger, record } = setup();
    broadcaster.startLogging();
    record();
    await broadcaster.flush();
    expect(logger.find({ text: 'Event occurred' })[0]?.fields).toEqual({
      object: 'baz/foo',
      kind: 'Pod',
      apiVersion: 'v1',
      type: 'Normal',
      reason: 'Started',
      action: 'starting',
      note: 'some verbose message: 1',
    });
  });
});

describe('EventsBroadcaster timers', () => {
  it('never keeps the process alive with the real clock', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const broadcaster = new EventsBroadcaster({
        logger: new MemoryLogger(),
        sink: new MemorySink().eventsV1(),
      });
      broadcaster.startRecordingToSink();
      const timers = spy.mock.results.map(
        (r) => r.value as ReturnType<typeof setTimeout>,
      );
      // The heartbeat and the finish pass.
      expect(timers.length).toBeGreaterThanOrEqual(2);
      for (const t of timers) expect(t.hasRef()).toBe(false);
      await broadcaster.shutdown();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('EventsBroadcaster accounting (property)', () => {
  it('for any stream, timing and sink failures, delivered + dropped = recorded after shutdown', async () => {
    const stepArb = fc.record({
      object: fc.integer({ min: 0, max: 2 }),
      action: fc.constantFrom('a', 'b'),
      note: fc.constantFrom('x', 'y'),
      advanceMs: fc.constantFrom(
        0,
        0,
        1000,
        5 * minute,
        7 * minute,
        31 * minute,
      ),
      failure: fc.constantFrom<SinkErrorCode | undefined>(
        undefined,
        undefined,
        'Transport',
        'ServerError',
        'Invalid',
        'NotFound',
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { maxLength: 40 }),
        fc.constantFrom<'first' | 'latest'>('first', 'latest'),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1000, 60_000),
        fc.option(fc.nat({ max: 40 })),
        async (steps, notePolicy, queueLength, timeoutMs, stallAfter) => {
          const { clock, broadcaster, store, recorder } = setup({
            notePolicy,
            queueLength,
            maxSeries: 2,
            sleepDurationMs: 1000,
            random: () => 0.5,
          });
          let now = 0;
          const counts = new Map<string, number>();
          const check = () => {
            for (const e of store.list()) {
              const key = e.metadata.name!;
              const count = e.series?.count ?? 1;
              expect(count).toBeGreaterThanOrEqual(counts.get(key) ?? 0);
              counts.set(key, count);
            }
          };
          for (const [index, step] of steps.entries()) {
            // From here on the sink holds every call: a stalled server.
            if (index === stallAfter) store.pause();
            if (step.failure !== undefined) store.failNext(1, step.failure);
            recorder.eventf(
              {
                ...pod,
                metadata: { ...pod.metadata, name: `p${step.object}` },
              },
              undefined,
              'Normal',
              'R',
              step.action,
              step.note,
            );
            if (step.advanceMs > 0) {
              now += step.advanceMs;
              await advanceTo(clock, now);
              check();
            }
          }
          const shut = broadcaster.shutdown({ timeoutMs });
          for (let i = 0; i < 15; i++) {
            now += 5000;
            await advanceTo(clock, now);
          }
          const report = await shut;
          store.resume();
          await settle();
          check();
          const dropped = Object.values(report.dropped).reduce(
            (a, b) => a + b,
            0,
          );
          expect(report.pending).toBe(0);
          expect(report.recorded).toBe(steps.length);
          expect(report.delivered + dropped).toBe(report.recorded);
        },
      ),
      { numRuns: 150 },
    );
  });
});
