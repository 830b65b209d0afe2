/**
 * Correlator throughput and heap: @event-recorder/correlator against
 * client-go's EventCorrelator (through the Go harness of
 * @event-recorder/conformance) on the same three streams, printed as TS / Go.
 *
 *   npm run bench -- correlator          (from the repository root or bench/)
 *
 * Streams (built identically by conformance/go/bench.go):
 * - storm: one event repeated (one object, one reason, one message);
 * - tenMessages: 10 distinct messages on one object, then repeats;
 * - churn: 100,000 distinct objects, which churns the 4,096-entry LRUs.
 * Default options; a clock that advances 1 ms per read; every written event is
 * fed back to updateState, as the broadcaster does after a successful write.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Event, PassiveClock } from '@event-recorder/core';
import { EventCorrelator } from '@event-recorder/correlator';
import type { BenchStream, GoBenchResult } from '@event-recorder/conformance';
import { buildHarness, findGo, runGoBench } from '@event-recorder/conformance';

const EVENTS = 100_000;
const ROUNDS = 5;
const start = Date.UTC(2026, 6, 24, 10, 0, 0);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function benchEvent(name: string, reason: string, message: string): Event {
  return {
    metadata: { namespace: 'default' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'default',
      name,
      uid: `uid-${name}`,
      apiVersion: 'v1',
    },
    reason,
    message,
    source: { component: 'bench', host: 'node-1' },
    firstTimestamp: new Date(start),
    lastTimestamp: new Date(start),
    count: 1,
    type: 'Normal',
  };
}

function churnEvent(i: number): Event {
  const name = `pod-${i}`;
  return benchEvent(
    name,
    'Scheduled',
    `Successfully assigned default/${name} to node-1`,
  );
}

/** The stream's events; identical events share one object, as on the Go side. */
function inputs(stream: BenchStream, n: number): Event[] {
  switch (stream) {
    case 'storm': {
      const e = benchEvent(
        'storm-pod',
        'BackOff',
        'Back-off restarting failed container',
      );
      return Array.from({ length: n }, () => e);
    }
    case 'tenMessages': {
      const ten = Array.from({ length: 10 }, (_, i) =>
        benchEvent(
          'mount-pod',
          'FailedMount',
          `MountVolume.SetUp failed for volume "v${i}"`,
        ),
      );
      return Array.from({ length: n }, (_, i) => ten[i % 10]!);
    }
    case 'churn':
      return Array.from({ length: n }, (_, i) => churnEvent(i));
  }
}

function tickingClock(): PassiveClock {
  let t = start;
  return { now: () => new Date(++t) };
}

interface TsResult {
  seconds: number;
  written: number;
  skipped: number;
  retainedHeapBytes: number;
}

function runTs(events: readonly Event[]): TsResult {
  const before = liveHeap();
  const correlator = new EventCorrelator({ clock: tickingClock() });
  let written = 0;
  let skipped = 0;
  const t0 = process.hrtime.bigint();
  for (const e of events) {
    const r = correlator.correlate(e);
    if (r.skip) {
      skipped++;
      continue;
    }
    written++;
    correlator.updateState(r.event);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const retainedHeapBytes = liveHeap() - before;
  // Keep the correlator alive until the heap was measured.
  if (correlator.correlate(events[0]!) === undefined) throw new Error();
  return { seconds, written, skipped, retainedHeapBytes };
}

/**
 * Best of {@link ROUNDS} rounds for each side, interleaved (TS round, Go
 * round, …) so that load from other processes on the machine hits both sides
 * alike. Heap is the largest retained heap seen.
 */
function measure(
  stream: BenchStream,
  events: readonly Event[],
  bin: string | undefined,
): { ts: TsResult; go: GoBenchResult | undefined } {
  runTs(events); // warm-up
  let ts: TsResult | undefined;
  let go: GoBenchResult | undefined;
  let tsHeap = 0;
  let goHeap = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t = runTs(events);
    tsHeap = Math.max(tsHeap, t.retainedHeapBytes);
    if (ts === undefined || t.seconds < ts.seconds) ts = t;
    if (bin !== undefined) {
      const g = runGoBench(bin, stream, events.length, 1);
      goHeap = Math.max(goHeap, g.retainedHeapBytes);
      if (go === undefined || g.seconds < go.seconds) go = g;
    }
  }
  return {
    ts: { ...ts!, retainedHeapBytes: tsHeap },
    go: go === undefined ? undefined : { ...go, retainedHeapBytes: goHeap },
  };
}

/** Retained heap after streaming `n` distinct objects, built on the fly. */
function churnHeap(n: number): number {
  const before = liveHeap();
  const correlator = new EventCorrelator({ clock: tickingClock() });
  for (let i = 0; i < n; i++) {
    const r = correlator.correlate(churnEvent(i));
    if (!r.skip) correlator.updateState(r.event);
  }
  const after = liveHeap();
  if (correlator.correlate(churnEvent(0)) === undefined) throw new Error();
  return after - before;
}

const fmtRate = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
const fmtMiB = (b: number) => `${(Math.max(0, b) / 2 ** 20).toFixed(2)} MiB`;

export default function correlatorBench(): Promise<void> {
  const go = findGo();
  const bin = go === undefined ? undefined : buildHarness(go);
  if (bin === undefined)
    console.log('NOT RUN against client-go: no Go toolchain; TS figures only.');
  const streams: BenchStream[] = ['storm', 'tenMessages', 'churn'];
  const rows: string[][] = [
    [
      'stream',
      'events',
      'TS events/s',
      'Go events/s',
      'TS / Go',
      'TS heap',
      'Go heap',
      'written (TS/Go)',
    ],
  ];
  for (const stream of streams) {
    const events = inputs(stream, EVENTS);
    const { ts, go: goR } = measure(stream, events, bin);
    const tsRate = EVENTS / ts.seconds;
    rows.push([
      stream,
      EVENTS.toLocaleString('en-US'),
      fmtRate(tsRate),
      goR ? fmtRate(goR.eventsPerSec) : '-',
      goR ? `${(tsRate / goR.eventsPerSec).toFixed(2)}x` : '-',
      fmtMiB(ts.retainedHeapBytes),
      goR ? fmtMiB(goR.retainedHeapBytes) : '-',
      `${ts.written}/${goR?.written ?? '-'}`,
    ]);
  }
  const widths = rows[0]!.map((_, c) =>
    Math.max(...rows.map((r) => r[c]!.length)),
  );
  for (const r of rows)
    console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  const small = churnHeap(100_000);
  const large = churnHeap(400_000);
  console.log(
    `\nheap bound: retained after 100,000 distinct objects ${fmtMiB(small)}, after 400,000 ${fmtMiB(large)} (ratio ${(large / small).toFixed(2)}; three LRUs of 4,096 entries)`,
  );
  return Promise.resolve();
}
