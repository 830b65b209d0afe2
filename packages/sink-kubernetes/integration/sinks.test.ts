import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  MemoryLogger,
  formatTime,
  isSinkError,
  utf8ByteLength,
} from '@event-recorder/core';
import type { Event, EventsV1Event, SinkError } from '@event-recorder/core';
import {
  createNamespace,
  describeKube,
  kubeConfigFor,
  kubeRequest,
  listEvents,
} from '@event-recorder/test-utils';
import { beforeAll, expect, it } from 'vitest';
import { CoreV1EventSink, EventsV1EventSink } from '../src/index.js';

const run = promisify(execFile);

async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  try {
    await promise;
  } catch (error) {
    if (isSinkError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function coreEvent(
  namespace: string,
  name: string,
  overrides: Partial<Event> = {},
): Event {
  const at = new Date('2026-07-24T10:00:00.123Z');
  return {
    metadata: { name, namespace },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-0',
      namespace,
      uid: 'uid-1',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: 'Warning',
    ...overrides,
  };
}

function newEvent(
  namespace: string,
  name: string,
  overrides: Partial<EventsV1Event> = {},
): EventsV1Event {
  return {
    metadata: { name, namespace },
    eventTime: new Date('2026-07-24T10:00:00.123Z'),
    reportingController: 'example.com/controller',
    reportingInstance: 'controller-host-1',
    action: 'Reconcile',
    reason: 'Synced',
    regarding: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', namespace },
    note: 'synced web-0',
    type: 'Normal',
    ...overrides,
  };
}

describeKube('the Kubernetes sinks against a real kube-apiserver', (env) => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace(env, 'sinks');
  });

  it('runs the servers in a network namespace with no route off the machine', async () => {
    const { stdout } = await run('nsenter', [
      `--net=/proc/${env.holderPid}/ns/net`,
      'ip',
      '-o',
      'route',
      'show',
      'table',
      'main',
    ]);
    expect(stdout.trim()).toBe('');
    const addrs = await run('nsenter', [
      `--net=/proc/${env.holderPid}/ns/net`,
      'ip',
      '-o',
      '-4',
      'addr',
    ]);
    expect(addrs.stdout).toContain('127.0.0.1/8');
    expect(addrs.stdout).toContain('203.0.113.10/32');
  });

  it('creates a core/v1 event and patches count, lastTimestamp and message', async () => {
    const sink = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const created = await sink.create(coreEvent(ns, 'web-0.create-patch'));
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.count).toBe(1);
    expect(created.firstTimestamp?.toISOString()).toBe(
      '2026-07-24T10:00:00.000Z',
    );

    const later = new Date('2026-07-24T10:00:07Z');
    const patched = await sink.patch(
      created,
      JSON.stringify({
        count: 2,
        lastTimestamp: formatTime(later),
        message: 'second',
      }),
    );
    expect(patched.count).toBe(2);
    expect(patched.message).toBe('second');

    const [stored] = (await listEvents(env, ns)).filter(
      (e) => e.metadata.name === 'web-0.create-patch',
    );
    expect(stored?.count).toBe(2);
    expect(stored?.lastTimestamp).toBe('2026-07-24T10:00:07Z');
    expect(stored?.firstTimestamp).toBe('2026-07-24T10:00:00Z');
    expect(stored?.message).toBe('second');
    expect(stored?.reason).toBe('BackOff');
  });

  it('maps a patch of a missing event to NotFound and a duplicate create to AlreadyExists', async () => {
    const sink = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const missing = await rejection(
      sink.patch(coreEvent(ns, 'web-0.missing'), '{"count":2}'),
    );
    expect(missing.code).toBe('NotFound');
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('not found');

    await sink.create(coreEvent(ns, 'web-0.dup'));
    const dup = await rejection(sink.create(coreEvent(ns, 'web-0.dup')));
    expect(dup.code).toBe('AlreadyExists');
    expect(dup.retryable).toBe(false);
    expect(dup.message).toContain('already exists');
  });

  it('maps a create into a namespace that does not exist to NotFound', async () => {
    const sink = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const event = coreEvent('no-such-namespace-xyz', 'web-0.nons');
    const error = await rejection(sink.create(event));
    expect(error.code).toBe('NotFound');
  });

  it('sends eventTime with six fractional digits and the server keeps the microseconds', async () => {
    const sink = new EventsV1EventSink({ kubeConfig: kubeConfigFor(env) });
    await sink.create(newEvent(ns, 'web-0.micro'));
    const res = await kubeRequest(
      env,
      'GET',
      `/apis/events.k8s.io/v1/namespaces/${ns}/events/web-0.micro`,
    );
    expect(res.status).toBe(200);
    expect((res.body as { eventTime: string }).eventTime).toBe(
      '2026-07-24T10:00:00.123000Z',
    );
  });

  it('patches an events.k8s.io/v1 series with a strategic-merge patch', async () => {
    const sink = new EventsV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const first = await sink.create(newEvent(ns, 'web-0.series'));
    const patched = await sink.patch(
      first,
      JSON.stringify({
        series: { count: 2, lastObservedTime: '2026-07-24T10:00:05.5Z' },
      }),
    );
    expect(patched.series?.count).toBe(2);
    const res = await kubeRequest(
      env,
      'GET',
      `/apis/events.k8s.io/v1/namespaces/${ns}/events/web-0.series`,
    );
    const body = res.body as {
      series: { count: number; lastObservedTime: string };
      note: string;
    };
    expect(body.series).toEqual({
      count: 2,
      lastObservedTime: '2026-07-24T10:00:05.500000Z',
    });
    expect(body.note).toBe('synced web-0');
  });

  it('truncates an oversized note UTF-8 safely, counts it, and the server accepts it', async () => {
    const logger = new MemoryLogger();
    const sink = new EventsV1EventSink({
      kubeConfig: kubeConfigFor(env),
      logger,
    });
    const note = 'é'.repeat(700); // 1400 bytes
    const stored = await sink.create(newEvent(ns, 'web-0.long', { note }));
    expect(utf8ByteLength(stored.note ?? '')).toBeLessThanOrEqual(1024);
    expect(stored.note?.startsWith('éé')).toBe(true);
    expect(stored.note).not.toContain('\uFFFD');
    expect(sink.stats().truncatedFields).toBe(1);
    expect(logger.find({ level: 'warn', text: 'truncated' })).toHaveLength(1);

    const core = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const viaCore = await core.create(
      coreEvent(ns, 'web-0.long-core', {
        eventTime: new Date('2026-07-24T10:00:00Z'),
        reportingComponent: 'example.com/controller',
        reportingInstance: 'controller-host-1',
        action: 'Reconcile',
        message: 'x'.repeat(5000),
        firstTimestamp: undefined,
        lastTimestamp: undefined,
        count: undefined,
      }),
    );
    expect(utf8ByteLength(viaCore.message ?? '')).toBe(1024);
    expect(core.stats().truncatedFields).toBe(1);
  });

  it('refuses locally, as Invalid, what the server would reject and cannot be fixed', async () => {
    const logger = new MemoryLogger();
    const sink = new EventsV1EventSink({
      kubeConfig: kubeConfigFor(env),
      logger,
    });
    const error = await rejection(
      sink.create(
        newEvent(ns, 'web-0.bad', {
          reportingController: 'not a qualified name',
        }),
      ),
    );
    expect(error.code).toBe('Invalid');
    expect(error.message).toContain('reportingController');
    expect(sink.stats().rejectedLocally).toBe(1);
    expect(logger.find({ level: 'error', text: 'would reject' })).toHaveLength(
      1,
    );
    // Nothing reached the server.
    const res = await kubeRequest(
      env,
      'GET',
      `/apis/events.k8s.io/v1/namespaces/${ns}/events/web-0.bad`,
    );
    expect(res.status).toBe(404);

    // And a namespace mismatch on a core/v1 event.
    const core = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const mismatch = await rejection(
      core.create(
        coreEvent(ns, 'web-0.mismatch', {
          metadata: { name: 'web-0.mismatch', namespace: 'default' },
        }),
      ),
    );
    expect(mismatch.code).toBe('Invalid');
    expect(mismatch.message).toContain('does not match event.namespace');
  });

  it('maps what the server rejects to Invalid and keeps its message', async () => {
    // Not caught locally: the server's own rule that events.k8s.io/v1 cannot
    // change the note of a stored event.
    const sink = new EventsV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const first = await sink.create(newEvent(ns, 'web-0.immutable'));
    const error = await rejection(
      sink.patch(first, JSON.stringify({ note: 'changed' })),
    );
    expect(error.code).toBe('Invalid');
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/field is immutable/);
  });

  it('puts events about cluster-scoped objects in the configured namespace', async () => {
    const node = {
      kind: 'Node',
      apiVersion: 'v1',
      name: 'node-1',
      uid: 'node-uid',
    };
    const core = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const stored = await core.create({
      ...coreEvent('', 'node-1.core'),
      metadata: { name: `node-1.${ns}` },
      involvedObject: node,
    });
    expect(stored.metadata.namespace).toBe('default');

    const v1 = new EventsV1EventSink({
      kubeConfig: kubeConfigFor(env),
      clusterScopedNamespace: 'kube-system',
    });
    const stored2 = await v1.create({
      ...newEvent('', `node-1.${ns}-v1`),
      metadata: { name: `node-1.${ns}-v1`, namespace: 'default' },
      regarding: node,
    });
    expect(stored2.metadata.namespace).toBe('kube-system');
    const res = await kubeRequest(
      env,
      'GET',
      `/apis/events.k8s.io/v1/namespaces/kube-system/events/node-1.${ns}-v1`,
    );
    expect(res.status).toBe(200);
    // Its patch goes to the same namespace.
    const patched = await v1.patch(
      { ...stored2, metadata: { ...stored2.metadata, namespace: 'default' } },
      JSON.stringify({
        series: { count: 2, lastObservedTime: '2026-07-24T10:01:00.000000Z' },
      }),
    );
    expect(patched.series?.count).toBe(2);
  });

  it('names the missing permission once on Forbidden and keeps the server message', async () => {
    const logger = new MemoryLogger();
    const sink = new EventsV1EventSink({
      kubeConfig: kubeConfigFor(env, env.restrictedToken),
      logger,
    });
    const first = await rejection(sink.create(newEvent(ns, 'web-0.forbidden')));
    const second = await rejection(
      sink.patch(
        newEvent(ns, 'web-0.forbidden'),
        '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:01.000000Z"}}',
      ),
    );
    const third = await rejection(
      sink.create(newEvent(ns, 'web-0.forbidden2')),
    );
    expect(first.code).toBe('Forbidden');
    expect(first.status).toBe(403);
    expect(first.retryable).toBe(false);
    expect(first.message).toContain(
      `this identity may not \`create\` \`events\` in group \`events.k8s.io\` in namespace "${ns}"`,
    );
    expect(first.message).toContain(
      `User "${env.restrictedUser}" cannot create resource "events"`,
    );
    expect(second.message).toContain('may not `patch` `events`');
    expect(third.code).toBe('Forbidden');
    const errors = logger.find({ level: 'error', text: 'forbidden' });
    expect(errors.map((e) => e.message)).toEqual([
      `Event write forbidden: this identity may not \`create\` \`events\` in group \`events.k8s.io\` in namespace "${ns}"`,
      `Event write forbidden: this identity may not \`patch\` \`events\` in group \`events.k8s.io\` in namespace "${ns}"`,
    ]);
    expect(sink.stats().forbidden).toBe(3);
  });

  it('reports an unreachable server as a retryable Transport failure', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const kc = kubeConfigFor({
      ...env,
      url: `https://127.0.0.1:${String(port)}`,
    });
    const sink = new CoreV1EventSink({ kubeConfig: kc });
    const error = await rejection(
      sink.create(coreEvent(ns, 'web-0.transport')),
    );
    expect(error.code).toBe('Transport');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('shows the events through kubectl exactly as recorded', async (ctx) => {
    if (env.kubectl === undefined) {
      ctx.skip('kubectl was not built');
      return;
    }
    const sink = new CoreV1EventSink({ kubeConfig: kubeConfigFor(env) });
    const created = await sink.create(
      coreEvent(ns, 'web-0.kubectl', { message: 'seen by kubectl <&>' }),
    );
    await sink.patch(
      created,
      JSON.stringify({
        count: 5,
        lastTimestamp: '2026-07-24T10:05:00Z',
        message: 'fifth <&>',
      }),
    );
    const { stdout } = await run(env.kubectl, [
      '--kubeconfig',
      env.kubeconfigFile,
      'get',
      'events',
      '-n',
      ns,
      '--field-selector',
      'metadata.name=web-0.kubectl',
      '-o',
      'json',
    ]);
    const [item] = (JSON.parse(stdout) as { items: Record<string, unknown>[] })
      .items;
    expect(item).toMatchObject({
      metadata: { name: 'web-0.kubectl', namespace: ns },
      involvedObject: {
        kind: 'Pod',
        name: 'web-0',
        namespace: ns,
        uid: 'uid-1',
      },
      reason: 'BackOff',
      message: 'fifth <&>',
      count: 5,
      type: 'Warning',
      firstTimestamp: '2026-07-24T10:00:00Z',
      lastTimestamp: '2026-07-24T10:05:00Z',
      source: { component: 'kubelet', host: 'node-1' },
    });
  });
});
