/**
 * The in-process pipeline: recorder → EventBroadcaster → MemorySink.
 *
 *   npm run bench -- pipeline          (from the repository root or bench/)
 *
 * Every figure is printed with a ratio against a bare `EventEmitter.emit` of
 * the same event object with one no-op listener, measured in the same run:
 *
 * - hot path: the cost of one `recorder.eventf(pod, …)` call as the caller
 *   sees it (build the reference and the event, format the message, hand it
 *   to the sink's bounded queue), with a MemorySink attached; delivery runs
 *   between timed batches;
 * - pipeline: events per second from `eventf` to stored in the MemorySink
 *   (correlate, create or patch, updateState; median of 3 runs of 100,000
 *   events after a warm-up run of the same size), on two streams: distinct
 *   objects (every event is a create) and repeats on 100 objects with the spam
 *   filter opened wide (every event is a patch). The sink keeps the latest
 *   10,000 events (`maxEvents`), a steady state like a server's event TTL;
 *   the distinct stream is also measured with a sink that keeps all 100,000,
 *   where the garbage collector's marking of the retained events dominates;
 * - the same two streams through the events.k8s.io/v1 path: the events
 *   recorder → EventsBroadcaster (its series tracker) → the sink's
 *   `eventsV1()` view. There a repeat is counted into its series locally and
 *   written at the heartbeat, finish or shutdown, not patched each time;
 * - outage: live heap and RSS while the sink fails every write with Transport
 *   and events keep coming (1,000,000 of them), with retry timers driven by a
 *   FakeClock: memory must stay flat, bounded by the queue and the retry set.
 */
import { EventEmitter } from 'node:events';
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  EventBroadcaster,
  EventsBroadcaster,
} from '@event-recorder/broadcaster';
import { FakeClock, noopLogger, type Event } from '@event-recorder/core';
import { createEventRecorder } from '@event-recorder/recorder';
import { MemorySink } from '@event-recorder/sink-memory';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BATCH = 1000;
const HOT_CALLS = 100_000;
const PIPELINE_EVENTS = 100_000;
const OUTAGE_EVENTS = 1_000_000;

function pod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'shop', uid: `uid-${i}` },
  };
}

function nsPer(startNs: bigint, endNs: bigint, n: number): number {
  return Number(endNs - startNs) / n;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** ns per `emit` of one event object to one no-op listener. */
function emitBaseline(): number {
  const emitter = new EventEmitter();
  let seen = 0;
  emitter.on('event', () => {
    seen++;
  });
  const event: Event = {
    metadata: { name: 'web-1.1', namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container app',
    type: 'Warning',
    count: 1,
  };
  for (let i = 0; i < 100_000; i++) emitter.emit('event', event);
  const start = process.hrtime.bigint();
  for (let i = 0; i < HOT_CALLS; i++) emitter.emit('event', event);
  const end = process.hrtime.bigint();
  if (seen !== 100_000 + HOT_CALLS)
    throw new Error('emit baseline lost events');
  return nsPer(start, end, HOT_CALLS);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * ns per `recorder.eventf` call: through a broadcaster with a MemorySink
 * attached (delivery runs between timed batches), and, interleaved in the
 * same rounds, the same recorder publishing to a no-op port, which isolates
 * the broadcaster's share. Medians of 5 rounds after a warm-up round.
 */
async function hotPath(): Promise<{ full: number; recorderOnly: number }> {
  const broadcaster = new EventBroadcaster({ logger: noopLogger });
  broadcaster.startRecordingToSink(new MemorySink());
  const recorder = broadcaster.newRecorder({ component: 'bench' });
  const bare = createEventRecorder({
    publisher: { publish: () => true },
    source: { component: 'bench' },
  });
  const pods = Array.from({ length: 100 }, (_, i) => pod(i));
  const full: number[] = [];
  const recorderOnly: number[] = [];
  for (let round = 0; round < 6; round++) {
    let timed = 0n;
    for (let done = 0; done < HOT_CALLS; done += BATCH) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) {
        recorder.eventf(
          pods[i % 100]!,
          'Warning',
          'BackOff',
          'Back-off restarting failed container %s',
          'app',
        );
      }
      timed += process.hrtime.bigint() - start;
      await broadcaster.flush();
    }
    const start = process.hrtime.bigint();
    for (let i = 0; i < HOT_CALLS; i++) {
      bare.eventf(
        pods[i % 100]!,
        'Warning',
        'BackOff',
        'Back-off restarting failed container %s',
        'app',
      );
    }
    const bareNs = nsPer(start, process.hrtime.bigint(), HOT_CALLS);
    if (round === 0) continue; // warm-up
    full.push(Number(timed) / HOT_CALLS);
    recorderOnly.push(bareNs);
  }
  const report = await broadcaster.shutdown();
  if (report.dropped.queueFull !== 0)
    throw new Error('hot path dropped events');
  return { full: median(full), recorderOnly: median(recorderOnly) };
}

/** How many events the pipeline's MemorySink keeps (see the header). */
const SINK_MAX_EVENTS = 10_000;

/** What one timed run of a stream measured. */
interface Run {
  ns: number;
  stored: number;
}

/** What a stream measured: the median of its timed runs. */
interface StreamResult {
  perSecond: number;
  nsPerEvent: number;
  stored: number;
}

/**
 * A full-size warm-up, so that the heap has grown to the stream's steady
 * state before the timed runs (a short one left the first stream measured
 * slower than the later ones); then the median of 3 runs, as the machine may
 * be shared.
 */
async function medianOfRuns(run: (n: number) => Promise<Run>) {
  await run(PIPELINE_EVENTS);
  const runs = [
    await run(PIPELINE_EVENTS),
    await run(PIPELINE_EVENTS),
    await run(PIPELINE_EVENTS),
  ];
  const ns = median(runs.map((r) => r.ns));
  return { perSecond: 1e9 / ns, nsPerEvent: ns, stored: runs[2]!.stored };
}

/** The stream's objects: each event about a new one, or 100 in turn. */
function podsFor(stream: 'distinct' | 'repeats', n: number) {
  return Array.from({ length: stream === 'distinct' ? n : 100 }, (_, i) =>
    pod(i),
  );
}

/**
 * Records `n` events in batches of {@link BATCH}, flushing after each, and
 * returns the ns per event from the first record to the last flush.
 */
async function timeBatches(
  n: number,
  record: (i: number) => void,
  flush: () => Promise<unknown>,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let done = 0; done < n; done += BATCH) {
    for (let i = done; i < done + BATCH; i++) record(i);
    await flush();
  }
  return nsPer(start, process.hrtime.bigint(), n);
}

async function pipeline(
  stream: 'distinct' | 'repeats',
  keepAll = false,
): Promise<StreamResult> {
  return medianOfRuns(async (n) => {
    const broadcaster = new EventBroadcaster({
      logger: noopLogger,
      correlatorOptions:
        stream === 'repeats' ? { burstSize: 1e9, qps: 1e9 } : {},
    });
    const sink = new MemorySink(keepAll ? {} : { maxEvents: SINK_MAX_EVENTS });
    broadcaster.startRecordingToSink(sink);
    const recorder = broadcaster.newRecorder({ component: 'bench' });
    const pods = podsFor(stream, n);
    const ns = await timeBatches(
      n,
      (i) =>
        recorder.eventf(
          pods[i % pods.length]!,
          'Normal',
          'Scheduled',
          'Successfully assigned %s to node-1',
          'shop/web',
        ),
      () => broadcaster.flush(),
    );
    const report = await broadcaster.shutdown();
    if (report.delivered !== n) {
      throw new Error(`pipeline delivered ${report.delivered} of ${n}`);
    }
    return { ns, stored: sink.size };
  });
}

/**
 * {@link pipeline} for the events.k8s.io/v1 path: `eventf(regarding, related,
 * type, reason, action, note, …)` → EventsBroadcaster → `sink.eventsV1()`.
 */
async function eventsPipeline(
  stream: 'distinct' | 'repeats',
): Promise<StreamResult> {
  return medianOfRuns(async (n) => {
    const broadcaster = new EventsBroadcaster({ logger: noopLogger });
    const sink = new MemorySink({ maxEvents: SINK_MAX_EVENTS });
    broadcaster.startRecordingToSink(sink.eventsV1());
    const recorder = broadcaster.newRecorder('bench');
    const pods = podsFor(stream, n);
    const ns = await timeBatches(
      n,
      (i) =>
        recorder.eventf(
          pods[i % pods.length]!,
          undefined,
          'Normal',
          'Scheduled',
          'Binding',
          'Successfully assigned %s to node-1',
          'shop/web',
        ),
      () => broadcaster.flush(),
    );
    // Shutdown writes the open series' counts: every occurrence is then
    // delivered (that write is not timed).
    const report = await broadcaster.shutdown();
    if (report.delivered !== n) {
      throw new Error(`events pipeline delivered ${report.delivered} of ${n}`);
    }
    return { ns, stored: sink.size };
  });
}

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
}

/**
 * Where the CPU time of a pipeline run goes, by package: the run is profiled
 * in-process with the V8 sampling profiler and each sample's own function is
 * attributed to the workspace package (or dependency) its file belongs to.
 * Shares are robust to a busy machine, unlike differences of timings.
 */
async function cpuShares(
  stream: 'distinct' | 'repeats',
): Promise<[string, number][]> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) =>
        err ? reject(err) : resolve(result),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  await pipeline(stream);
  const { profile } = (await post('Profiler.stop')) as {
    profile: { nodes: ProfileNode[]; samples: number[] };
  };
  session.disconnect();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const shares = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    const url = frame?.url ?? '';
    const pkg =
      /\/packages\/([^/]+)\//.exec(url)?.[1] ??
      /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ??
      (frame?.functionName === '(garbage collector)'
        ? 'garbage collector'
        : url === ''
          ? 'V8 and Node internals'
          : 'other');
    shares.set(pkg, (shares.get(pkg) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return [...shares]
    .map(([k, v]): [string, number] => [k, (100 * v) / total])
    .sort((a, b) => b[1] - a[1]);
}

function memory(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function outage(): Promise<
  { events: number; heap: number; rss: number }[]
> {
  const clock = new FakeClock();
  const broadcaster = new EventBroadcaster({ clock, logger: noopLogger });
  const sink = new MemorySink({ clock });
  sink.failNext(Number.POSITIVE_INFINITY, 'Transport');
  broadcaster.startRecordingToSink(sink);
  const recorder = broadcaster.newRecorder({ component: 'bench' });
  const samples: { events: number; heap: number; rss: number }[] = [];
  const marks = new Set([100_000, 250_000, 500_000, 750_000, 1_000_000]);
  for (let done = 0; done < OUTAGE_EVENTS; done += BATCH) {
    for (let i = done; i < done + BATCH; i++) {
      // Distinct objects: nothing is de-duplicated or spam-filtered away.
      recorder.eventf(pod(i), 'Warning', 'Failed', 'attempt %d failed', i);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    clock.step(5000); // retries fall due, fail again, and finally give up
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (marks.has(done + BATCH))
      samples.push({ events: done + BATCH, ...memory() });
  }
  const shut = broadcaster.shutdown({ timeoutMs: 1000 });
  clock.step(1000);
  const report = await shut;
  const dropped = Object.values(report.dropped).reduce((a, b) => a + b, 0);
  if (report.delivered + dropped !== OUTAGE_EVENTS) {
    throw new Error('outage accounting does not add up');
  }
  process.stdout.write(
    `outage report: delivered ${report.delivered}, dropped ${JSON.stringify(report.dropped)}\n`,
  );
  return samples;
}

export default async function main(): Promise<void> {
  const baseline = memory();
  const emitRuns = [0, 1, 2, 3, 4]
    .map(() => emitBaseline())
    .sort((a, b) => a - b);
  const emitNs = emitRuns[2]!; // the median of 5, as the machine may be shared
  process.stdout.write(
    `baseline: EventEmitter.emit of one event object, one no-op listener: ${fmt(emitNs)} ns/call (median of 5)\n\n`,
  );

  const hot = await hotPath();
  process.stdout.write(
    `hot path: recorder.eventf → bounded queue: ${fmt(hot.full)} ns/call = ${fmt(hot.full / emitNs)} × emit (target < 2,000 ns; median of 5)\n` +
      `  of which the recorder alone (no-op publisher): ${fmt(hot.recorderOnly)} ns/call = ${fmt(hot.recorderOnly / emitNs)} × emit; the broadcaster's publish: ${fmt(hot.full - hot.recorderOnly)} ns/call\n`,
  );

  for (const stream of ['distinct', 'repeats'] as const) {
    const r = await pipeline(stream);
    process.stdout.write(
      `pipeline (${stream}): ${fmt(r.perSecond, 0)} events/s into MemorySink, ${fmt(r.nsPerEvent)} ns/event = ${fmt(r.nsPerEvent / emitNs)} × emit (target ≥ 200,000 events/s; ${r.stored} stored)\n`,
    );
    const shares = await cpuShares(stream);
    process.stdout.write(
      `  CPU time by package (sampled): ${shares
        .filter(([, pct]) => pct >= 0.5)
        .map(([pkg, pct]) => `${pkg} ${fmt(pct)} %`)
        .join(', ')}\n`,
    );
  }
  const all = await pipeline('distinct', true);
  process.stdout.write(
    `pipeline (distinct, the sink keeps every event): ${fmt(all.perSecond, 0)} events/s, ${fmt(all.nsPerEvent)} ns/event = ${fmt(all.nsPerEvent / emitNs)} × emit (${all.stored} stored)\n`,
  );
  for (const stream of ['distinct', 'repeats'] as const) {
    const r = await eventsPipeline(stream);
    process.stdout.write(
      `pipeline (events.k8s.io, ${stream}): ${fmt(r.perSecond, 0)} events/s into MemorySink.eventsV1(), ${fmt(r.nsPerEvent)} ns/event = ${fmt(r.nsPerEvent / emitNs)} × emit (${r.stored} stored)\n`,
    );
  }

  process.stdout.write('\noutage (every write fails with Transport):\n');
  const samples = await outage();
  const first = samples[0]!;
  for (const s of samples) {
    process.stdout.write(
      `  after ${fmt(s.events, 0).padStart(9)} events: heap ${fmt((s.heap - baseline.heap) / 2 ** 20)} MiB above start, rss ${fmt(s.rss / 2 ** 20)} MiB\n`,
    );
  }
  const last = samples[samples.length - 1]!;
  process.stdout.write(
    `  heap growth from ${fmt(first.events, 0)} to ${fmt(last.events, 0)} events: ${fmt((last.heap - first.heap) / 2 ** 20, 2)} MiB (target: flat)\n`,
  );
}
