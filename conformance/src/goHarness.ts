import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario, ScenarioResult } from './scenario.js';

/** Directory of the Go module that drives client-go. */
export const goModuleDir = fileURLToPath(new URL('../go/', import.meta.url));

function goRuns(bin: string): boolean {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Finds a Go toolchain: `$EVENT_RECORDER_GO`, `$GO`, `go` on PATH, /usr/local/go/bin/go, then the
 * repository's test-utils/scripts/ensure-go.sh (which may fetch one from the
 * Go module proxy). Returns `undefined` when there is none.
 */
export function findGo(): string | undefined {
  // EVENT_RECORDER_GO=none pretends there is no Go (to see the NOT RUN path).
  if (process.env.EVENT_RECORDER_GO === 'none') return undefined;
  const candidates = [
    process.env.EVENT_RECORDER_GO,
    process.env.GO,
    'go',
    '/usr/local/go/bin/go',
  ].filter((c): c is string => c !== undefined && c !== '');
  for (const c of candidates) if (goRuns(c)) return c;
  const ensure = fileURLToPath(
    new URL('../../test-utils/scripts/ensure-go.sh', import.meta.url),
  );
  if (existsSync(ensure)) {
    const r = spawnSync('bash', [ensure], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 600_000,
    });
    const dir = r.stdout.trim();
    if (r.status === 0 && dir !== '' && goRuns(join(dir, 'go')))
      return join(dir, 'go');
  }
  return undefined;
}

function sourceHash(go: string): string {
  const hash = createHash('sha256');
  const version = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout;
  hash.update(version);
  const files = readdirSync(goModuleDir)
    .filter(
      (f) =>
        f === 'go.mod' ||
        f === 'go.sum' ||
        (f.endsWith('.go') && !f.endsWith('_test.go')),
    )
    .sort();
  for (const f of files) {
    hash.update(f);
    hash.update(readFileSync(join(goModuleDir, f)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where built harness binaries are cached (outside the repository). */
export function cacheDir(): string {
  return (
    process.env.EVENT_RECORDER_CONFORMANCE_CACHE ??
    join(homedir(), '.cache', 'event-recorder-conformance')
  );
}

/**
 * Builds the Go harness once per source version into {@link cacheDir} and
 * returns the binary's path. Rebuilds when any Go source, go.mod, go.sum or
 * the toolchain changes.
 */
export function buildHarness(go: string): string {
  const dir = join(cacheDir(), sourceHash(go));
  const bin = join(dir, 'correlator-harness');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = spawnSync(
    go,
    ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'],
    {
      cwd: goModuleDir,
      encoding: 'utf8',
      env: { ...process.env, CGO_ENABLED: '0' },
      timeout: 900_000,
    },
  );
  if (r.status !== 0) {
    throw new Error(
      `go build of the conformance harness failed (exit ${r.status}):\n${r.stderr}${r.error?.message ?? ''}`,
    );
  }
  renameSync(tmp, bin);
  return bin;
}

/** How the Go side treats `PopAny`, see the package README. */
export type PopMode = 'steer' | 'random';

/** Runs every scenario through client-go in one process. */
export function runScenariosGo(
  bin: string,
  scenarios: Scenario[],
  pop: PopMode,
): ScenarioResult[] {
  const r = spawnSync(bin, ['run', `--pop=${pop}`], {
    input: JSON.stringify({ scenarios }),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.status !== 0) {
    throw new Error(
      `correlator-harness run failed (exit ${r.status}): ${r.stderr}${r.error?.message ?? ''}`,
    );
  }
  const out = JSON.parse(r.stdout) as { results: ScenarioResult[] };
  return out.results;
}

/** One stream measured by client-go's EventCorrelator (`correlator-harness bench`). */
export interface GoBenchResult {
  stream: string;
  events: number;
  seconds: number;
  eventsPerSec: number;
  written: number;
  skipped: number;
  retainedHeapBytes: number;
}

/** The benchmark streams both halves build identically (see conformance/go/bench.go). */
export type BenchStream = 'storm' | 'tenMessages' | 'churn';

/** Runs one benchmark stream through client-go (fastest of `rounds`, after a warm-up). */
export function runGoBench(
  bin: string,
  stream: BenchStream,
  events: number,
  rounds = 3,
): GoBenchResult {
  const r = spawnSync(
    bin,
    ['bench', `--stream=${stream}`, `--n=${events}`, `--rounds=${rounds}`],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0)
    throw new Error(`correlator-harness bench failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as GoBenchResult;
}
