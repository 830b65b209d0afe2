import { InvalidOptionError, isSinkError } from '@event-recorder/core';

/** What a {@link RetryPolicy} is told about a failed write. */
export interface RetryContext {
  /** How many attempts were made for this write so far, counting the first (1-based). */
  attempt: number;
  /**
   * Whether the write was an events.k8s.io series write (a patch of
   * `series`). client-go's `tools/events` retries `AlreadyExists` for those.
   */
  series: boolean;
}

/**
 * Decides whether and when a failed sink write is tried again. The broadcaster
 * asks it after every failure, and never makes more than `maxTriesPerEvent`
 * attempts whatever it answers.
 *
 * Use {@link createBackoffRetryPolicy} (the `'default'` policy) or
 * {@link createClientGoRetryPolicy} (the `'client-go'` policy), or write your
 * own.
 */
export interface RetryPolicy {
  /**
   * When `true`, a failing write is retried in place: the sink's later events
   * wait until it succeeds or gives up, as in client-go. When `false`, the
   * failing write is parked in the sink's bounded retry set and later events
   * keep flowing.
   */
  readonly sequential: boolean;
  /**
   * Returns how many milliseconds to wait before the next attempt, or
   * `undefined` when the error is final and the write must not be retried.
   *
   * @param error - what the sink threw; usually a `SinkError` from
   *   `@event-recorder/core`, classified by its `code`.
   * @param context - the attempt number and the kind of write.
   */
  retryDelayMs(error: unknown, context: RetryContext): number | undefined;
}

/** Options for {@link createBackoffRetryPolicy}. */
export interface BackoffRetryPolicyOptions {
  /**
   * The delay before the first retry, before jitter.
   * @defaultValue `1000`
   */
  initialDelayMs?: number;
  /**
   * The longest delay between two attempts, before jitter.
   * @defaultValue `30000`
   */
  maxDelayMs?: number;
  /**
   * The factor applied to the delay after each retry.
   * @defaultValue `2`
   */
  multiplier?: number;
  /**
   * The share of each delay that is random: a delay `d` becomes
   * `d × (1 − jitter × U[0,1))`, which spreads out clients that failed together.
   * @defaultValue `0.5`
   */
  jitter?: number;
  /**
   * The longest server-requested `retryAfterMs` that is honoured; a longer one
   * is cut to this.
   * @defaultValue `300000` (5 minutes)
   */
  maxRetryAfterMs?: number;
  /**
   * The random source, for tests.
   * @defaultValue `Math.random`
   */
  random?: () => number;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a finite, non-negative number, got ${value}`,
    );
  }
  return value;
}

/**
 * The `'default'` retry policy: it goes beyond client-go.
 *
 * - `Transport`, `ServerError` and `TooManyRequests` failures (any `SinkError`
 *   whose `retryable` is true), and errors that are not `SinkError`s at all,
 *   are retried with jittered exponential backoff. A server's `retryAfterMs`
 *   is honoured: the delay is never shorter than it.
 * - `Invalid`, `Forbidden`, `AlreadyExists`, `NotFound` (on create) and
 *   `RequestConstruction` are final.
 * - It is not sequential: a failing write waits in the sink's retry set while
 *   the sink's other events keep flowing.
 *
 * @example
 * ```ts
 * const retryPolicy = createBackoffRetryPolicy({ initialDelayMs: 200, maxDelayMs: 5000 });
 * const broadcaster = new EventBroadcaster({ retryPolicy });
 * ```
 */
export function createBackoffRetryPolicy(
  options: BackoffRetryPolicyOptions = {},
): RetryPolicy {
  const initial = nonNegative('initialDelayMs', options.initialDelayMs ?? 1000);
  const max = nonNegative('maxDelayMs', options.maxDelayMs ?? 30_000);
  const multiplier = nonNegative('multiplier', options.multiplier ?? 2);
  const jitter = nonNegative('jitter', options.jitter ?? 0.5);
  if (jitter > 1) {
    throw new InvalidOptionError(`jitter must be at most 1, got ${jitter}`);
  }
  const maxRetryAfter = nonNegative(
    'maxRetryAfterMs',
    options.maxRetryAfterMs ?? 300_000,
  );
  const random = options.random ?? Math.random;
  return {
    sequential: false,
    retryDelayMs(error, { attempt }) {
      if (isSinkError(error) && !error.retryable) return undefined;
      const base = Math.min(max, initial * multiplier ** (attempt - 1));
      const delay = base * (1 - jitter * random());
      const retryAfter = isSinkError(error) ? error.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > delay) {
        return Math.min(retryAfter, maxRetryAfter);
      }
      return delay;
    },
  };
}

/** Options for {@link createClientGoRetryPolicy}. */
export interface ClientGoRetryPolicyOptions {
  /**
   * client-go's `sleepDuration`.
   * @defaultValue `10000`
   */
  sleepDurationMs?: number;
  /**
   * Which client-go package to reproduce: `'record'` (core/v1: the first
   * retry waits `U[0,1) × sleepDuration`, later ones exactly `sleepDuration`)
   * or `'events'` (events.k8s.io: every retry waits
   * `sleepDuration × (1 + 0.25 × U[0,1))`, and `AlreadyExists` on a series
   * write is retried).
   * @defaultValue `'record'`
   */
  flavour?: 'record' | 'events';
  /**
   * The random source, for tests.
   * @defaultValue `Math.random`
   */
  random?: () => number;
}

/**
 * The `'client-go'` retry policy, which reproduces client-go's write loop
 * (spec §2.5, §2.6 and §2.12) exactly:
 *
 * - only failures that got no HTTP answer (`Transport`, and errors that are
 *   not `SinkError`s) are retried; every HTTP status, 429 and 5xx included, is
 *   final, and so is `RequestConstruction`;
 * - the delays are client-go's (see {@link ClientGoRetryPolicyOptions.flavour});
 * - it is sequential: while an event is retried, the sink's later events wait.
 */
export function createClientGoRetryPolicy(
  options: ClientGoRetryPolicyOptions = {},
): RetryPolicy {
  const sleep = nonNegative(
    'sleepDurationMs',
    options.sleepDurationMs ?? 10_000,
  );
  const random = options.random ?? Math.random;
  const flavour = options.flavour ?? 'record';
  return {
    sequential: true,
    retryDelayMs(error, { attempt, series }) {
      if (isSinkError(error)) {
        const retried =
          error.code === 'Transport' ||
          (flavour === 'events' && series && error.code === 'AlreadyExists');
        if (!retried) return undefined;
      }
      if (flavour === 'events') return sleep * (1 + 0.25 * random());
      return attempt === 1 ? sleep * random() : sleep;
    },
  };
}

/**
 * Which retry policy a broadcaster uses: `'default'`
 * ({@link createBackoffRetryPolicy} with delays derived from
 * `sleepDurationMs`), `'client-go'` ({@link createClientGoRetryPolicy}), or
 * your own {@link RetryPolicy}.
 */
export type RetryPolicyOption = 'default' | 'client-go' | RetryPolicy;

/** Resolves a {@link RetryPolicyOption} against a broadcaster's sleep duration. */
export function resolveRetryPolicy(
  option: RetryPolicyOption | undefined,
  sleepDurationMs: number,
  flavour: 'record' | 'events',
  random?: () => number,
): RetryPolicy {
  if (option === undefined || option === 'default') {
    return createBackoffRetryPolicy({
      initialDelayMs: sleepDurationMs / 10,
      maxDelayMs: sleepDurationMs * 3,
      ...(random === undefined ? {} : { random }),
    });
  }
  if (option === 'client-go') {
    return createClientGoRetryPolicy({
      sleepDurationMs,
      flavour,
      ...(random === undefined ? {} : { random }),
    });
  }
  if (typeof option.retryDelayMs !== 'function') {
    throw new InvalidOptionError(
      "retryPolicy must be 'default', 'client-go' or an object with retryDelayMs()",
    );
  }
  return option;
}
