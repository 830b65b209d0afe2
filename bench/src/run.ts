/**
 * Runs every `src/*.bench.ts` (or the ones named on the command line) against
 * the built packages. Each benchmark file exports a default async function that
 * prints its own figures, as ratios against a baseline measured in the same run.
 *
 * Usage: `npm run bench` (all), `npm run bench -- correlator pipeline`.
 *
 * Each benchmark file runs in a child process of its own, so that what one
 * leaves behind (a large heap, code optimised for other shapes, servers
 * still shutting down) does not slow the next: run in one process, the
 * figures of a benchmark moved by up to 2× depending on which ran before it.
 * The baseline of each file is measured in the same child as its figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

type Bench = () => Promise<void>;

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);

if (args[0] === '--child') {
  // One benchmark file, in this (child) process.
  const mod = (await import(pathToFileURL(join(dir, args[1]!)).href)) as {
    default: Bench;
  };
  await mod.default();
  process.exit(0);
}

const wanted = args;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter(
    (f) => wanted.length === 0 || wanted.some((w) => f.startsWith(`${w}.`)),
  )
  .sort();

if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}

process.stdout.write(
  `node ${process.version} on ${process.platform}/${process.arch}, ${new Date().toISOString()}\n`,
);
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n## ${file.replace(/\.bench\.ts$/, '')}\n\n`);
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', file],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) {
    failed++;
    process.stderr.write(
      `benchmark ${file} failed: exit ${String(child.status ?? child.signal)}\n`,
    );
  }
}
process.exit(failed === 0 ? 0 : 1);
