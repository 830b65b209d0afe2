/**
 * Runs every `src/*.bench.ts` (or the ones named on the command line) against
 * the built packages. Each benchmark file exports a default async function that
 * prints its own figures, as ratios against a baseline measured in the same run.
 *
 * Usage: `npm run bench` (all), `npm run bench -- correlator pipeline`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

type Bench = () => Promise<void>;

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
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
  try {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as {
      default: Bench;
    };
    await mod.default();
  } catch (err) {
    failed++;
    process.stderr.write(`benchmark ${file} failed: ${String(err)}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
