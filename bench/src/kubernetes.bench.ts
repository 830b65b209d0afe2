/**
 * An event storm against a real kube-apiserver (etcd + kube-apiserver from
 * test-utils, in their own network namespace on this machine).
 *
 *   npm run bench -- kubernetes          (from the repository root or bench/)
 *
 * The storm: 10,000 events on 50 Pods, seeded, with repeats (the same reason
 * and message again) and varied messages (a changing number, so the
 * aggregator combines them). It is written twice, each time into a fresh
 * namespace:
 *
 * - baseline: a naive loop that creates one Event per occurrence
 *   (`CoreV1EventSink.create`, awaited one after another);
 * - EventBroadcaster with client-go's defaults into `CoreV1EventSink`.
 *
 * Figures: the API requests the apiserver itself counted (its
 * `apiserver_request_total` metric, POST and PATCH on events) for each, and
 * the reduction factor; occurrences per second from the first record to the
 * last write acknowledged, as a ratio to the naive loop's; and the sum of
 * `count` on the server, to show what the fewer requests still carry.
 */
import { EventBroadcaster } from '@event-recorder/broadcaster';
import { noopLogger } from '@event-recorder/core';
import type { Event } from '@event-recorder/core';
import { CoreV1EventSink } from '@event-recorder/sink-kubernetes';
import {
  createNamespace,
  kubeConfigFor,
  kubeRequest,
  kubeTestEnvMissing,
  listEvents,
  startKubeTestEnv,
} from '@event-recorder/test-utils';
import type { KubeTestEnv } from '@event-recorder/test-utils';

const EVENTS = 10_000;
const OBJECTS = 50;

interface Occurrence {
  object: number;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** A small deterministic PRNG (mulberry32), so every run gets the same storm. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function storm(): Occurrence[] {
  const random = prng(42);
  const kinds: Omit<Occurrence, 'object'>[] = [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container web',
    },
    {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    },
    {
      type: 'Normal',
      reason: 'Pulled',
      message: 'Container image "shop/web:1.4.2" already present on machine',
    },
  ];
  const out: Occurrence[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const object = Math.floor(random() * OBJECTS);
    const r = random();
    if (r < 0.7) {
      out.push({ object, ...kinds[Math.floor(random() * kinds.length)]! });
    } else {
      // Varied messages: the aggregator's territory.
      out.push({
        object,
        type: 'Warning',
        reason: 'FailedScheduling',
        message: `0/${String(3 + Math.floor(random() * 20))} nodes are available: insufficient memory`,
      });
    }
  }
  return out;
}

function pod(namespace: string, i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${String(i)}`, namespace, uid: `uid-${String(i)}` },
  };
}

async function eventWrites(env: KubeTestEnv): Promise<number> {
  const res = await kubeRequest(env, 'GET', '/metrics');
  let total = 0;
  for (const line of String(res.body).split('\n')) {
    if (
      line.startsWith('apiserver_request_total{') &&
      line.includes('group=""') &&
      line.includes('resource="events"') &&
      /verb="(POST|PATCH)"/.test(line)
    ) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

async function countOnServer(
  env: KubeTestEnv,
  ns: string,
): Promise<{ events: number; occurrences: number }> {
  const items = await listEvents(env, ns);
  return {
    events: items.length,
    occurrences: items.reduce((sum, e) => sum + (e.count ?? 1), 0),
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

async function naive(env: KubeTestEnv, occurrences: Occurrence[]) {
  const ns = await createNamespace(env, 'bench-naive');
  const sink = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
  const before = await eventWrites(env);
  const start = process.hrtime.bigint();
  let n = 0;
  for (const o of occurrences) {
    const now = new Date();
    const event: Event = {
      metadata: {
        name: `web-${String(o.object)}.${String(n++)}`,
        namespace: ns,
      },
      involvedObject: {
        kind: 'Pod',
        apiVersion: 'v1',
        name: `web-${String(o.object)}`,
        namespace: ns,
        uid: `uid-${String(o.object)}`,
      },
      reason: o.reason,
      message: o.message,
      type: o.type,
      source: { component: 'bench' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await sink.create(event);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const requests = (await eventWrites(env)) - before;
  return { requests, seconds, server: await countOnServer(env, ns) };
}

async function broadcaster(env: KubeTestEnv, occurrences: Occurrence[]) {
  const ns = await createNamespace(env, 'bench-broadcaster');
  // A queue as long as the storm, so no occurrence is dropped for room: the
  // comparison is about requests, not about what a full queue sheds.
  const b = new EventBroadcaster({ logger: noopLogger, queueLength: EVENTS });
  b.startRecordingToSink(
    new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) }),
  );
  const recorder = b.newRecorder({ component: 'bench' });
  const pods = Array.from({ length: OBJECTS }, (_, i) => pod(ns, i));
  const before = await eventWrites(env);
  const start = process.hrtime.bigint();
  for (const o of occurrences)
    recorder.event(pods[o.object]!, o.type, o.reason, o.message);
  const report = await b.shutdown({ timeoutMs: 600_000 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const requests = (await eventWrites(env)) - before;
  return { requests, seconds, report, server: await countOnServer(env, ns) };
}

export default async function kubernetesBench(): Promise<void> {
  const missing = kubeTestEnvMissing();
  if (missing !== undefined) {
    process.stdout.write(`NOT RUN: ${missing}\n`);
    return;
  }
  const env = await startKubeTestEnv({ build: false, log: () => undefined });
  try {
    const occurrences = storm();
    const objects = new Set(occurrences.map((o) => o.object)).size;
    const messages = new Set(occurrences.map((o) => `${o.reason}|${o.message}`))
      .size;
    process.stdout.write(
      `storm: ${fmt(occurrences.length)} occurrences on ${fmt(objects)} Pods, ${fmt(messages)} distinct reason+message pairs (seed 42)\n\n`,
    );

    const base = await naive(env, occurrences);
    const baseRate = occurrences.length / base.seconds;
    process.stdout.write(
      `baseline, naive create per occurrence: ${fmt(base.requests)} requests, ${fmt(base.seconds, 1)} s, ` +
        `${fmt(baseRate)} occurrences/s (= ${fmt(baseRate)} writes/s); on the server: ` +
        `${fmt(base.server.events)} events, Σcount ${fmt(base.server.occurrences)}\n`,
    );

    const ours = await broadcaster(env, occurrences);
    const rate = occurrences.length / ours.seconds;
    process.stdout.write(
      `EventBroadcaster (client-go defaults) → CoreV1EventSink: ${fmt(ours.requests)} requests, ` +
        `${fmt(ours.seconds, 1)} s, ${fmt(rate)} occurrences/s = ${fmt(rate / baseRate, 1)} × baseline, ` +
        `${fmt(ours.requests / ours.seconds)} writes/s; on the server: ${fmt(ours.server.events)} events, ` +
        `Σcount ${fmt(ours.server.occurrences)}\n`,
    );
    process.stdout.write(
      `  report: delivered ${fmt(ours.report.delivered)}, dropped ${JSON.stringify(ours.report.dropped)}\n`,
    );
    process.stdout.write(
      `\nrequest reduction: ${fmt(base.requests / ours.requests, 1)} × fewer API requests than the naive loop\n`,
    );
  } finally {
    await env.stop();
  }
}
