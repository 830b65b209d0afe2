import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { ProvidedKubeTestEnv } from './globalSetup.js';
import { kubeTestEnvMissing, startKubeTestEnv } from './kubeTestEnv.js';
import type { KubeTestEnv, KubeTestEnvInfo } from './kubeTestEnv.js';

/** The running environment's details, as a test file sees them. */
export type KubeTestEnvHandle = KubeTestEnvInfo & { controlUrl: string };

function provided(): ProvidedKubeTestEnv {
  try {
    return inject('kubeTestEnv');
  } catch {
    return {
      available: false,
      reason: 'the kube test environment global setup did not run',
    };
  }
}

/**
 * The test environment, or `undefined` when it could not start on this
 * machine (the global setup then printed why).
 */
export function kubeTestEnv(): KubeTestEnvHandle | undefined {
  const env = provided() as ProvidedKubeTestEnv | undefined;
  if (env === undefined || !env.available) return undefined;
  return env;
}

/** Why the environment is unavailable, or `undefined` when it runs. */
export function kubeTestEnvUnavailableReason(): string | undefined {
  const env = provided() as ProvidedKubeTestEnv | undefined;
  if (env === undefined)
    return 'the kube test environment global setup did not run';
  return env.available ? undefined : env.reason;
}

/**
 * `describe` for suites that need the real apiserver. Without it the suite is
 * skipped, and its name says loudly that it did NOT run and why.
 */
export function describeKube(
  name: string,
  body: (env: KubeTestEnvHandle) => void,
): void {
  const env = kubeTestEnv();
  if (env === undefined) {
    describe.skip(`${name} [NOT RUN: ${kubeTestEnvUnavailableReason() ?? 'unknown'}]`, () => {
      // A skipped test, so the skip shows up in the counts.
      it.skip('NOT RUN: needs a kube-apiserver', () => undefined);
    });
    return;
  }
  describe(name, () => body(env));
}

/**
 * A `KubeConfig` for the test server: with a bearer token (the admin's by
 * default), or anonymous with `{ anonymous: true }`.
 */
export function kubeConfigFor(
  env: KubeTestEnvInfo,
  identity: string | { anonymous: true } = env.adminToken,
): KubeConfig {
  const kc = new KubeConfig();
  const user =
    typeof identity === 'string'
      ? { name: 'user', token: identity }
      : { name: 'user' };
  kc.loadFromOptions({
    clusters: [
      {
        name: 'testenv',
        server: env.url,
        caData: Buffer.from(env.caData).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [user],
    contexts: [{ name: 'testenv', cluster: 'testenv', user: 'user' }],
    currentContext: 'testenv',
  });
  return kc;
}

/** A unique, valid namespace name with the given prefix. */
export function uniqueNamespaceName(prefix: string): string {
  const suffix = randomBytes(4).toString('hex');
  return `${prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)}-${suffix}`;
}

/**
 * Sends a raw request to the test server as the admin (or with `token`), and
 * returns the status and parsed JSON body. For setup and assertions, so they
 * do not depend on the client library under test.
 */
export async function kubeRequest(
  env: KubeTestEnvInfo,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string; contentType?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${env.url}${path}`,
      {
        method,
        ca: env.caData,
        timeout: 30_000,
        headers: {
          Authorization: `Bearer ${options.token ?? env.adminToken}`,
          Accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'Content-Type': options.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Creates a fresh namespace and returns its name. */
export async function createNamespace(
  env: KubeTestEnvInfo,
  prefix: string,
): Promise<string> {
  const name = uniqueNamespaceName(prefix);
  const res = await kubeRequest(env, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (res.status !== 201) {
    throw new Error(
      `creating namespace ${name} failed: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return name;
}

/** A core/v1 event as the server stores it (the fields tests look at). */
export interface ServerEvent {
  metadata: { name: string; namespace: string; resourceVersion: string };
  involvedObject: {
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
  };
  reason?: string;
  message?: string;
  count?: number;
  type?: string;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count: number; lastObservedTime: string };
  action?: string;
  related?: { kind?: string; name?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  source?: { component?: string; host?: string };
}

/** Lists the core/v1 events of a namespace, straight from the server. */
export async function listEvents(
  env: KubeTestEnvInfo,
  namespace: string,
): Promise<ServerEvent[]> {
  const res = await kubeRequest(
    env,
    'GET',
    `/api/v1/namespaces/${namespace}/events`,
  );
  if (res.status !== 200)
    throw new Error(`listing events failed: ${res.status}`);
  return (res.body as { items: ServerEvent[] }).items;
}

/**
 * Grants `subject` (a user or group) the given verbs on events in one
 * namespace and API group, through a Role and RoleBinding.
 */
export async function grantEvents(
  env: KubeTestEnvInfo,
  namespace: string,
  subject: { kind: 'User' | 'Group'; name: string },
  apiGroups: string[],
  verbs: string[],
): Promise<void> {
  const name = `events-${randomBytes(3).toString('hex')}`;
  const role = await kubeRequest(
    env,
    'POST',
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name },
      rules: [{ apiGroups, resources: ['events'], verbs }],
    },
  );
  if (role.status !== 201)
    throw new Error(`creating role failed: ${JSON.stringify(role.body)}`);
  const binding = await kubeRequest(
    env,
    'POST',
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
    },
  );
  if (binding.status !== 201)
    throw new Error(`creating binding failed: ${JSON.stringify(binding.body)}`);
}

async function control(
  env: KubeTestEnvHandle,
  action: 'stop' | 'start',
): Promise<void> {
  const url = new URL(env.controlUrl);
  const secret = url.searchParams.get('secret') ?? '';
  const res = await fetch(`${url.origin}/apiserver/${action}`, {
    method: 'POST',
    headers: { 'x-control-secret': secret },
  });
  if (res.status !== 200)
    throw new Error(`apiserver ${action} failed: ${await res.text()}`);
}

/** Stops the test apiserver (etcd keeps the data). */
export function stopApiserver(env: KubeTestEnvHandle): Promise<void> {
  return control(env, 'stop');
}

/** Starts the test apiserver again and resolves once it is ready. */
export function startApiserver(env: KubeTestEnvHandle): Promise<void> {
  return control(env, 'start');
}

/**
 * `describe` for suites in projects without the global setup: starts an
 * environment of its own before the suite and stops it after. Without the
 * binaries the suite is skipped, and its name says loudly that it did NOT run.
 */
export function describeWithOwnKubeEnv(
  name: string,
  body: (env: () => KubeTestEnv) => void,
): void {
  const missing = kubeTestEnvMissing();
  if (missing !== undefined) {
    process.stderr.write(
      `KUBERNETES INTEGRATION TESTS NOT RUN (${name}): ${missing}\n`,
    );
    describe.skip(`${name} [NOT RUN: ${missing}]`, () => {
      // A skipped test, so the skip shows up in the counts.
      it.skip('NOT RUN: needs a kube-apiserver', () => undefined);
    });
    return;
  }
  describe(name, () => {
    let env: KubeTestEnv | undefined;
    beforeAll(async () => {
      env = await startKubeTestEnv({ build: false });
    }, 180_000);
    afterAll(async () => {
      await env?.stop();
    }, 60_000);
    body(() => {
      if (env === undefined)
        throw new Error('the kube test environment did not start');
      return env;
    });
  });
}
