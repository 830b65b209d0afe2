/**
 * MemorySink write cost: what one create or patch costs when the memory sink
 * stands in for the API server in a pipeline benchmark, against a bare
 * `EventEmitter.emit` of the same event measured in the same run.
 *
 *   npm run bench -- sink-memory       (from the repository root or bench/)
 *
 * Cases:
 * - baseline: `emitter.emit('event', event)` with one listener;
 * - create: distinct names into one namespace (validation on);
 * - create, validate: false;
 * - patch: the correlator's count patch on one stored event;
 * - patch events.k8s.io/v1: a series patch through the other view.
 * Each sink call is awaited, as a broadcaster's delivery loop does.
 */
import { EventEmitter } from 'node:events';
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

async function measure(setup: () => (i: number) => unknown): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const fn = setup();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) await fn(i);
    // Round 0 warms up.
    if (r > 0) samples.push(Number(process.hrtime.bigint() - t0) / OPS);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
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
      'create (validated)',
      () => {
        const sink = new MemorySink({
          clock: new FakeClock(start),
          requestLogCapacity: 1000,
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
  const results: Array<[string, number]> = [];
  for (const [name, setup] of cases) results.push([name, await measure(setup)]);
  const baseline = results[0]![1];
  process.stdout.write(
    `${OPS.toLocaleString('en')} operations × ${ROUNDS} rounds, median round\n\n` +
      '| case | ns per op | ops per second | ratio to baseline |\n|---|---:|---:|---:|\n',
  );
  for (const [name, ns] of results) {
    process.stdout.write(
      `| ${name} | ${ns.toFixed(0)} | ${Math.round(1e9 / ns).toLocaleString('en')} | ${(ns / baseline).toFixed(1)}× |\n`,
    );
  }
  if (seen === 0) throw new Error('the baseline listener never ran');
}
