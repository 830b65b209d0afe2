import type {
  KeyFuncName,
  MessageFuncName,
  Scenario,
  ScenarioOptions,
  ScenarioStep,
  SinkResponse,
  SpamKeyFuncName,
} from './scenario.js';
import type { WireEvent, WireRef } from './wire.js';

/** A small, fast, seedable PRNG (mulberry32). */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks with weights: [[weight, value], ...]. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![1];
  }
}

/** Options of {@link generateScenarios}. */
export interface GeneratorOptions {
  /** @default 20260724 */
  seed?: number;
  /** Number of streams. @default 2400 */
  count?: number;
}

/** The kinds of stream the generator mixes, one per scenario. */
export const streamKinds = [
  'storm',
  'messages',
  'objects',
  'lruOverflow',
  'gaps',
  'custom',
] as const;
/** @see {@link streamKinds} */
export type StreamKind = (typeof streamKinds)[number];

// Gaps in milliseconds: bursts, the 300 s refill period and the 600 s window.
function gap(r: Random, kind: StreamKind): number {
  const around = (c: number) =>
    r.pick([c - 1_000, c - 1, c, c + 1, c + 1_000, c + r.int(-20_000, 20_000)]);
  const w = kind === 'gaps' ? 4 : 1;
  return r.weighted<() => number>([
    [30, () => 0],
    [30, () => r.int(1, 5_000)],
    [8, () => r.int(5_000, 120_000)],
    [4 * w, () => around(300_000)],
    [4 * w, () => around(600_000)],
    [1 * w, () => r.int(600_001, 3_600_000)],
    [0.3, () => -r.int(1, 30_000)],
  ])();
}

const kinds = ['Pod', 'Node', 'Deployment', 'ReplicaSet', 'Job'];
const namespaces = ['default', 'prod', 'kube-system', ''];
const components = ['kubelet', 'scheduler', 'deployment-controller', 'my-app'];
const hosts = ['node-a', 'node-b', ''];

function makeObject(r: Random, i: number): WireRef {
  const kind = r.pick(kinds);
  const ref: WireRef = {
    kind,
    name: `${kind.toLowerCase()}-${i}`,
    namespace: kind === 'Node' ? '' : r.pick(namespaces),
    uid: `uid-${i}-${r.int(0, 9)}`,
    apiVersion:
      kind === 'Deployment' || kind === 'ReplicaSet' ? 'apps/v1' : 'v1',
  };
  if (kind === 'Pod' && r.chance(0.3))
    ref.fieldPath = `spec.containers{c${r.int(0, 2)}}`;
  if (r.chance(0.2)) ref.resourceVersion = String(r.int(1, 999));
  return ref;
}

function message(r: Random, reason: string, i: number): string {
  return r.weighted<string>([
    [80, `${reason}: occurrence ${i}`],
    [5, ''],
    [5, `${reason} <tag> & "quotes" ${i}`],
    [5, `${reason} ünïcødé ✓ ${i}`],
    [5, `${reason}\nline two ${i}`],
  ]);
}

function options(r: Random, kind: StreamKind): ScenarioOptions {
  const o: ScenarioOptions = {};
  if (kind === 'lruOverflow') o.lruCacheSize = r.int(1, 12);
  else if (r.chance(0.1)) o.lruCacheSize = r.int(1, 64);
  if (kind === 'custom' || r.chance(0.15)) {
    o.burstSize = r.pick([1, 2, 3, 5, 10, 25, 100]);
    // Include rates that float32 cannot represent (client-go's QPS is a float32).
    o.qps = r.pick([1 / 300, 1 / 60, 1 / 30, 1 / 7, 0.1, 0.3, 0.5, 1, 10]);
  }
  if (kind === 'custom' || r.chance(0.15))
    o.maxEvents = r.pick([1, 2, 3, 5, 10, 20]);
  if (kind === 'custom' || r.chance(0.1))
    o.maxIntervalInSeconds = r.pick([1, 10, 60, 300, 600, 3600]);
  if (kind === 'custom' || r.chance(0.1))
    o.spamKeyFunc = r.pick<SpamKeyFuncName>([
      'default',
      'withReason',
      'perMessage',
    ]);
  if (kind === 'custom' || r.chance(0.05))
    o.keyFunc = r.pick<KeyFuncName>(['default', 'objectOnly']);
  if (kind === 'custom' || r.chance(0.05))
    o.messageFunc = r.pick<MessageFuncName>(['default', 'bracketed']);
  return o;
}

function sink(r: Random, rv: { n: number }): SinkResponse | undefined {
  return r.weighted<SinkResponse | undefined>([
    [70, undefined],
    [10, 'none'],
    [17, { overlay: { metadata: { resourceVersion: String(++rv.n) } } }],
    [1, { overlay: { count: r.int(1, 50) } }],
    // A server copy that differs in a key field is stored under its own key.
    [0.5, { overlay: { message: 'rewritten by the server' } }],
    [0.5, { overlay: { metadata: { name: `server-${r.int(0, 99)}` } } }],
    [0.5, { overlay: { firstTimestamp: '2026-01-01T00:00:00.000Z' } }],
  ]);
}

function stream(r: Random, index: number, kind: StreamKind): Scenario {
  const objectCount =
    kind === 'storm'
      ? 1
      : kind === 'objects' || kind === 'lruOverflow'
        ? r.int(5, 60)
        : r.int(1, 6);
  const objects = Array.from({ length: objectCount }, (_, i) =>
    makeObject(r, i),
  );
  const reasons = [
    'BackOff',
    'Pulled',
    'FailedMount',
    'Unhealthy',
    'Scheduled',
  ].slice(0, kind === 'storm' ? 1 : r.int(1, 5));
  const messagesPerReason =
    kind === 'messages' || kind === 'gaps'
      ? r.int(8, 16)
      : kind === 'storm'
        ? 1
        : r.int(1, 12);
  const source = () => ({ component: r.pick(components), host: r.pick(hosts) });
  const sources = Array.from({ length: r.int(1, 2) }, source);
  const start = new Date(
    Date.UTC(
      2026,
      r.int(0, 11),
      r.int(1, 28),
      r.int(0, 23),
      r.int(0, 59),
      r.int(0, 59),
      r.int(0, 999),
    ),
  );
  const intervalMs = r.weighted<number>([
    [50, 0],
    [20, 1],
    [15, 1000],
    [10, 5000],
    [5, 250],
  ]);
  const stamp = r.chance(0.6);
  const length = kind === 'storm' ? r.int(20, 120) : r.int(5, 80);
  const rv = { n: 100 };
  const steps: ScenarioStep[] = [];
  let previous: WireEvent | undefined;
  let nowMs = start.getTime();
  for (let i = 0; i < length; i++) {
    const advanceMs = gap(r, kind);
    nowMs += advanceMs;
    let event: WireEvent;
    if (previous !== undefined && r.chance(kind === 'storm' ? 0.95 : 0.35)) {
      event = structuredClone(previous);
    } else {
      const object = r.pick(objects);
      const reason = r.pick(reasons);
      event = {
        metadata: {
          namespace: object.namespace === '' ? 'default' : object.namespace,
        },
        involvedObject: { ...object },
        reason,
        message: message(r, reason, r.int(0, messagesPerReason - 1)),
        source: { ...r.pick(sources) },
        count: r.weighted<number>([
          [92, 1],
          [4, 0],
          [4, r.int(2, 9)],
        ]),
        type: r.chance(0.8) ? 'Normal' : 'Warning',
      };
      if (r.chance(0.1))
        event.metadata.name = `${object.name}.${r.int(1, 1e9).toString(16)}`;
      if (r.chance(0.05))
        event.metadata.annotations = { note: `n${r.int(0, 3)}` };
      if (r.chance(0.1)) {
        event.reportingComponent = event.source?.component ?? '';
        event.reportingInstance = event.source?.host ?? '';
      }
      if (r.chance(0.05)) {
        event.action = 'Reconcile';
        event.eventTime = new Date(nowMs).toISOString();
        event.related = { kind: 'Node', name: 'node-a' };
      }
      previous = event;
    }
    const step: ScenarioStep = { event: structuredClone(event), advanceMs };
    if (stamp) step.stamp = true;
    else {
      const t = new Date(nowMs).toISOString();
      step.event.firstTimestamp = r.chance(0.9)
        ? t
        : new Date(nowMs - r.int(0, 60_000)).toISOString();
      step.event.lastTimestamp = t;
    }
    const s = sink(r, rv);
    if (s !== undefined) step.sink = s;
    steps.push(step);
  }
  return {
    name: `random #${index} (${kind})`,
    options: options(r, kind),
    clock: {
      start: start.toISOString(),
      ...(intervalMs === 0 ? {} : { intervalMs }),
    },
    steps,
  };
}

/**
 * Seeded random streams: storms of repeats, varied messages that cross the
 * aggregation threshold, many objects, gaps around the 300 s refill and the
 * 600 s window, LRU overflow with small caches and custom spam keys, bursts
 * and functions. The same seed always gives the same scenarios.
 */
export function generateScenarios(options: GeneratorOptions = {}): Scenario[] {
  const r = new Random(options.seed ?? 20260724);
  const count = options.count ?? 2400;
  return Array.from({ length: count }, (_, i) =>
    stream(r, i, streamKinds[i % streamKinds.length]!),
  );
}
