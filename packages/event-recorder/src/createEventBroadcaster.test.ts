import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventBroadcaster,
  EventsBroadcaster,
} from '@event-recorder/broadcaster';
import {
  FakeClock,
  MemoryLogger,
  type Event,
  type EventsV1Event,
} from '@event-recorder/core';
import { FileSink, readEvents } from '@event-recorder/sink-file';
import { MemorySink } from '@event-recorder/sink-memory';
import {
  clientGoDefaults,
  createEventBroadcaster,
} from './createEventBroadcaster.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'event-recorder-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1' },
};

async function collect(path: string): Promise<Event[]> {
  const out: Event[] = [];
  for await (const e of readEvents(path)) out.push(e);
  return out;
}

/** One process's life: record `n` identical warnings into the file, then shut down. */
async function runProcess(
  make: (clock: FakeClock) => EventBroadcaster,
  path: string,
  n: number,
  clock: FakeClock,
): Promise<void> {
  const broadcaster = make(clock);
  broadcaster.startRecordingToSink(new FileSink({ path, clock }));
  const recorder = broadcaster.newRecorder({
    component: 'kubelet',
    host: 'node-1',
  });
  for (let i = 0; i < n; i++) {
    recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off restarting %s', 'web');
    await broadcaster.flush();
    clock.step(1000);
  }
  await broadcaster.shutdown();
}

describe('createEventBroadcaster', () => {
  it("returns an EventBroadcaster with client-go's defaults", async () => {
    expect(clientGoDefaults).toEqual({
      queueLength: 1000,
      sleepDurationMs: 10_000,
      maxTriesPerEvent: 12,
    });
    const clock = new FakeClock();
    const broadcaster = createEventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    expect(broadcaster).toBeInstanceOf(EventBroadcaster);
    const sink = new MemorySink();
    broadcaster.startRecordingToSink(sink);
    const recorder = broadcaster.newRecorder('kubelet');
    // client-go's spam filter: a burst of 25, then one token per 300 s.
    for (let i = 0; i < 30; i++)
      recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting');
    const report = await broadcaster.shutdown();
    expect(report.delivered).toBe(25);
    expect(report.dropped.spam).toBe(5);
    expect(sink.list().map((e) => e.count)).toEqual([25]);
  });

  it('keeps counting on the stored event after a restart, where a plain broadcaster starts over', async () => {
    const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
    const logger = new MemoryLogger();
    const resumed = join(dir, 'resumed.jsonl');
    await runProcess(
      (c) => createEventBroadcaster({ clock: c, logger }),
      resumed,
      3,
      clock,
    );
    await runProcess(
      (c) => createEventBroadcaster({ clock: c, logger }),
      resumed,
      2,
      clock,
    );
    const events = await collect(resumed);
    expect(events.map((e) => e.count)).toEqual([5]);
    // The last occurrence was one step before the clock's current time.
    expect(events[0]!.lastTimestamp).toEqual(
      new Date(clock.now().getTime() - 1000),
    );

    // The same two lives through a broadcaster that forgets (client-go's
    // behaviour) leave two events.
    const forgot = join(dir, 'forgot.jsonl');
    await runProcess(
      (c) => new EventBroadcaster({ clock: c, logger }),
      forgot,
      3,
      clock,
    );
    await runProcess(
      (c) => new EventBroadcaster({ clock: c, logger }),
      forgot,
      2,
      clock,
    );
    expect((await collect(forgot)).map((e) => e.count)).toEqual([3, 2]);
  });

  it('keeps the other sinks working when the file sink cannot write', async () => {
    const clock = new FakeClock();
    const broadcaster = createEventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    const memory = new MemorySink();
    broadcaster.startRecordingToSink(
      new FileSink({ path: join(dir, 'missing', 'e.jsonl'), clock }),
      { name: 'file' },
    );
    broadcaster.startRecordingToSink(memory, { name: 'memory' });
    const recorder = broadcaster.newRecorder('kubelet');
    recorder.event(pod, 'Normal', 'Started', 'Started container web');
    recorder.event(pod, 'Warning', 'BackOff', 'Back-off restarting');
    const report = await broadcaster.shutdown();
    expect(memory.list().map((e) => e.reason)).toEqual(['Started', 'BackOff']);
    const [file, mem] = report.sinks;
    expect(file).toMatchObject({ name: 'file', delivered: 0 });
    expect(file!.dropped.final).toBe(2);
    expect(file!.finalByCode).toEqual({ Transport: 2 });
    expect(mem).toMatchObject({ name: 'memory', delivered: 2 });
  });
});

describe('FileSink with an events.k8s.io/v1 broadcaster', () => {
  it('stores a series the API server would accept, with MicroTime on the wire', async () => {
    const clock = new FakeClock(new Date('2026-07-24T10:00:00.250Z'));
    const path = join(dir, 'events-v1.jsonl');
    const sink = new FileSink<EventsV1Event>({
      path,
      api: 'events.k8s.io/v1',
      clock,
    });
    const broadcaster = new EventsBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink(sink);
    const recorder = broadcaster.newRecorder('example.com/ctl');
    for (let i = 0; i < 3; i++) {
      recorder.eventf(
        pod,
        undefined,
        'Warning',
        'BackOff',
        'Restart',
        'Back-off restarting %s',
        'web',
      );
      await broadcaster.flush();
      clock.step(1000);
    }
    const report = await broadcaster.shutdown();
    expect(report.dropped.final).toBe(0);
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { op: string; event: Record<string, unknown> },
      );
    expect(lines[0]!.op).toBe('create');
    expect(lines[0]!.event.eventTime).toBe('2026-07-24T10:00:00.250000Z');
    const last = lines.at(-1)!;
    expect(last.op).toBe('patch');
    expect(
      (last.event.series as { count: number }).count,
    ).toBeGreaterThanOrEqual(2);
    expect(
      (last.event.series as { lastObservedTime: string }).lastObservedTime,
    ).toMatch(/\.\d{6}Z$/);
  });
});
