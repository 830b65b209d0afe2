/**
 * What copying an event costs in V8, the measurements behind the copies on the
 * hot paths (the correlator's event copy, core's conversions, the sinks):
 *
 *   npm run bench -- copies            (from the repository root or bench/)
 *
 * In V8 11 (node 20) an object made by spreading (`{ ...x }`) gets a map with
 * no transitions, so every field added to it afterwards takes a slow path. A
 * copy that adds fields one by one to `{}` follows shared transitions. Each
 * case copies one of 1,000 recorder-shaped events and then, like the
 * correlator, sets fields on the copy; the baseline is a bare
 * `EventEmitter.emit` of the same event, measured in the same run.
 */
import { EventEmitter } from 'node:events';

const N = 1_000_000;
const ROUNDS = 5;

interface Ev {
  [key: string]: unknown;
  metadata: Record<string, unknown>;
}

const events: Ev[] = Array.from({ length: 1000 }, (_, i) => ({
  metadata: { name: `web-${i}.18eba961b15f2885`, namespace: 'shop' },
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
  firstTimestamp: new Date(0),
  lastTimestamp: new Date(0),
  count: 1,
  type: 'Normal',
  reportingComponent: 'bench',
  reportingInstance: '',
}));

/** A field-by-field copy, as the correlator's (known fields only here). */
function fieldByField(e: Ev): Ev {
  const out: Record<string, unknown> = {};
  const m = e.metadata;
  const meta: Record<string, unknown> = {};
  if (m.name !== undefined) meta.name = m.name;
  if (m.namespace !== undefined) meta.namespace = m.namespace;
  out.metadata = meta;
  out.involvedObject = e.involvedObject;
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.message !== undefined) out.message = e.message;
  if (e.source !== undefined) out.source = e.source;
  if (e.firstTimestamp !== undefined) out.firstTimestamp = e.firstTimestamp;
  if (e.lastTimestamp !== undefined) out.lastTimestamp = e.lastTimestamp;
  if (e.count !== undefined) out.count = e.count;
  if (e.type !== undefined) out.type = e.type;
  if (e.reportingComponent !== undefined)
    out.reportingComponent = e.reportingComponent;
  if (e.reportingInstance !== undefined)
    out.reportingInstance = e.reportingInstance;
  return out as Ev;
}

const cases: [string, (e: Ev) => unknown][] = [
  [
    'spread event and metadata, then add resourceVersion',
    (e) => {
      const out = { ...e, metadata: { ...e.metadata } };
      out.metadata.resourceVersion = '1';
      return out;
    },
  ],
  [
    'spread event and metadata, then set an existing field',
    (e) => {
      const out = { ...e, metadata: { ...e.metadata } };
      out.metadata.name = 'x';
      return out;
    },
  ],
  [
    'Object.assign event and metadata, then add resourceVersion',
    (e) => {
      const out = Object.assign({}, e);
      out.metadata = Object.assign({}, e.metadata);
      out.metadata.resourceVersion = '1';
      return out;
    },
  ],
  [
    'field by field, then add resourceVersion',
    (e) => {
      const out = fieldByField(e);
      out.metadata.resourceVersion = '1';
      return out;
    },
  ],
];

function time(fn: (e: Ev) => unknown): number {
  const samples: number[] = [];
  let sink: unknown;
  for (let r = 0; r <= ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink = fn(events[i % 1000]!);
    const ns = Number(process.hrtime.bigint() - start) / N;
    if (r > 0) samples.push(ns); // round 0 warms up
  }
  if (sink === undefined) throw new Error('nothing copied');
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export default function main(): Promise<void> {
  const emitter = new EventEmitter();
  let seen = 0;
  emitter.on('event', () => {
    seen++;
  });
  const baseline = time((e) => emitter.emit('event', e));
  if (seen === 0) throw new Error('emit baseline saw nothing');
  process.stdout.write(
    `${N.toLocaleString('en-US')} copies × ${ROUNDS} rounds, median round\n\n` +
      '| case | ns per copy | ratio |\n|---|---:|---:|\n' +
      `| baseline: EventEmitter.emit(event) | ${baseline.toFixed(1)} | 1.0× |\n`,
  );
  for (const [name, fn] of cases) {
    const ns = time(fn);
    process.stdout.write(
      `| ${name} | ${ns.toFixed(1)} | ${(ns / baseline).toFixed(1)}× |\n`,
    );
  }
  return Promise.resolve();
}
