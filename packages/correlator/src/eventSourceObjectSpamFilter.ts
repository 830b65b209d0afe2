import { InvalidOptionError, realClock } from '@event-recorder/core';
import type { Event, PassiveClock } from '@event-recorder/core';
import { clockOption, fnOption, intOption } from './internal.js';
import { getSpamKey, spamKeyLevel } from './keys.js';
import type { EventSpamKeyFunc } from './keys.js';
import { LruCache } from './lruCache.js';
import type { CacheKey } from './lruCache.js';
import { refillTokenBucket, TokenBucket, tryAcceptAt } from './tokenBucket.js';
import type { TokenBucketOptions } from './tokenBucket.js';

/** client-go's `maxLruCacheEntries`: the default size of each LRU cache. */
export const defaultLruCacheSize = 4096;
/** client-go's `defaultSpamBurst`. */
export const defaultSpamBurst = 25;
/** client-go's `defaultSpamQPS`: one token every 300 seconds. */
export const defaultSpamQps = 1 / 300;

/** Options of an {@link EventSourceObjectSpamFilter}. */
export interface EventSourceObjectSpamFilterOptions {
  /**
   * How many spam keys keep a token bucket. The least recently used key is
   * forgotten first; when it comes back it gets a fresh, full bucket.
   * 0 means the default.
   *
   * @defaultValue 4096
   */
  lruCacheSize?: number;
  /**
   * Token bucket capacity per spam key: how many events pass in a burst.
   * 0 means the default.
   *
   * @defaultValue 25
   */
  burst?: number;
  /**
   * Refill rate per spam key, in events per second, rounded to a 32-bit float
   * as client-go's `float32`. 0 means the default.
   *
   * @defaultValue 1/300
   */
  qps?: number;
  /**
   * The clock the buckets read, once per {@link EventSourceObjectSpamFilter.filter}.
   *
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
  /**
   * Which events share a bucket.
   *
   * @defaultValue {@link getSpamKey}
   */
  spamKeyFunc?: EventSpamKeyFunc;
}

/**
 * Internal: {@link EventSourceObjectSpamFilter.filter} with the spam key
 * already computed (by the default spam key function), and the time when the
 * caller read the clock already (else the bucket reads it).
 */
export let filterSpamKey: (
  filter: EventSourceObjectSpamFilter,
  key: CacheKey,
  hash: number,
  atMs?: number,
) => boolean;

/**
 * Rate-limits events per source and object (per spam key), as client-go's
 * `EventSourceObjectSpamFilter`: each key has a {@link TokenBucket} (burst 25,
 * one token per 300 s by default) held in an LRU cache.
 */
export class EventSourceObjectSpamFilter {
  readonly #cache: LruCache<CacheKey, TokenBucket>;
  readonly #bucketOptions: TokenBucketOptions;
  readonly #spamKeyFunc: EventSpamKeyFunc;

  static {
    filterSpamKey = (filter, key, hash, atMs) =>
      filter.#filterKey(key, hash, atMs);
  }

  /** Creates a spam filter. Throws `InvalidOptionError` for bad options. */
  constructor(options: EventSourceObjectSpamFilterOptions = {}) {
    const max = intOption(
      'lruCacheSize',
      options.lruCacheSize,
      defaultLruCacheSize,
    );
    this.#bucketOptions = {
      burst: intOption('burst', options.burst, defaultSpamBurst),
      qps: qpsOption(options.qps),
      clock: clockOption(options.clock) ?? realClock,
    };
    this.#spamKeyFunc =
      fnOption('spamKeyFunc', options.spamKeyFunc) ?? getSpamKey;
    // The correlator's default keys are parts, read at the spam level.
    this.#cache = new LruCache(max, spamKeyLevel);
  }

  /**
   * Decides whether an event is spam: takes a token from its key's bucket
   * (creating a full bucket for a new key) and returns `true` when none was
   * available. Reads the clock exactly once and marks the key as recently used.
   */
  filter(event: Event): boolean {
    return this.#filterKey(this.#spamKeyFunc(event));
  }

  /** `atMs`, when given, was read from the buckets' clock by the caller. */
  #filterKey(key: CacheKey, hash?: number, atMs?: number): boolean {
    // Getting the bucket marks it recently used, as Go's Add of it does.
    let bucket = this.#cache.get(key, hash);
    if (bucket === undefined) {
      // A new key gets a full bucket: the evicted one, refilled, if any.
      bucket = this.#cache.takeOldestIfFull();
      if (bucket === undefined) bucket = new TokenBucket(this.#bucketOptions);
      else refillTokenBucket(bucket);
      this.#cache.add(key, bucket);
    }
    return atMs === undefined
      ? !bucket.tryAccept()
      : !tryAcceptAt(bucket, atMs);
  }
}

/**
 * Reads a QPS option where `undefined` or 0 (also after rounding to a 32-bit
 * float, as Go's `float32`) means the default.
 */
export function qpsOption(value: number | undefined): number {
  if (value === undefined || Math.fround(value) === 0) return defaultSpamQps;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(
      `qps must be a positive finite number (0 or undefined for the default), got ${String(value)}`,
    );
  }
  return value;
}
