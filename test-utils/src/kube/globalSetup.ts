import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { TestProject } from 'vitest/node';
import {
  KubeTestEnvUnavailableError,
  startKubeTestEnv,
} from './kubeTestEnv.js';
import type { KubeTestEnv, KubeTestEnvInfo } from './kubeTestEnv.js';

/** What the global setup hands to the test files through `inject`. */
export type ProvidedKubeTestEnv =
  | ({ available: true; controlUrl: string } & KubeTestEnvInfo)
  | { available: false; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    kubeTestEnv: ProvidedKubeTestEnv;
  }
}

function banner(reason: string): string {
  const line = '#'.repeat(78);
  return [
    line,
    '## KUBERNETES INTEGRATION TESTS NOT RUN: they were skipped, they did NOT pass.',
    `## Reason: ${reason}`,
    '## Fix: test-utils/scripts/ensure-go.sh && test-utils/kube-testbin/build.sh',
    line,
  ].join('\n');
}

/**
 * A small control endpoint on the host's loopback, so test files (which run in
 * worker processes) can stop and restart the apiserver that this process owns.
 */
function startControlServer(
  env: KubeTestEnv,
): Promise<{ url: string; close: () => Promise<void> }> {
  const secret = randomBytes(16).toString('hex');
  const server = http.createServer((req, res) => {
    const respond = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    };
    if (req.method !== 'POST' || req.headers['x-control-secret'] !== secret) {
      respond(403, 'forbidden');
      return;
    }
    const action =
      req.url === '/apiserver/stop'
        ? env.stopApiserver()
        : req.url === '/apiserver/start'
          ? env.startApiserver()
          : undefined;
    if (action === undefined) {
      respond(404, 'unknown action');
      return;
    }
    action.then(
      () => respond(200, 'ok'),
      (error: unknown) => respond(500, String(error)),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${String(port)}/?secret=${secret}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * Vitest global setup for the Kubernetes integration tests: starts etcd and
 * kube-apiserver once per run and provides their connection details as
 * `inject('kubeTestEnv')`. When this machine cannot run them (no Go, no
 * binaries, no network namespaces), it provides `available: false` and prints
 * a loud banner, so the suites skip themselves and say why.
 */
export default async function setup(
  project: TestProject,
): Promise<() => Promise<void>> {
  let env: KubeTestEnv;
  try {
    env = await startKubeTestEnv();
  } catch (error) {
    if (!(error instanceof KubeTestEnvUnavailableError)) throw error;
    const text = banner(error.message);
    process.stderr.write(`${text}\n`);
    project.provide('kubeTestEnv', { available: false, reason: error.message });
    return () => {
      process.stderr.write(`${text}\n`);
      return Promise.resolve();
    };
  }
  const control = await startControlServer(env);
  project.provide('kubeTestEnv', {
    available: true,
    controlUrl: control.url,
    holderPid: env.holderPid,
    url: env.url,
    caData: env.caData,
    caFile: env.caFile,
    adminToken: env.adminToken,
    restrictedToken: env.restrictedToken,
    restrictedUser: env.restrictedUser,
    kubeconfigFile: env.kubeconfigFile,
    kubectl: env.kubectl,
    workDir: env.workDir,
  });
  return async () => {
    await control.close();
    await env.stop();
  };
}
