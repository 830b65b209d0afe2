import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeClock, MemoryLogger } from '@event-recorder/core';
import {
  createNamespace,
  describeWithOwnKubeEnv,
  grantEvents,
  kubeConfigFor,
  kubeRequest,
  listEvents,
} from '@event-recorder/test-utils';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBroadcasterAdapter } from './createEventBroadcasterAdapter.js';

// Discovery against a scripted server: the real client library over a real
// socket, for the failures a test apiserver does not produce on demand.
async function scriptedServer(statuses: number[]) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const status = statuses.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        status === 200
          ? {
              kind: 'APIResourceList',
              groupVersion: 'events.k8s.io/v1',
              resources: [
                {
                  name: 'events',
                  kind: 'Event',
                  namespaced: true,
                  verbs: ['create'],
                },
              ],
            }
          : { kind: 'Status', code: status, message: `status ${status}` },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${String(port)}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return {
    hits,
    kubeConfig,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Steps the fake clock through each discovery backoff as it is armed. */
async function driveBackoff(
  clock: FakeClock,
  settled: () => boolean,
): Promise<void> {
  for (let i = 0; i < 1000 && !settled(); i++) {
    if (clock.pendingTimers() > 0) clock.step(60_000);
    else await delay(5); // waiting for the scripted server's answer
  }
}

describe('createEventBroadcasterAdapter discovery', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('retries a discovery failure that may be a blip before choosing events.k8s.io/v1', async () => {
    const server = await scriptedServer([503, 503]);
    closers.push(server.close);
    const clock = new FakeClock();
    const logger = new MemoryLogger();
    let done = false;
    const pending = createEventBroadcasterAdapter(server.kubeConfig, {
      clock,
      logger,
    }).finally(() => {
      done = true;
    });
    await driveBackoff(clock, () => done);
    const adapter = await pending;
    expect(adapter.apiGroupVersion).toBe('events.k8s.io/v1');
    expect(server.hits).toEqual([
      '/apis/events.k8s.io/v1',
      '/apis/events.k8s.io/v1',
      '/apis/events.k8s.io/v1',
    ]);
    expect(logger.find({ level: 'warn', text: 'retrying' })).toHaveLength(2);
    await adapter.shutdown({ timeoutMs: 1000 });
  });

  it('falls back to core/v1 at once when the identity may not discover the group', async () => {
    const server = await scriptedServer([403]);
    closers.push(server.close);
    const adapter = await createEventBroadcasterAdapter(server.kubeConfig, {
      clock: new FakeClock(),
      logger: new MemoryLogger(),
    });
    expect(adapter.apiGroupVersion).toBe('v1');
    expect(server.hits).toHaveLength(1);
    await adapter.shutdown({ timeoutMs: 1000 });
  });

  it('falls back to core/v1 after the retries when the failures persist', async () => {
    const server = await scriptedServer([500, 500, 500]);
    closers.push(server.close);
    const clock = new FakeClock();
    let done = false;
    const pending = createEventBroadcasterAdapter(server.kubeConfig, {
      clock,
      logger: new MemoryLogger(),
      discoveryRetries: 2,
    }).finally(() => {
      done = true;
    });
    await driveBackoff(clock, () => done);
    const adapter = await pending;
    expect(adapter.apiGroupVersion).toBe('v1');
    expect(server.hits).toHaveLength(3);
    await adapter.shutdown({ timeoutMs: 1000 });
  });

  it('refuses a negative retry count', async () => {
    await expect(
      createEventBroadcasterAdapter(new KubeConfig(), { discoveryRetries: -1 }),
    ).rejects.toThrow(/discoveryRetries/);
  });
});

describeWithOwnKubeEnv(
  'createEventBroadcasterAdapter against a real kube-apiserver',
  (getEnv) => {
    function pod(namespace: string) {
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'test-pod', namespace, uid: 'test-pod-uid' },
      };
    }

    it('runs the seed usage through events.k8s.io/v1 when the server serves it', async () => {
      const env = getEnv();
      const ns = await createNamespace(env, 'adapter');
      const pod1 = pod(ns);

      const adapter = await createEventBroadcasterAdapter(kubeConfigFor(env), {
        logger: new MemoryLogger(),
      });
      const stop = new AbortController();
      adapter.startRecordingToSink(stop.signal);
      const recorder = adapter.newRecorder('test');
      recorder.eventf(pod1, pod1, 'Normal', 'test event record', 'add', '');
      await adapter.shutdown();

      expect(adapter.apiGroupVersion).toBe('events.k8s.io/v1');
      const res = await kubeRequest(
        env,
        'GET',
        `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
      );
      const items = (res.body as { items: Record<string, unknown>[] }).items;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        reason: 'test event record',
        action: 'add',
        type: 'Normal',
        reportingController: 'test',
        regarding: { kind: 'Pod', name: 'test-pod', namespace: ns },
        related: { kind: 'Pod', name: 'test-pod', namespace: ns },
      });
      expect(String(items[0]?.['eventTime'])).toMatch(/\.\d{6}Z$/);
    });

    it('falls back to core/v1, without related and action, when events.k8s.io is unreachable for the identity', async () => {
      const env = getEnv();
      const ns = await createNamespace(env, 'adapter-fallback');
      // Anonymous may write core/v1 events here, but may not discover APIs.
      await grantEvents(
        env,
        ns,
        { kind: 'User', name: 'system:anonymous' },
        [''],
        ['create', 'patch'],
      );
      const anonymous = kubeConfigFor(env, { anonymous: true });
      const discovery = await kubeRequest(
        env,
        'GET',
        '/apis/events.k8s.io/v1',
        undefined,
        { token: '' },
      );
      expect([401, 403]).toContain(discovery.status);

      const logger = new MemoryLogger();
      const adapter = await createEventBroadcasterAdapter(anonymous, {
        logger,
      });
      expect(adapter.apiGroupVersion).toBe('v1');
      expect(
        logger.find({ level: 'info', text: 'recording through core/v1' }),
      ).toHaveLength(1);
      adapter.startRecordingToSink();
      const pod1 = pod(ns);
      adapter
        .newRecorder('test')
        .eventf(pod1, pod1, 'Normal', 'test event record', 'add', 'note %d', 1);
      const report = await adapter.shutdown();
      expect(report.core.delivered).toBe(1);
      expect(report.events).toBeUndefined();

      const [stored] = await listEvents(env, ns);
      expect(stored).toMatchObject({
        reason: 'test event record',
        message: 'note 1',
        type: 'Normal',
        count: 1,
        source: { component: 'test' },
        involvedObject: { kind: 'Pod', name: 'test-pod', namespace: ns },
      });
      expect(stored?.action ?? '').toBe('');
      expect(stored?.related).toBeUndefined();
    });
  },
);
