#!/usr/bin/env node
// Bytes allocated per event in the in-process pipeline (recorder →
// EventBroadcaster → MemorySink({ maxEvents: 10,000 })), by the function that
// allocated them, from V8's sampling heap profiler (every allocation counted,
// also those collected since). Run after a build, from the repository root:
//
//   node bench/scripts/alloc.mjs [distinct|repeats] [rows] [core|events]
//
// `core` (the default) is the core/v1 path (EventBroadcaster); `events` the
// events.k8s.io one (EventsBroadcaster, the sink's eventsV1() view).
// One warm-up run of 100,000 events, then one sampled run of 100,000.
import { Session } from 'node:inspector/promises';
import * as broadcaster from '@event-recorder/broadcaster';
import * as core from '@event-recorder/core';
import * as sinkMemory from '@event-recorder/sink-memory';
import { recordStream } from './streams.mjs';

const stream = process.argv[2] ?? 'distinct';
const rows = Number(process.argv[3] ?? '15');
const api = process.argv[4] ?? 'core';
if (
  !['distinct', 'repeats'].includes(stream) ||
  !['core', 'events'].includes(api)
) {
  process.stderr.write(
    'usage: alloc.mjs [distinct|repeats] [rows] [core|events]\n',
  );
  process.exit(2);
}
const EVENTS = 100_000;

const lib = { ...broadcaster, ...core, ...sinkMemory };
await recordStream(lib, api, stream, EVENTS); // warm-up
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 128,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
});
await recordStream(lib, api, stream, EVENTS);
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
const byFunction = new Map();
let total = 0;
const walk = (node) => {
  const f = node.callFrame;
  const where = f.url.replace(/.*\/(packages|node_modules)\//, '');
  const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const child of node.children) walk(child);
};
walk(profile.head);
process.stdout.write(
  `${api} ${stream}: about ${(total / EVENTS).toFixed(0)} bytes allocated per event (sampled)\n`,
);
for (const [key, bytes] of [...byFunction]
  .sort((a, b) => b[1] - a[1])
  .slice(0, rows)) {
  process.stdout.write(`${(bytes / EVENTS).toFixed(0).padStart(7)}  ${key}\n`);
}
