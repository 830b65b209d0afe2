// Runs the differential conformance harness from the command line:
//   node --import tsx src/cli.ts [--pop=steer|random] [--seed=N] [--count=N] [--show=N]
// Exit codes: 0 all agree, 1 disagreement, 2 Go is not available.
import { allScenarios, formatReport, runConformance } from './conformance.js';
import type { PopMode } from './goHarness.js';
import { buildHarness, findGo } from './goHarness.js';

function flag(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

const go = findGo();
if (go === undefined) {
  console.error(
    'NOT RUN: no Go toolchain found; the client-go conformance harness needs Go (see test-utils/scripts/ensure-go.sh).',
  );
  process.exit(2);
}
const pop = (flag('pop') ?? 'steer') as PopMode;
const seed = flag('seed');
const count = flag('count');
const scenarios = allScenarios(
  seed === undefined ? undefined : Number(seed),
  count === undefined ? undefined : Number(count),
);
const summary = runConformance(buildHarness(go), scenarios, pop);
console.log(formatReport(summary, scenarios, Number(flag('show') ?? 3)));
process.exit(summary.agree === summary.scenarios ? 0 : 1);
