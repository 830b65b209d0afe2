// The differential conformance harness: client-go's EventCorrelator (driven
// by the Go module in ../go) versus @event-recorder/correlator.

// Running the harness
export {
  allScenarios,
  runConformance,
  formatReport,
  summaryLine,
} from './conformance.js';
export type { ConformanceSummary } from './conformance.js';
export { compareScenario } from './compare.js';
export type { Difference, ScenarioVerdict } from './compare.js';

// The Go side
export {
  findGo,
  buildHarness,
  cacheDir,
  goModuleDir,
  runScenariosGo,
  runGoBench,
} from './goHarness.js';
export type { PopMode, GoBenchResult, BenchStream } from './goHarness.js';

// Scenarios
export { specScenarios, aggregateName } from './specScenarios.js';
export { generateScenarios, Random, streamKinds } from './generator.js';
export type { GeneratorOptions, StreamKind } from './generator.js';
export type {
  Scenario,
  ScenarioStep,
  ScenarioOptions,
  ScenarioResult,
  StepResult,
  StepExpectation,
  SinkResponse,
} from './scenario.js';

// The TypeScript side
export { runScenarioTs } from './tsRunner.js';
export { IntervalClock } from './intervalClock.js';
export { eventToWire, eventFromWire } from './wire.js';
export type { WireEvent, WireRef } from './wire.js';
