import { InvalidOptionError, realClock } from '@event-recorder/core';
import type { PassiveClock } from '@event-recorder/core';
import { clockOption, GO_ZERO_TIME_MS, nowMs } from './internal.js';

/** Options of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /**
   * Refill rate in tokens per second. Rounded to a 32-bit float
   * (`Math.fround`), because client-go's `QPS` is a Go `float32`: the default
   * spam rate 1/300 becomes 0.0033333334140479565. A rate of 0 or less never
   * refills. Must be a finite number.
   */
  qps: number;
  /**
   * Capacity of the bucket, which starts full. A burst of 0 or less rejects
   * everything. Must be an integer.
   */
  burst: number;
  /**
   * The clock read once per {@link TokenBucket.tryAccept}.
   *
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
}

// Go's time.Duration is int64 nanoseconds; differences beyond it saturate.
const MAX_DURATION_MS = 9_223_372_036_854;
const MAX_DURATION_SECONDS = 9_223_372_036 + 854_775_807 / 1e9;

/**
 * `time.Duration(ms * 1e6).Seconds()` as Go computes it: whole seconds plus
 * the nanosecond remainder divided by 1e9, so the floating-point result is
 * bit-for-bit Go's.
 */
function durationSeconds(ms: number): number {
  if (ms > MAX_DURATION_MS) return MAX_DURATION_SECONDS;
  return Math.trunc(ms / 1000) + ((ms % 1000) * 1e6) / 1e9;
}

/** Internal: makes a bucket full and new again, as if just created. */
export let refillTokenBucket: (bucket: TokenBucket) => void;

/**
 * Internal: {@link TokenBucket.tryAccept} at `atMs`, a time the caller read
 * from the bucket's clock, instead of reading it.
 */
export let tryAcceptAt: (bucket: TokenBucket, atMs: number) => boolean;

/**
 * A token bucket that never blocks, as client-go's
 * `NewTokenBucketPassiveRateLimiterWithClock` over `golang.org/x/time/rate`
 * (`AllowN(now, 1)`), reproduced step for step:
 *
 * - it starts full, with `burst` tokens;
 * - each {@link TokenBucket.tryAccept} reads the clock once and refills
 *   continuously for the time since the last acceptance (none if the clock went
 *   back), capped at `burst`;
 * - it accepts when a whole token is there, and also when the deficit would be
 *   refilled in under a nanosecond (Go truncates the wait to whole
 *   nanoseconds);
 * - a rejection changes no state.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ qps: 1 / 300, burst: 25 });
 * if (bucket.tryAccept()) send();
 * ```
 */
export class TokenBucket {
  readonly #limit: number;
  readonly #burst: number;
  readonly #clock: PassiveClock;
  #tokens: number;
  #lastMs = GO_ZERO_TIME_MS;

  static {
    refillTokenBucket = (bucket) => {
      bucket.#tokens = bucket.#burst;
      bucket.#lastMs = GO_ZERO_TIME_MS;
    };
    tryAcceptAt = (bucket, atMs) => bucket.#tryAcceptAt(atMs);
  }

  /** Creates a full bucket. Throws {@link InvalidOptionError} for bad options. */
  constructor(options: TokenBucketOptions) {
    if (typeof options.qps !== 'number' || !Number.isFinite(options.qps)) {
      throw new InvalidOptionError(
        `qps must be a finite number, got ${String(options.qps)}`,
      );
    }
    if (!Number.isSafeInteger(options.burst)) {
      throw new InvalidOptionError(
        `burst must be an integer, got ${String(options.burst)}`,
      );
    }
    this.#limit = Math.fround(options.qps);
    this.#burst = options.burst;
    this.#tokens = options.burst;
    this.#clock = clockOption(options.clock) ?? realClock;
  }

  /** The refill rate actually used: the `qps` option as a 32-bit float. */
  get qps(): number {
    return this.#limit;
  }

  /** The capacity of the bucket. */
  get burst(): number {
    return this.#burst;
  }

  /**
   * Takes one token if one is available now; returns whether it did. Reads the
   * clock exactly once.
   */
  tryAccept(): boolean {
    return this.#tryAcceptAt(nowMs(this.#clock));
  }

  #tryAcceptAt(t: number): boolean {
    if (this.#burst < 1) return false;
    const last = t < this.#lastMs ? t : this.#lastMs;
    let tokens =
      this.#tokens +
      (this.#limit <= 0 ? 0 : durationSeconds(t - last) * this.#limit);
    if (tokens > this.#burst) tokens = this.#burst;
    tokens -= 1;
    if (tokens < 0) {
      if (this.#limit <= 0) return false;
      // Go waits time.Duration(deficit/limit*1e9), truncated toward zero (and
      // capped, which is also a wait): under 1 ns is no wait, so it accepts.
      if ((-tokens / this.#limit) * 1e9 >= 1) return false;
    }
    this.#lastMs = t;
    this.#tokens = tokens;
    return true;
  }
}
