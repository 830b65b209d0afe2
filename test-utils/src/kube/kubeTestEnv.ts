import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes version the test binaries are built at. */
export const KUBE_TESTBIN_VERSION = 'v1.37.2';

/**
 * The advertise address the apiserver gets. It lives on a device inside the
 * network namespace the environment creates, so even a dial to it stays there.
 * TEST-NET-3 (RFC 5737), chosen so it is nobody's address on the host.
 */
export const KUBE_ADVERTISE_ADDRESS = '203.0.113.10';

const API_PORT = 6443;
const ETCD_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** Connection details of a running test environment, serialisable. */
export interface KubeTestEnvInfo {
  /** The apiserver URL on the host's loopback, e.g. `https://127.0.0.1:41234`. */
  readonly url: string;
  /** PEM of the CA that signed the serving certificate. */
  readonly caData: string;
  /** Path of that CA's PEM file. */
  readonly caFile: string;
  /** A bearer token in `system:masters`. */
  readonly adminToken: string;
  /** A bearer token whose user has no RBAC grants at all. */
  readonly restrictedToken: string;
  /** The user name behind {@link KubeTestEnvInfo.restrictedToken}. */
  readonly restrictedUser: string;
  /** A kubeconfig file for the admin, for `kubectl --kubeconfig`. */
  readonly kubeconfigFile: string;
  /** The kubectl binary built beside the apiserver, when there is one. */
  readonly kubectl: string | undefined;
  /** The run's working directory (certificates, logs, PID files). */
  readonly workDir: string;
  /** PID of the process holding the servers' network namespace. */
  readonly holderPid: number;
}

/** A running etcd + kube-apiserver pair inside its own network namespace. */
export interface KubeTestEnv extends KubeTestEnvInfo {
  /** Stops the apiserver (SIGTERM, then SIGKILL), leaving etcd running. */
  stopApiserver(): Promise<void>;
  /** Starts the apiserver again and waits until it is ready. */
  startApiserver(): Promise<void>;
  /** Stops everything by recorded PID and removes the working directory. */
  stop(): Promise<void>;
}

/** Why the environment cannot run on this machine (no Go, no binaries, …). */
export class KubeTestEnvUnavailableError extends Error {
  override readonly name = 'KubeTestEnvUnavailableError';
}

/** Options of {@link startKubeTestEnv}. */
export interface StartKubeTestEnvOptions {
  /**
   * Where the binaries are.
   * @default `$KUBE_TESTBIN_DIR`, else `~/.cache/kube-testbin/v1.37.2`
   */
  readonly binDir?: string;
  /**
   * Run `kube-testbin/build.sh` when the binaries are missing and Go is there.
   * @default true, unless `KUBE_TESTENV_BUILD=0`
   */
  readonly build?: boolean;
  /** Where progress lines go. @default `process.stderr` */
  readonly log?: (line: string) => void;
}

const here = dirname(fileURLToPath(import.meta.url));
const testUtilsRoot = join(here, '..', '..');

function defaultBinDir(): string {
  return (
    process.env['KUBE_TESTBIN_DIR'] ??
    join(homedir(), '.cache', 'kube-testbin', KUBE_TESTBIN_VERSION)
  );
}

function which(command: string): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter);
  for (const dir of [...dirs, '/usr/local/go/bin', '/usr/sbin', '/sbin']) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function run(command: string, args: readonly string[], cwd?: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed: ${result.stderr || String(result.error)}`,
    );
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Why {@link startKubeTestEnv} cannot run here without building anything
 * (binaries or tools missing), or `undefined` when it can. Synchronous, for
 * deciding at collection time whether a suite runs.
 */
export function kubeTestEnvMissing(
  binDir: string = defaultBinDir(),
): string | undefined {
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'ip', 'openssl']) {
    if (which(tool) === undefined) return `\`${tool}\` is not installed`;
  }
  for (const bin of ['kube-apiserver', 'etcd']) {
    if (!existsSync(join(binDir, bin))) {
      return `no ${bin} in ${binDir} (run test-utils/scripts/ensure-go.sh, then test-utils/kube-testbin/build.sh)`;
    }
  }
  return undefined;
}

/** Makes sure the binaries exist, building them when Go is there. */
function ensureBinaries(
  binDir: string,
  build: boolean,
  log: (line: string) => void,
): void {
  const have = (): boolean =>
    existsSync(join(binDir, 'kube-apiserver')) &&
    existsSync(join(binDir, 'etcd'));
  if (have()) return;
  const go = which('go');
  if (go === undefined) {
    throw new KubeTestEnvUnavailableError(
      `Go is not installed and ${binDir} has no kube-apiserver/etcd ` +
        '(run test-utils/scripts/ensure-go.sh, then test-utils/kube-testbin/build.sh)',
    );
  }
  if (!build) {
    throw new KubeTestEnvUnavailableError(
      `no kube-apiserver/etcd in ${binDir}`,
    );
  }
  log(`kube-testenv: building the test binaries into ${binDir} (slow once)`);
  const result = spawnSync(
    'bash',
    [join(testUtilsRoot, 'kube-testbin', 'build.sh')],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        KUBE_TESTBIN_DIR: binDir,
        PATH: `${dirname(go)}${delimiter}${process.env['PATH'] ?? ''}`,
      },
    },
  );
  if (result.status !== 0 || !have()) {
    throw new KubeTestEnvUnavailableError(
      `building the test binaries failed (exit ${String(result.status)})`,
    );
  }
}

function generateCredentials(workDir: string): {
  adminToken: string;
  restrictedToken: string;
  restrictedUser: string;
} {
  const f = (name: string): string => join(workDir, name);
  // EC keys: as good as RSA here and much faster to generate.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=kube-testenv-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  ]);
  run('openssl', [
    'req',
    ...ec,
    '-nodes',
    '-subj',
    '/CN=kube-apiserver',
    '-keyout',
    f('apiserver.key'),
    '-out',
    f('apiserver.csr'),
  ]);
  writeFileSync(
    f('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  run('openssl', [
    'x509',
    '-req',
    '-in',
    f('apiserver.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('apiserver.crt'),
  ]);
  // SEC1 ("EC PRIVATE KEY") for signing, and its public half for verifying.
  run('openssl', [
    'ecparam',
    '-name',
    'prime256v1',
    '-genkey',
    '-noout',
    '-out',
    f('sa.key'),
  ]);
  run('openssl', ['ec', '-in', f('sa.key'), '-pubout', '-out', f('sa.pub')]);
  const adminToken = randomBytes(24).toString('hex');
  const restrictedToken = randomBytes(24).toString('hex');
  const restrictedUser = 'restricted-user';
  writeFileSync(
    f('tokens.csv'),
    `${adminToken},testenv-admin,testenv-admin-uid,"system:masters"\n` +
      `${restrictedToken},${restrictedUser},${restrictedUser}-uid\n`,
    { mode: 0o600 },
  );
  return { adminToken, restrictedToken, restrictedUser };
}

function httpsGet(
  url: string,
  ca: string,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function unixGet(socketPath: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    let data = '';
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`),
    );
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('end', () => resolve(Number(data.split(' ')[1] ?? 0)));
    socket.on('error', reject);
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopProcess(
  child: ChildProcess | undefined,
  graceMs = 10_000,
): Promise<void> {
  if (child === undefined || exited(child)) return;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  child.kill('SIGTERM');
  const killed = await Promise.race([
    done.then(() => true),
    sleep(graceMs).then(() => false),
  ]);
  if (!killed) {
    child.kill('SIGKILL');
    await Promise.race([done, sleep(5000)]);
  }
}

/**
 * Starts etcd and kube-apiserver in a fresh network namespace, with
 * certificates and tokens generated for this run, and waits until `/readyz`
 * answers and the `default` namespace exists.
 *
 * The servers listen on the namespace's loopback only; the host reaches the
 * apiserver through a forwarder on `127.0.0.1:<random port>`. Every process is
 * started with a parent-death signal, so none outlives the caller.
 *
 * @throws {@link KubeTestEnvUnavailableError} when this machine cannot run it.
 */
export async function startKubeTestEnv(
  options: StartKubeTestEnvOptions = {},
): Promise<KubeTestEnv> {
  const log =
    options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binDir = options.binDir ?? defaultBinDir();
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'ip', 'openssl']) {
    if (which(tool) === undefined) {
      throw new KubeTestEnvUnavailableError(`\`${tool}\` is not installed`);
    }
  }
  ensureBinaries(
    binDir,
    options.build ?? process.env['KUBE_TESTENV_BUILD'] !== '0',
    log,
  );
  const kubectlPath = join(binDir, 'kubectl');

  const workDir = mkdtempSync(join(tmpdir(), 'kube-testenv-'));
  const file = (name: string): string => join(workDir, name);
  const children: {
    holder?: ChildProcess;
    etcd?: ChildProcess;
    api?: ChildProcess;
  } = {};
  let hostServer: net.Server | undefined;
  const connections = new Set<net.Socket>();

  const stopAll = async (): Promise<void> => {
    // The data is thrown away: a short grace is enough at the end.
    await stopProcess(children.api, 2000);
    await stopProcess(children.etcd, 2000);
    children.holder?.stdin?.end();
    await stopProcess(children.holder);
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => {
      if (hostServer === undefined) resolve();
      else hostServer.close(() => resolve());
    });
  };
  // Last resort if the caller never gets to stop(): kill by PID on exit.
  const onExit = (): void => {
    for (const child of [children.api, children.etcd, children.holder]) {
      if (child?.pid !== undefined && !exited(child)) child.kill('SIGKILL');
    }
  };
  process.once('exit', onExit);

  try {
    const { adminToken, restrictedToken, restrictedUser } =
      generateCredentials(workDir);
    const caData = readFileSync(file('ca.crt'), 'utf8');

    // 1. The namespace and its holder.
    const holder = spawn(
      'unshare',
      [
        '--net',
        '--',
        'setpriv',
        '--pdeathsig',
        'KILL',
        '--',
        process.execPath,
        join(testUtilsRoot, 'bin', 'netns-holder.mjs'),
        KUBE_ADVERTISE_ADDRESS,
        `${file('api.sock')}=${API_PORT}`,
        `${file('etcd.sock')}=${ETCD_PORT}`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.holder = holder;
    let holderErr = '';
    holder.stderr.on('data', (c: Buffer) => (holderErr += c.toString('utf8')));
    const device = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () =>
          reject(new Error('network namespace holder did not start in 15 s')),
        15_000,
      );
      holder.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const line = out.split('\n')[0];
        if (out.includes('\n') && line !== undefined) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { device: string }).device);
        }
      });
      holder.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new KubeTestEnvUnavailableError(
            `could not create a network namespace (exit ${String(code)}): ${holderErr}`,
          ),
        );
      });
    });
    writeFileSync(file('holder.pid'), String(holder.pid));
    const netns = `--net=/proc/${String(holder.pid)}/ns/net`;
    log(
      `kube-testenv: network namespace ready (advertise address on ${device})`,
    );

    const spawnInNetns = (
      name: string,
      bin: string,
      args: string[],
    ): ChildProcess => {
      const out = openSync(file(`${name}.log`), 'a');
      const child = spawn(
        'nsenter',
        [netns, '--', 'setpriv', '--pdeathsig', 'KILL', '--', bin, ...args],
        { stdio: ['ignore', out, out] },
      );
      closeSync(out);
      writeFileSync(file(`${name}.pid`), String(child.pid));
      return child;
    };

    // 2. etcd.
    const etcdUrl = `http://127.0.0.1:${String(ETCD_PORT)}`;
    const peerUrl = `http://127.0.0.1:${String(ETCD_PEER_PORT)}`;
    children.etcd = spawnInNetns('etcd', join(binDir, 'etcd'), [
      '--name=testenv',
      `--data-dir=${file('etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=testenv=${peerUrl}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const etcdReady = await poll(60, 500, async () => {
      if (children.etcd !== undefined && exited(children.etcd)) {
        throw new Error(`etcd exited:\n${tail(file('etcd.log'))}`);
      }
      return (
        (await unixGet(file('etcd.sock'), '/health').catch(() => 0)) === 200
      );
    });
    if (!etcdReady)
      throw new Error(`etcd not healthy in 30 s:\n${tail(file('etcd.log'))}`);

    // 3. The host side of the forwarder.
    hostServer = net.createServer((client) => {
      const upstream = net.connect(file('api.sock'));
      connections.add(client);
      // Tear both sides down together, so a stopped apiserver shows up as a
      // closed connection on the client, as it would without the forwarder.
      client.on('close', () => {
        connections.delete(client);
        upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    const server = hostServer;
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const port = (server.address() as net.AddressInfo).port;
    const url = `https://127.0.0.1:${String(port)}`;

    // 4. kube-apiserver.
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${String(API_PORT)}`,
      `--advertise-address=${KUBE_ADVERTISE_ADDRESS}`,
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${file('apiserver.crt')}`,
      `--tls-private-key-file=${file('apiserver.key')}`,
      `--cert-dir=${file('certs')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${file('sa.pub')}`,
      `--service-account-signing-key-file=${file('sa.key')}`,
      `--token-auth-file=${file('tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--anonymous-auth=true',
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ];
    const startApiserver = async (): Promise<void> => {
      const started = Date.now();
      children.api = spawnInNetns(
        'apiserver',
        join(binDir, 'kube-apiserver'),
        apiArgs,
      );
      const ready = await poll(240, 500, async () => {
        if (children.api !== undefined && exited(children.api)) {
          throw new Error(
            `kube-apiserver exited:\n${tail(file('apiserver.log'))}`,
          );
        }
        const res = await httpsGet(`${url}/readyz`, caData, adminToken).catch(
          () => undefined,
        );
        return res?.status === 200;
      });
      if (!ready) {
        throw new Error(
          `kube-apiserver not ready in 120 s:\n${tail(file('apiserver.log'))}`,
        );
      }
      const ns = await poll(120, 500, async () => {
        const res = await httpsGet(
          `${url}/api/v1/namespaces/default`,
          caData,
          adminToken,
        ).catch(() => undefined);
        return res?.status === 200;
      });
      if (!ns) throw new Error('the default namespace did not appear in 60 s');
      log(
        `kube-testenv: kube-apiserver ready at ${url} after ${String(Date.now() - started)} ms`,
      );
    };
    await startApiserver();

    const kubeconfigFile = file('kubeconfig');
    writeFileSync(
      kubeconfigFile,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: testenv',
        'clusters:',
        '- name: testenv',
        '  cluster:',
        `    server: ${url}`,
        `    certificate-authority: ${file('ca.crt')}`,
        'users:',
        '- name: admin',
        '  user:',
        `    token: ${adminToken}`,
        'contexts:',
        '- name: testenv',
        '  context:',
        '    cluster: testenv',
        '    user: admin',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    return {
      url,
      caData,
      caFile: file('ca.crt'),
      adminToken,
      restrictedToken,
      restrictedUser,
      kubeconfigFile,
      workDir,
      holderPid: holder.pid ?? 0,
      kubectl: existsSync(kubectlPath) ? kubectlPath : undefined,
      stopApiserver: () => stopProcess(children.api),
      startApiserver,
      stop: async () => {
        await stopAll();
        process.removeListener('exit', onExit);
        if (process.env['KUBE_TESTENV_KEEP'] === undefined) {
          rmSync(workDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await stopAll();
    process.removeListener('exit', onExit);
    throw error;
  }
}

/** Polls `check` up to `tries` times, `intervalMs` apart; true once it holds. */
async function poll(
  tries: number,
  intervalMs: number,
  check: () => Promise<boolean>,
): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}
