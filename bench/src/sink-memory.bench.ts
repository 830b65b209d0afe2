/**
 * MemorySink write cost: what one create or patch costs when the memory sink
 * stands in for the API server in a pipeline benchmark, against a bare
 * `EventEmitter.emit` of the same event measured in the same run.
 *
 *   npm run bench -- sink-memory       (from the repository root or bench/)
 *
 * Cases:
 * - baseline: `emitter.emit('event', event)` with one listener;
 * - create: distinct names into one namespace, default options;
 * - create with the request log off, with maxEvents 1000 and 10,000 (what the
 *   pipeline benchmark uses), with validate false;
 * - patch: the correlator's count patch on one stored event;
 * - mix: with maxEvents 10,000, creates and count patches taking turns, each
 *   patch on the event created just before;
 * - patch events.k8s.io/v1: a series patch through the other view.
 * Each sink call is awaited, as a broadcaster's delivery loop does; the heap
 * is collected before every round.
 *
 * That collection also makes V8 throw away the code it optimised for the
 * previous round's sink (it deoptimises it for "weak objects" once that sink
 * is gone), so each round runs its first 10,000–20,000 calls unoptimised again, on
 * the original sink as on the current one. `SINK_MEMORY_GC=0` skips the
 * collection to show the steady state instead (then a case's garbage may be
 * collected in the next one's rounds).
 */
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  FakeClock,
  formatMicroTime,
  type Event,
  type EventsV1Event,
} from '@event-recorder/core';
import { MemorySink } from '@event-recorder/sink-memory';

const OPS = 50_000;
const ROUNDS = 5;
const start = Date.UTC(2026, 6, 24, 10, 0, 0);

const collectEachRound = process.env['SINK_MEMORY_GC'] !== '0';

v8.setFlagsFromString('--expose-gc');
// Each round starts from a collected heap, so one case's garbage is not
// charged to the next.
const gc = vm.runInNewContext('gc') as () => void;

function event(name: string): Event {
  return {
    metadata: { name, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    source: { component: 'bench', host: 'node-1' },
    firstTimestamp: new Date(start),
    lastTimestamp: new Date(start),
    count: 1,
    type: 'Warning',
    reportingComponent: 'bench',
    reportingInstance: 'node-1',
  };
}

interface Timing {
  median: number;
  best: number;
}

async function measure(setup: () => (i: number) => unknown): Promise<Timing> {
  const samples: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    if (collectEachRound) gc();
    const fn = setup();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) await fn(i);
    // Round 0 warms up.
    if (r > 0) samples.push(Number(process.hrtime.bigint() - t0) / OPS);
  }
  samples.sort((a, b) => a - b);
  // The best round is the least disturbed by other processes on the machine.
  return {
    median: samples[Math.floor(samples.length / 2)] as number,
    best: samples[0] as number,
  };
}

export default async function run(): Promise<void> {
  const template = event('web-1.0');
  let seen = 0;
  const cases: Array<[string, () => (i: number) => unknown]> = [
    [
      'baseline: EventEmitter.emit(event), awaited',
      () => {
        const emitter = new EventEmitter();
        emitter.on('event', () => seen++);
        return () => Promise.resolve(emitter.emit('event', template));
      },
    ],
    [
      'create (defaults)',
      () => {
        const sink = new MemorySink({ clock: new FakeClock(start) });
        return (i) => sink.create(event(`web-1.${i.toString(16)}`));
      },
    ],
    [
      'create (request log off)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          requestLogCapacity: 0,
        });
        return (i) => sink.create(event(`web-1.${i.toString(16)}`));
      },
    ],
    [
      'create (maxEvents: 1000)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          maxEvents: 1000,
        });
        return (i) => sink.create(event(`web-1.${i.toString(16)}`));
      },
    ],
    [
      'create (maxEvents: 10_000)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          maxEvents: 10_000,
        });
        return (i) => sink.create(event(`web-1.${i.toString(16)}`));
      },
    ],
    [
      'create (validate: false)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          requestLogCapacity: 1000,
          validate: false,
        });
        return (i) => sink.create(event(`web-1.${i.toString(16)}`));
      },
    ],
    [
      'patch count (core/v1)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          requestLogCapacity: 1000,
        });
        const target = event('web-1.1');
        void sink.create(target);
        return (i) =>
          sink.patch(
            target,
            `{"count":${i + 2},"lastTimestamp":"2026-07-24T10:00:05Z","message":"m"}`,
          );
      },
    ],
    [
      'mix: create, count patch (maxEvents: 10_000)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          maxEvents: 10_000,
        });
        let last = event('web-1.0');
        return (i) => {
          if (i % 2 === 1) {
            return sink.patch(
              last,
              `{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"m"}`,
            );
          }
          last = event(`web-1.${i.toString(16)}`);
          return sink.create(last);
        };
      },
    ],
    [
      'patch series (events.k8s.io/v1)',
      () => {
        const events = new MemorySink({
          clock: new FakeClock(start),
          requestLogCapacity: 1000,
        }).eventsV1();
        const target: EventsV1Event = {
          metadata: { name: 'web-1.2', namespace: 'shop' },
          eventTime: new Date(start),
          reportingController: 'example.com/bench',
          reportingInstance: 'bench-1',
          action: 'Restarting',
          reason: 'BackOff',
          regarding: {
            kind: 'Pod',
            apiVersion: 'v1',
            name: 'web-1',
            namespace: 'shop',
          },
          note: 'Back-off',
          type: 'Warning',
        };
        void events.create(target);
        return (i) =>
          events.patch(
            target,
            `{"series":{"count":${i + 2},"lastObservedTime":"${formatMicroTime(new Date(start + i))}"}}`,
          );
      },
    ],
  ];
  // SINK_MEMORY_CASES=patch,mix runs the baseline and the cases whose names
  // contain one of those words, when profiling one of them.
  const only = process.env['SINK_MEMORY_CASES']?.split(',');
  const results: Array<[string, Timing]> = [];
  for (const [name, setup] of cases) {
    if (
      only === undefined ||
      name.startsWith('baseline') ||
      only.some((word) => name.includes(word))
    )
      results.push([name, await measure(setup)]);
  }
  const baseline = results[0]![1];
  process.stdout.write(
    `${OPS.toLocaleString('en')} operations × ${ROUNDS} rounds${collectEachRound ? '' : ' (no collection between rounds)'}; median and best round, each as a ratio to the baseline's\n\n` +
      '| case | ns per op (median) | ops/s (median) | ratio | ns per op (best) | ratio |\n|---|---:|---:|---:|---:|---:|\n',
  );
  for (const [name, t] of results) {
    process.stdout.write(
      `| ${name} | ${t.median.toFixed(0)} | ${Math.round(1e9 / t.median).toLocaleString('en')} | ${(t.median / baseline.median).toFixed(1)}× | ${t.best.toFixed(0)} | ${(t.best / baseline.best).toFixed(1)}× |\n`,
    );
  }
  if (seen === 0) throw new Error('the baseline listener never ran');
}
