import { isDeepStrictEqual } from 'node:util';
import type {
  Scenario,
  ScenarioResult,
  StepExpectation,
  StepResult,
} from './scenario.js';

/** One field on which the two implementations (or Go and the spec) differ. */
export interface Difference {
  step: number;
  field: string;
  go: unknown;
  ts: unknown;
}

/** The verdict on one scenario. */
export interface ScenarioVerdict {
  name: string;
  agree: boolean;
  /** Steps compared field by field. */
  compared: number;
  /** Steps whose outcome depends on which key Go's PopAny removed (random mode: not compared). */
  undetermined: number;
  /** Aggregation steps (PopAny ran) and how many of those Go was steered on. */
  pops: number;
  steered: number;
  differences: Difference[];
  /** Spec expectations that client-go itself did not meet. */
  specFailures: Difference[];
  harnessError?: string;
}

function flatten(
  value: unknown,
  prefix: string,
  out: Map<string, unknown>,
): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(prefix, {});
    for (const [k, v] of entries)
      flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.set(prefix, value);
  }
}

function diffObjects(
  step: number,
  base: string,
  go: unknown,
  ts: unknown,
): Difference[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(go, base, a);
  flatten(ts, base, b);
  const out: Difference[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (!isDeepStrictEqual(a.get(key), b.get(key)))
      out.push({ step, field: key, go: a.get(key), ts: b.get(key) });
  }
  return out;
}

function parsePatch(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return `unparseable: ${text}`;
  }
}

function compareStep(i: number, go: StepResult, ts: StepResult): Difference[] {
  const out: Difference[] = [];
  if (go.skip !== ts.skip) {
    // The event and patch of a skipped step are absent: one line says it all.
    out.push({ step: i, field: 'skip', go: go.skip, ts: ts.skip });
    return out;
  }
  if (!isDeepStrictEqual(go.clockReads, ts.clockReads))
    out.push({
      step: i,
      field: 'clockReads',
      go: go.clockReads,
      ts: ts.clockReads,
    });
  out.push(...diffObjects(i, 'event', go.event, ts.event));
  const gp = parsePatch(go.patch);
  const tp = parsePatch(ts.patch);
  if (!isDeepStrictEqual(gp, tp))
    out.push({ step: i, field: 'patch', go: go.patch, ts: ts.patch });
  return out;
}

function checkExpectation(
  i: number,
  expect: StepExpectation,
  go: StepResult,
): Difference[] {
  const out: Difference[] = [];
  const check = (field: string, want: unknown, got: unknown) => {
    if (!isDeepStrictEqual(want, got))
      out.push({ step: i, field: `expect.${field}`, go: got, ts: want });
  };
  if (expect.skip !== undefined) check('skip', expect.skip, go.skip);
  const e = go.event;
  if (expect.count !== undefined) check('count', expect.count, e?.count);
  if (expect.message !== undefined)
    check('message', expect.message, e?.message);
  if (expect.name !== undefined) check('name', expect.name, e?.metadata.name);
  if (expect.namePrefix !== undefined)
    check(
      'namePrefix',
      true,
      e?.metadata.name?.startsWith(expect.namePrefix) ?? false,
    );
  if (expect.namespace !== undefined)
    check('namespace', expect.namespace, e?.metadata.namespace);
  if (expect.firstTimestamp !== undefined)
    check('firstTimestamp', expect.firstTimestamp, e?.firstTimestamp);
  if (expect.lastTimestamp !== undefined)
    check('lastTimestamp', expect.lastTimestamp, e?.lastTimestamp);
  if (expect.patch !== undefined)
    check('patch', expect.patch ?? undefined, parsePatch(go.patch));
  if (expect.patchText !== undefined)
    check('patchText', expect.patchText, go.patch);
  return out;
}

/**
 * Compares client-go's and the TypeScript correlator's results for one
 * scenario. With `onlyDetermined`, comparison stops at the first step whose
 * outcome depends on an earlier PopAny choice (the rest of the scenario may
 * legitimately differ); otherwise Go was steered to the TypeScript choice and
 * every step is compared.
 */
export function compareScenario(
  scenario: Scenario,
  go: ScenarioResult,
  ts: ScenarioResult,
  onlyDetermined: boolean,
): ScenarioVerdict {
  const v: ScenarioVerdict = {
    name: scenario.name,
    agree: true,
    compared: 0,
    undetermined: 0,
    pops: 0,
    steered: 0,
    differences: [],
    specFailures: [],
  };
  if (go.error !== undefined) {
    v.harnessError = `client-go side: ${go.error}`;
    v.agree = false;
    return v;
  }
  if (ts.error !== undefined) {
    v.differences.push({
      step: ts.steps.length,
      field: 'error',
      go: undefined,
      ts: ts.error,
    });
  }
  const goSteps = go.steps ?? [];
  let determined = true;
  for (let i = 0; i < goSteps.length; i++) {
    const g = goSteps[i]!;
    if (g.pop !== undefined) {
      v.pops++;
      if (g.pop.steeredTo !== undefined) v.steered++;
    }
    const expect = scenario.steps[i]?.expect;
    if (expect !== undefined)
      v.specFailures.push(...checkExpectation(i, expect, g));
    if (onlyDetermined && g.popDependent === true) determined = false;
    if (!determined) {
      v.undetermined++;
      continue;
    }
    const t = ts.steps[i];
    if (t === undefined) break;
    v.compared++;
    v.differences.push(...compareStep(i, g, t));
  }
  if (ts.error === undefined && goSteps.length !== ts.steps.length)
    v.differences.push({
      step: -1,
      field: 'steps.length',
      go: goSteps.length,
      ts: ts.steps.length,
    });
  v.agree = v.differences.length === 0 && v.specFailures.length === 0;
  return v;
}
