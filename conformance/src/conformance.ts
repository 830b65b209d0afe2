import { compareScenario } from './compare.js';
import type { ScenarioVerdict } from './compare.js';
import { generateScenarios } from './generator.js';
import type { PopMode } from './goHarness.js';
import { runScenariosGo } from './goHarness.js';
import type { Scenario } from './scenario.js';
import { specScenarios } from './specScenarios.js';
import { runScenarioTs } from './tsRunner.js';

/** The spec scenarios followed by the seeded random streams. */
export function allScenarios(seed?: number, count?: number): Scenario[] {
  return [
    ...specScenarios(),
    ...generateScenarios({
      ...(seed !== undefined ? { seed } : {}),
      ...(count !== undefined ? { count } : {}),
    }),
  ];
}

/** Totals of one conformance run. */
export interface ConformanceSummary {
  pop: PopMode;
  scenarios: number;
  agree: number;
  steps: number;
  compared: number;
  undetermined: number;
  pops: number;
  steered: number;
  verdicts: ScenarioVerdict[];
}

/** Feeds the scenarios to client-go (one process) and to the TypeScript correlator, and compares. */
export function runConformance(
  bin: string,
  scenarios: Scenario[],
  pop: PopMode,
): ConformanceSummary {
  const goResults = runScenariosGo(bin, scenarios, pop);
  if (goResults.length !== scenarios.length)
    throw new Error(
      `client-go harness returned ${goResults.length} results for ${scenarios.length} scenarios`,
    );
  const verdicts = scenarios.map((s, i) =>
    compareScenario(s, goResults[i]!, runScenarioTs(s), pop === 'random'),
  );
  const sum = (f: (v: ScenarioVerdict) => number) =>
    verdicts.reduce((n, v) => n + f(v), 0);
  return {
    pop,
    scenarios: scenarios.length,
    agree: verdicts.filter((v) => v.agree).length,
    steps: scenarios.reduce((n, s) => n + s.steps.length, 0),
    compared: sum((v) => v.compared),
    undetermined: sum((v) => v.undetermined),
    pops: sum((v) => v.pops),
    steered: sum((v) => v.steered),
    verdicts,
  };
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** The one-line summary: `N scenarios, N agree`. */
export function summaryLine(s: ConformanceSummary): string {
  return `${s.scenarios} scenarios, ${s.agree} agree`;
}

/** A readable report: totals, then the first `maxShown` disagreements with their field diffs. */
export function formatReport(
  s: ConformanceSummary,
  scenarios: Scenario[],
  maxShown = 3,
): string {
  const lines = [
    `correlator conformance against client-go (PopAny: ${s.pop === 'steer' ? 'steered to the earliest-inserted key' : "Go's random choice, dependent steps not compared"})`,
    `${s.steps} steps, ${s.compared} compared, ${s.undetermined} undetermined; ${s.pops} aggregations, ${s.steered} steered`,
    summaryLine(s),
  ];
  const bad = s.verdicts.filter((v) => !v.agree);
  for (const v of bad.slice(0, maxShown)) {
    const scenario = scenarios.find((x) => x.name === v.name);
    lines.push('', `✗ ${v.name}`);
    if (scenario !== undefined)
      lines.push(
        `  options ${JSON.stringify(scenario.options)} clock ${JSON.stringify(scenario.clock)}`,
      );
    if (v.harnessError !== undefined) lines.push(`  ${v.harnessError}`);
    for (const d of v.specFailures.slice(0, 8))
      lines.push(
        `  step ${d.step}: client-go ${d.field} = ${show(d.go)}, spec says ${show(d.ts)}`,
      );
    const steps = new Set(v.differences.map((d) => d.step));
    for (const step of [...steps].slice(0, 2)) {
      const st = scenario?.steps[step];
      if (st !== undefined) {
        lines.push(
          `  step ${step}${st.note ? ` (${st.note})` : ''}: input ${JSON.stringify(st.event)}`,
        );
        lines.push(
          `    clock: ${JSON.stringify({ setTime: st.setTime, advanceMs: st.advanceMs, stamp: st.stamp, sink: st.sink })}`,
        );
      }
      for (const d of v.differences.filter((x) => x.step === step).slice(0, 10))
        lines.push(
          `    ${d.field}: client-go ${show(d.go)} | ts ${show(d.ts)}`,
        );
    }
  }
  if (bad.length > maxShown)
    lines.push('', `… and ${bad.length - maxShown} more disagreeing scenarios`);
  return lines.join('\n');
}
