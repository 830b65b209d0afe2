import { beforeAll, describe, expect, it } from 'vitest';
import {
  allScenarios,
  formatReport,
  runConformance,
  summaryLine,
} from './conformance.js';
import { compareScenario } from './compare.js';
import { buildHarness, findGo, runScenariosGo } from './goHarness.js';
import { specScenarios } from './specScenarios.js';
import { runScenarioTs } from './tsRunner.js';

const go = findGo();
if (go === undefined) {
  console.warn(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!!  NOT RUN: the client-go conformance harness needs a Go toolchain.    !!',
      '!!  No `go` was found: the differential tests are SKIPPED, not passed.  !!',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
    ].join('\n'),
  );
}

describe.skipIf(go === undefined)(
  '@event-recorder/correlator against client-go v0.37 (needs Go)',
  () => {
    let bin = '';
    const scenarios = allScenarios();

    beforeAll(() => {
      bin = buildHarness(go!);
    }, 900_000);

    it('agrees with client-go on every step of every scenario, with PopAny steered to the earliest-inserted key', () => {
      const summary = runConformance(bin, scenarios, 'steer');
      console.log(formatReport(summary, scenarios, 0));
      expect(summary.scenarios).toBeGreaterThanOrEqual(2000);
      expect(summary.pops).toBeGreaterThan(0);
      if (summary.agree !== summary.scenarios)
        throw new Error(formatReport(summary, scenarios, 3));
      expect(summaryLine(summary)).toBe(
        `${scenarios.length} scenarios, ${scenarios.length} agree`,
      );
    }, 600_000);

    it("agrees with client-go on every step that does not depend on Go's random PopAny choice", () => {
      const summary = runConformance(bin, scenarios, 'random');
      console.log(formatReport(summary, scenarios, 0));
      expect(summary.undetermined).toBeGreaterThan(0);
      if (summary.agree !== summary.scenarios)
        throw new Error(formatReport(summary, scenarios, 3));
    }, 600_000);

    it('notices a correlator that differs from client-go and says where', () => {
      // The harness must be able to fail: run the TypeScript side with a
      // window one second longer than client-go's.
      const spec = specScenarios();
      const go = runScenariosGo(bin, spec, 'steer');
      const verdicts = spec.map((s, i) =>
        compareScenario(
          s,
          go[i]!,
          runScenarioTs({
            ...s,
            options: {
              ...s.options,
              maxIntervalInSeconds: (s.options.maxIntervalInSeconds ?? 600) + 1,
            },
          }),
          false,
        ),
      );
      const bad = verdicts.filter((v) => !v.agree);
      expect(bad.map((v) => v.name)).toContain(
        'spec 4.6.5 window reset with gaps of 601 s',
      );
      const diff = bad.find((v) => v.name.includes('gaps of 601 s'))!;
      expect(diff.differences).toContainEqual({
        step: 9,
        field: 'event.message',
        go: 'm10',
        ts: '(combined from similar events): m10',
      });
    }, 600_000);
  },
);
