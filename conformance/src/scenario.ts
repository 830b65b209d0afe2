import type { WireEvent } from './wire.js';

/** Names of the user functions both harness halves implement (see userFuncs.ts and funcs.go). */
export type KeyFuncName = 'default' | 'objectOnly';
/** @see {@link KeyFuncName} */
export type MessageFuncName = 'default' | 'bracketed';
/** @see {@link KeyFuncName} */
export type SpamKeyFuncName = 'default' | 'withReason' | 'perMessage';

/**
 * Correlator options of a scenario. An absent or zero value means the default
 * (client-go's `populateDefaults` rule); functions are referred to by name.
 */
export interface ScenarioOptions {
  lruCacheSize?: number;
  burstSize?: number;
  qps?: number;
  maxEvents?: number;
  maxIntervalInSeconds?: number;
  keyFunc?: KeyFuncName;
  messageFunc?: MessageFuncName;
  spamKeyFunc?: SpamKeyFuncName;
}

/**
 * What the "server" returns for a written event, fed to `updateState`:
 * `'echo'` (the default) returns the correlator's own output, `'none'` means
 * the write failed, `overlay` replaces some fields of the output (a server
 * copy with its resourceVersion), `event` is a whole event.
 */
export type SinkResponse =
  | 'echo'
  | 'none'
  | { overlay: Partial<WireEvent> & { metadata?: WireEvent['metadata'] } }
  | { event: WireEvent };

/**
 * Expected values of a step, checked against client-go's output (and so,
 * through agreement, against the TypeScript output): pins the spec's vectors.
 */
export interface StepExpectation {
  skip?: boolean;
  count?: number;
  message?: string;
  /** The parsed patch, or `null` for "no patch". */
  patch?: Record<string, unknown> | null;
  /** The exact patch bytes client-go puts on the wire. */
  patchText?: string;
  name?: string;
  namePrefix?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  namespace?: string;
}

/**
 * One `correlate` call. Before it the clock is set to `setTime` (if given)
 * and then advanced by `advanceMs`. With `stamp`, the harness reads the clock
 * once and uses the instant as the event's first and last timestamp, as
 * client-go's TestEventCorrelator does.
 */
export interface ScenarioStep {
  event: WireEvent;
  setTime?: string;
  advanceMs?: number;
  stamp?: boolean;
  sink?: SinkResponse;
  expect?: StepExpectation;
  /** Why the step is there (shown in diffs). */
  note?: string;
}

/**
 * A scenario: a fresh correlator with `options`, a SimpleIntervalClock
 * (every `now()` first advances by `intervalMs`, then returns) starting at
 * `clock.start`, and steps.
 */
export interface Scenario {
  name: string;
  options: ScenarioOptions;
  clock: { start: string; intervalMs?: number };
  steps: ScenarioStep[];
}

/** What one step produced, on either side. */
export interface StepResult {
  skip: boolean;
  event?: WireEvent;
  patch?: string;
  error?: string;
  clockReads: string[];
  stamped?: string;
  /** Go only: an aggregation step (PopAny ran). */
  pop?: {
    aggregateKey: string;
    set: string[];
    popped: string;
    steeredTo?: string;
  };
  /** Go only: the outcome could depend on an earlier PopAny choice. */
  popDependent?: boolean;
}

/** All steps of one scenario, or why it could not run. */
export interface ScenarioResult {
  name: string;
  steps: StepResult[];
  error?: string;
}
