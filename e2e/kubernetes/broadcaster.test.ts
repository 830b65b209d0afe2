import {
  EventBroadcaster,
  EventsBroadcaster,
} from '@event-recorder/broadcaster';
import { FakeClock, MemoryLogger } from '@event-recorder/core';
import {
  createNamespace,
  describeKube,
  kubeConfigFor,
  kubeRequest,
  listEvents,
  startApiserver,
  stopApiserver,
} from '@event-recorder/test-utils';
import type { KubeTestEnvInfo } from '@event-recorder/test-utils';
import { setTimeout as delay } from 'node:timers/promises';
import { beforeAll, expect, it } from 'vitest';
import {
  CoreV1EventSink,
  EventsV1EventSink,
} from '@event-recorder/sink-kubernetes';

/** Event writes the apiserver itself counted (its request metrics), by verb. */
async function serverWrites(
  env: KubeTestEnvInfo,
  group: '' | 'events.k8s.io',
): Promise<{ POST: number; PATCH: number }> {
  const res = await kubeRequest(env, 'GET', '/metrics');
  const out = { POST: 0, PATCH: 0 };
  for (const line of String(res.body).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (
      !line.includes(`group="${group}"`) ||
      !line.includes('resource="events"')
    )
      continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (verb === 'POST' || verb === 'PATCH') out[verb] += value;
  }
  return out;
}

function pod(namespace: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `${name}-uid` },
  };
}

/**
 * Waits for pending network I/O until `done` holds, checking every 10 ms (up to 30 s), at
 * most `rounds` times. It waits for the server's answers, never for the
 * broadcaster's timers, which run on the fake clock.
 */
async function until(
  done: () => boolean,
  describe: () => unknown,
  rounds = 3000,
): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await delay(10);
  if (!done())
    throw new Error(`condition not reached: ${JSON.stringify(describe())}`);
}

describeKube('the broadcasters writing to a real kube-apiserver', (env) => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(env, 'pipeline');
  });

  it('patches repeats, and the spam filter limits the writes the server receives', async () => {
    const clock = new FakeClock(new Date('2026-07-24T10:00:00Z'));
    const broadcaster = new EventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink(
      new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) }),
    );
    const recorder = broadcaster.newRecorder({
      component: 'kubelet',
      host: 'node-1',
    });
    const before = await serverWrites(env, '');
    for (let i = 0; i < 30; i++) {
      recorder.eventf(
        pod(ns, 'repeat'),
        'Warning',
        'BackOff',
        'Back-off restarting %s',
        'web',
      );
      await broadcaster.flush();
      clock.step(1000);
    }
    const report = await broadcaster.shutdown({ timeoutMs: 30_000 });
    const after = await serverWrites(env, '');

    // 25 tokens: 1 create + 24 patches reach the server; 5 are spam.
    expect(after.POST - before.POST).toBe(1);
    expect(after.PATCH - before.PATCH).toBe(24);
    expect(report.delivered).toBe(25);
    expect(report.dropped.spam).toBe(5);
    const stored = (await listEvents(env, ns)).filter(
      (e) => e.involvedObject.name === 'repeat',
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.count).toBe(25);
    expect(stored[0]?.firstTimestamp).toBe('2026-07-24T10:00:00Z');
    expect(stored[0]?.lastTimestamp).toBe('2026-07-24T10:00:24Z');
    expect(stored[0]?.message).toBe('Back-off restarting web');
  });

  it('aggregates similar events into the combined event', async () => {
    const clock = new FakeClock(new Date('2026-07-24T11:00:00Z'));
    const broadcaster = new EventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink(
      new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) }),
    );
    const recorder = broadcaster.newRecorder('scheduler');
    for (let i = 0; i < 12; i++) {
      recorder.eventf(
        pod(ns, 'aggregated'),
        'Warning',
        'FailedScheduling',
        'node-%d did not fit',
        i,
      );
      clock.step(100);
    }
    await broadcaster.shutdown({ timeoutMs: 30_000 });
    const stored = (await listEvents(env, ns)).filter(
      (e) => e.involvedObject.name === 'aggregated',
    );
    const combined = stored.filter((e) =>
      e.message?.startsWith('(combined from similar events): '),
    );
    // client-go's rule: the 10th distinct message on the same key turns into
    // the combined event, and later ones patch it.
    expect(stored).toHaveLength(10);
    expect(combined).toHaveLength(1);
    expect(combined[0]?.message).toBe(
      '(combined from similar events): node-11 did not fit',
    );
    expect(combined[0]?.count).toBe(3);
  });

  it('re-creates an event deleted on the server with the running count', async () => {
    const clock = new FakeClock(new Date('2026-07-24T12:00:00Z'));
    const broadcaster = new EventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink(
      new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) }),
    );
    const recorder = broadcaster.newRecorder('kubelet');
    recorder.event(pod(ns, 'deleted'), 'Normal', 'Pulled', 'Pulled image');
    await broadcaster.flush();
    const [first] = (await listEvents(env, ns)).filter(
      (e) => e.involvedObject.name === 'deleted',
    );
    expect(first?.count).toBe(1);
    const del = await kubeRequest(
      env,
      'DELETE',
      `/api/v1/namespaces/${ns}/events/${first!.metadata.name}`,
    );
    expect(del.status).toBe(200);

    clock.step(5000);
    recorder.event(pod(ns, 'deleted'), 'Normal', 'Pulled', 'Pulled image');
    await broadcaster.shutdown({ timeoutMs: 30_000 });
    const [again] = (await listEvents(env, ns)).filter(
      (e) => e.involvedObject.name === 'deleted',
    );
    expect(again?.metadata.name).toBe(first?.metadata.name);
    expect(again?.count).toBe(2);
    expect(again?.firstTimestamp).toBe('2026-07-24T12:00:00Z');
    expect(again?.lastTimestamp).toBe('2026-07-24T12:00:05Z');
  });

  it('reports Forbidden as final, naming the missing permission once', async () => {
    const logger = new MemoryLogger();
    const sinkLogger = new MemoryLogger();
    const broadcaster = new EventBroadcaster({
      clock: new FakeClock(),
      logger,
    });
    broadcaster.startRecordingToSink(
      new CoreV1EventSink({
        kubeConfig: kubeConfigFor(env, env.restrictedToken),
        logger: sinkLogger,
      }),
    );
    const recorder = broadcaster.newRecorder('kubelet');
    recorder.event(pod(ns, 'forbidden-a'), 'Normal', 'A', 'a');
    recorder.event(pod(ns, 'forbidden-b'), 'Normal', 'B', 'b');
    recorder.event(pod(ns, 'forbidden-c'), 'Normal', 'C', 'c');
    const report = await broadcaster.shutdown({ timeoutMs: 30_000 });
    expect(report.delivered).toBe(0);
    expect(report.sinks[0]?.finalByCode['Forbidden']).toBe(3);
    const diagnostics = sinkLogger.find({ level: 'error', text: 'forbidden' });
    expect(diagnostics.map((d) => d.message)).toEqual([
      `Event write forbidden: this identity may not \`create\` \`events\` in the core group ("") in namespace "${ns}"`,
    ]);
    expect(
      (await listEvents(env, ns)).filter((e) =>
        e.involvedObject.name?.startsWith('forbidden'),
      ),
    ).toEqual([]);
  });

  it('delivers events queued while the server was down once it is back', async () => {
    const clock = new FakeClock(new Date('2026-07-24T13:00:00Z'));
    const broadcaster = new EventBroadcaster({
      clock,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink(
      new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) }),
    );
    const recorder = broadcaster.newRecorder('kubelet');
    recorder.event(pod(ns, 'outage'), 'Normal', 'Before', 'before the outage');
    await broadcaster.flush();

    await stopApiserver(env);
    try {
      for (let i = 0; i < 5; i++) {
        recorder.eventf(
          pod(ns, 'outage'),
          'Normal',
          `During${i}`,
          'during the outage %d',
          i,
        );
      }
      // Every write fails with Transport and waits for a retry on the clock.
      await until(
        () => broadcaster.stats().sinks[0]?.retrying === 5,
        () => broadcaster.stats().sinks[0],
      );
      expect(broadcaster.stats().sinks[0]?.delivered).toBe(1);
    } finally {
      await startApiserver(env);
    }
    // Retries wait on the fake clock: move it on until every write landed,
    // at most 12 steps of 10 s (the default policy's first delay is ≤ 1 s).
    for (
      let i = 0;
      i < 12 && broadcaster.stats().sinks[0]?.pending !== 0;
      i++
    ) {
      clock.step(10_000);
      await until(
        () =>
          broadcaster.stats().sinks[0]?.retrying !== 0 ||
          broadcaster.stats().sinks[0]?.pending === 0,
        () => broadcaster.stats().sinks[0],
      );
      await until(
        () => {
          const sink = broadcaster.stats().sinks[0];
          return sink?.pending === 0 || sink?.retrying === sink?.pending;
        },
        () => broadcaster.stats().sinks[0],
      );
    }
    const report = await broadcaster.shutdown({ timeoutMs: 60_000 });
    expect(report.delivered).toBe(6);
    expect(report.pending).toBe(0);
    const reasons = (await listEvents(env, ns))
      .filter((e) => e.involvedObject.name === 'outage')
      .map((e) => e.reason)
      .sort();
    expect(reasons).toEqual([
      'Before',
      'During0',
      'During1',
      'During2',
      'During3',
      'During4',
    ]);
  });

  it('writes an events.k8s.io series: create, count 2, heartbeat and finish', async () => {
    const clock = new FakeClock(new Date('2026-07-24T14:00:00Z'));
    const sink = new EventsV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const broadcaster = new EventsBroadcaster({
      clock,
      sink,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink();
    const recorder = broadcaster.newRecorder('example.com/controller', {
      reportingInstance: 'controller-1',
    });
    const before = await serverWrites(env, 'events.k8s.io');
    const series = async () => {
      const items = (
        await kubeRequest(
          env,
          'GET',
          `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
        )
      ).body as {
        items: {
          regarding: { name: string };
          series?: { count: number; lastObservedTime: string };
          note: string;
        }[];
      };
      return items.items.filter((e) => e.regarding.name === 'series');
    };

    recorder.eventf(
      pod(ns, 'series'),
      undefined,
      'Warning',
      'BackOff',
      'Restart',
      'restart %d',
      1,
    );
    await broadcaster.flush();
    expect((await series())[0]?.series).toBeUndefined();

    clock.step(1000);
    recorder.eventf(
      pod(ns, 'series'),
      undefined,
      'Warning',
      'BackOff',
      'Restart',
      'restart %d',
      2,
    );
    await until(
      () => broadcaster.stats().sinks[0]?.pending === 0,
      () => broadcaster.stats().sinks[0],
    );
    await broadcaster.flush();
    let [stored] = await series();
    expect(stored?.series).toEqual({
      count: 2,
      lastObservedTime: '2026-07-24T14:00:01.000000Z',
    });
    expect(stored?.note).toBe('restart 1');

    // Later occurrences are counted locally, and only the 30-minute
    // heartbeat writes them: one a minute, until 14:29:01.
    const idle = () => {
      const sink = broadcaster.stats().sinks[0];
      return sink?.queued === 0 && sink.retrying === 0;
    };
    for (let i = 3; i <= 31; i++) {
      clock.step(60_000);
      recorder.eventf(
        pod(ns, 'series'),
        undefined,
        'Warning',
        'BackOff',
        'Restart',
        'restart %d',
        i,
      );
      await until(idle, () => broadcaster.stats().sinks[0]);
    }
    expect((await series())[0]?.series?.count).toBe(2);
    clock.step(59_000); // 14:30:00, the heartbeat
    await until(
      () => broadcaster.stats().sinks[0]?.pending === 0,
      () => broadcaster.stats().sinks[0],
    );
    [stored] = await series();
    expect(stored?.series).toEqual({
      count: 31,
      lastObservedTime: '2026-07-24T14:29:01.000000Z',
    });

    // Idle for more than 6 minutes: the finish pass closes the series, and
    // the next occurrence starts a new event.
    clock.step(7 * 60_000);
    await until(idle, () => broadcaster.stats().sinks[0]);
    recorder.eventf(
      pod(ns, 'series'),
      undefined,
      'Warning',
      'BackOff',
      'Restart',
      'restart %d',
      32,
    );
    await broadcaster.shutdown({ timeoutMs: 30_000 });
    const all = await series();
    expect(all).toHaveLength(2);
    expect(all.map((e) => e.series?.count ?? 1).sort((x, y) => x - y)).toEqual([
      1, 31,
    ]);
    const after = await serverWrites(env, 'events.k8s.io');
    expect(after.POST - before.POST).toBe(2);
    // The count-2 patch and the heartbeat; the finish pass may add one.
    expect(after.PATCH - before.PATCH).toBeGreaterThanOrEqual(2);
    expect(after.PATCH - before.PATCH).toBeLessThanOrEqual(3);
  });

  it('delivers an oversized note truncated, and a Node event in the configured namespace', async () => {
    const sink = new EventsV1EventSink({
      kubeConfig: kubeConfigFor(env),
      clusterScopedNamespace: 'kube-system',
      logger: new MemoryLogger(),
    });
    const broadcaster = new EventsBroadcaster({
      clock: new FakeClock(),
      sink,
      logger: new MemoryLogger(),
    });
    broadcaster.startRecordingToSink();
    const recorder = broadcaster.newRecorder('example.com/controller', {
      reportingInstance: 'controller-1',
    });
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${ns}`, uid: 'node-uid' },
    };
    recorder.eventf(
      pod(ns, 'long-note'),
      undefined,
      'Warning',
      'Failed',
      'Pull',
      '%s',
      'ü'.repeat(2000),
    );
    recorder.eventf(
      node,
      undefined,
      'Normal',
      'NodeReady',
      'Check',
      'node is ready',
    );
    const report = await broadcaster.shutdown({ timeoutMs: 30_000 });
    expect(report.delivered).toBe(2);
    // The events recorder shortens notes over 1024 bytes itself (its
    // `truncateNote` default), so the sink has nothing left to fix here; the
    // sink's own truncation is tested against the server in sinks.test.ts.
    expect(sink.stats().truncatedFields).toBe(0);

    const long = (
      await kubeRequest(
        env,
        'GET',
        `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      )
    ).body as {
      items: { regarding: { name: string }; note: string }[];
    };
    const note =
      long.items.find((e) => e.regarding.name === 'long-note')?.note ?? '';
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(1024);
    expect(note.startsWith('üü')).toBe(true);
    expect(note.endsWith('…')).toBe(true);

    const system = (
      await kubeRequest(
        env,
        'GET',
        '/apis/events.k8s.io/v1/namespaces/kube-system/events',
      )
    ).body as {
      items: { regarding: { name: string; namespace?: string } }[];
    };
    const nodeEvents = system.items.filter(
      (e) => e.regarding.name === `node-${ns}`,
    );
    expect(nodeEvents).toHaveLength(1);
    expect(nodeEvents[0]?.regarding.namespace).toBeUndefined();
  });
});
