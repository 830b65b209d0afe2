#!/usr/bin/env -S node --expose-gc
// Compares two builds of this repository in one process, alternating between
// them, so that the machine's drift (which reaches 2× within minutes here)
// falls on both alike. Each build must be checked out, installed and built:
//
//   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npx turbo run build)
//   npx turbo run build
//   node --expose-gc bench/scripts/ab.mjs /tmp/base . [stream] [pairs]
//
// Streams (100,000 events per run, as the pipeline benchmark):
// - distinct: recorder → EventBroadcaster → MemorySink({ maxEvents: 10,000 }),
//   every event about a new object (a create);
// - repeats: the same on 100 objects with the spam filter opened wide (every
//   event a count patch);
// - events-distinct, events-repeats: the same streams through the
//   events.k8s.io/v1 path (events recorder → EventsBroadcaster →
//   MemorySink.eventsV1()), where repeats are counted into their series;
// - sink-creates: MemorySink({ maxEvents: 10,000 }).create alone, of events
//   whose names are fresh strings, as a recorder makes them (a benchmark that
//   reuses its names measures `Map` lookups of strings whose hash V8 has
//   already cached).
//
// Prints ns per event of each build per pair (the order within a pair
// alternates), the medians, and the median of the per-pair ratios B/A.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { recordStream } from './streams.mjs';

const [rootA, rootB, stream = 'distinct', pairsArg = '10'] =
  process.argv.slice(2);
if (
  !rootA ||
  !rootB ||
  ![
    'distinct',
    'repeats',
    'events-distinct',
    'events-repeats',
    'sink-creates',
  ].includes(stream)
) {
  process.stderr.write(
    'usage: ab.mjs <repo A> <repo B> [distinct|repeats|events-distinct|events-repeats|sink-creates] [pairs]\n',
  );
  process.exit(2);
}
const pairs = Number(pairsArg);
const EVENTS = 100_000;
const BATCH = 1000;
const SINK_MAX_EVENTS = 10_000;

async function load(root) {
  const pkg = (name) =>
    import(
      pathToFileURL(path.resolve(root, 'packages', name, 'dist/index.js')).href
    );
  const [broadcaster, core, sink] = await Promise.all([
    pkg('broadcaster'),
    pkg('core'),
    pkg('sink-memory'),
  ]);
  return { ...broadcaster, ...core, ...sink };
}

/** A name as the recorder makes one: `<object>.<hex nanoseconds>`, a fresh string. */
function eventName(i) {
  return (
    `web-${i}` + '.' + (1_790_000_000_000_000_000n + BigInt(i)).toString(16)
  );
}

async function sinkCreates(lib) {
  const sink = new lib.MemorySink({ maxEvents: SINK_MAX_EVENTS });
  const at = new Date();
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    metadata: { name: eventName(i), namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: `web-${i}`,
      namespace: 'shop',
      uid: `uid-${i}`,
    },
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web to node-1',
    source: { component: 'bench' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: 'Normal',
    reportingComponent: 'bench',
    reportingInstance: '',
  }));
  const start = process.hrtime.bigint();
  for (let done = 0; done < EVENTS; done += BATCH) {
    const replies = [];
    for (let i = done; i < done + BATCH; i++)
      replies.push(sink.create(events[i]));
    await Promise.all(replies);
  }
  const ns = Number(process.hrtime.bigint() - start) / EVENTS;
  if (sink.size !== SINK_MAX_EVENTS)
    throw new Error(`the sink holds ${sink.size} events`);
  return ns;
}

async function run(lib) {
  // Start each run from a collected heap, so that neither build inherits the
  // other's garbage.
  globalThis.gc?.();
  if (stream === 'sink-creates') return sinkCreates(lib);
  return stream.startsWith('events-')
    ? recordStream(lib, 'events', stream.slice('events-'.length), EVENTS)
    : recordStream(lib, 'core', stream, EVENTS);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const A = await load(rootA);
const B = await load(rootB);
await run(A); // warm-up
await run(B);
const as = [];
const bs = [];
for (let p = 0; p < pairs; p++) {
  const first = p % 2 === 0;
  const a = first ? await run(A) : undefined;
  const b = await run(B);
  const a2 = first ? a : await run(A);
  as.push(a2);
  bs.push(b);
  process.stdout.write(
    `pair ${p + 1}: A ${a2.toFixed(0)} ns/event, B ${b.toFixed(0)} ns/event, B/A ${(b / a2).toFixed(3)}\n`,
  );
}
const ratios = as.map((a, i) => bs[i] / a);
process.stdout.write(
  `${stream}: A median ${median(as).toFixed(0)} ns/event (${(1e9 / median(as)).toFixed(0)}/s), ` +
    `B median ${median(bs).toFixed(0)} ns/event (${(1e9 / median(bs)).toFixed(0)}/s), ` +
    `B/A per pair: median ${median(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}\n`,
);
