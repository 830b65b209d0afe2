import { realClock, unixNanos } from '@event-recorder/core';
import type { Event, PassiveClock } from '@event-recorder/core';
import { defaultLruCacheSize } from './eventSourceObjectSpamFilter.js';
import {
  clockOption,
  fnOption,
  intOption,
  isObject,
  nowMs,
  str,
} from './internal.js';
import {
  aggregateKeyLevel,
  eventAggregatorByReasonFunc,
  eventAggregatorByReasonMessageFunc,
  getEventKey,
} from './keys.js';
import type {
  EventAggregatorKeyFunc,
  EventAggregatorMessageFunc,
} from './keys.js';
import { LruCache } from './lruCache.js';
import type { CacheKey } from './lruCache.js';

/** client-go's `defaultAggregateMaxEvents`. */
export const defaultAggregateMaxEvents = 10;
/** client-go's `defaultAggregateIntervalInSeconds`. */
export const defaultAggregateIntervalInSeconds = 600;

/** Options of an {@link EventAggregator}. */
export interface EventAggregatorOptions {
  /**
   * How many aggregate keys are remembered. The least recently used is
   * forgotten first, which resets its window. 0 means the default.
   *
   * @defaultValue 4096
   */
  lruCacheSize?: number;
  /**
   * Groups similar events.
   *
   * @defaultValue {@link eventAggregatorByReasonFunc}
   */
  keyFunc?: EventAggregatorKeyFunc;
  /**
   * The message of a combined event.
   *
   * @defaultValue {@link eventAggregatorByReasonMessageFunc}
   */
  messageFunc?: EventAggregatorMessageFunc;
  /**
   * How many distinct local keys within the window make the events combine.
   * 0 means the default.
   *
   * @defaultValue 10
   */
  maxEvents?: number;
  /**
   * The sliding window, in seconds: a group whose last event is more than this
   * old starts over. 0 means the default.
   *
   * @defaultValue 600
   */
  maxIntervalInSeconds?: number;
  /**
   * The clock, read once per {@link EventAggregator.eventAggregate}.
   *
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
}

/** What {@link EventAggregator.eventAggregate} returns. */
export interface AggregateResult {
  /** The input event itself, or a new combined event. */
  event: Event;
  /**
   * The key to de-duplicate on: the {@link getEventKey} of the input, or the
   * aggregate key when the event was combined, so that every later combined
   * occurrence counts onto the same combined event.
   */
  cacheKey: string;
}

/**
 * One group's state: its distinct local keys in insertion order, and when it
 * last saw an event. Most groups only ever see one local key, so that one is
 * held in `one` and a `Set` is made only for a second distinct key.
 */
interface AggregateRecord {
  /** The only local key, while there is at most one and `many` is unset. */
  one: string | undefined;
  /** All local keys, in insertion order, once a second distinct one came. */
  many: Set<string> | undefined;
  /** When the group last saw an event, in Unix ms. */
  lastMs: number;
}

/** Adds a local key to a group (no-op if present); returns the group's key count. */
function addLocalKey(record: AggregateRecord, key: string): number {
  const many = record.many;
  if (many !== undefined) return many.add(key).size;
  const one = record.one;
  if (one === undefined || one === key) {
    record.one = key;
    return 1;
  }
  record.many = new Set([one, key]);
  record.one = undefined;
  return 2;
}

/** Forgets a group's earliest-inserted local key. */
function dropEarliestLocalKey(record: AggregateRecord): void {
  const many = record.many;
  if (many === undefined) {
    record.one = undefined;
    return;
  }
  for (const first of many) {
    many.delete(first);
    break;
  }
}

/**
 * Internal: {@link EventAggregator.eventAggregate} with the keys already
 * computed (by the default key functions, on the same event), with the
 * aggregate key's cache hash, and the time when the caller read the clock
 * already (else the aggregator reads it). Returns only the event: the input
 * itself (to count under its event key) or a new combined one (to count under
 * the aggregate key).
 */
export let aggregateWithKeys: (
  aggregator: EventAggregator,
  event: Event,
  aggregateKey: CacheKey,
  localKey: string,
  aggregateHash: number,
  atMs?: number,
) => Event;

/**
 * Combines similar events, as client-go's `EventAggregator`: when one group
 * (aggregate key) sees `maxEvents` distinct local keys (messages) with no gap
 * longer than `maxIntervalInSeconds` between consecutive events, the event is
 * replaced by a combined one.
 *
 * Deviation from client-go: when the group is full, Go drops an arbitrary
 * local key (`sets.PopAny`, random); this drops the earliest-inserted one, so
 * results are deterministic. Which message is then "remembered" only matters
 * for a later repeat of a message of that group.
 */
export class EventAggregator {
  readonly #cache: LruCache<CacheKey, AggregateRecord>;
  readonly #keyFunc: EventAggregatorKeyFunc;
  readonly #messageFunc: EventAggregatorMessageFunc;
  readonly #maxEvents: number;
  readonly #maxIntervalMs: number;
  readonly #clock: PassiveClock;

  static {
    aggregateWithKeys = (
      aggregator,
      event,
      aggregateKey,
      localKey,
      aggregateHash,
      atMs,
    ) =>
      aggregator.#aggregate(
        event,
        atMs ?? nowMs(aggregator.#clock),
        aggregateKey,
        localKey,
        aggregateHash,
      );
  }

  /** Creates an aggregator. Throws `InvalidOptionError` for bad options. */
  constructor(options: EventAggregatorOptions = {}) {
    const max = intOption(
      'lruCacheSize',
      options.lruCacheSize,
      defaultLruCacheSize,
    );
    this.#keyFunc =
      fnOption('keyFunc', options.keyFunc) ?? eventAggregatorByReasonFunc;
    this.#messageFunc =
      fnOption('messageFunc', options.messageFunc) ??
      eventAggregatorByReasonMessageFunc;
    this.#maxEvents = intOption(
      'maxEvents',
      options.maxEvents,
      defaultAggregateMaxEvents,
    );
    this.#maxIntervalMs =
      intOption(
        'maxIntervalInSeconds',
        options.maxIntervalInSeconds,
        defaultAggregateIntervalInSeconds,
      ) * 1000;
    this.#clock = clockOption(options.clock) ?? realClock;
    // The correlator's default keys are parts, read at the aggregate level.
    this.#cache = new LruCache(max, aggregateKeyLevel);
  }

  /**
   * Records the event in its group and returns either the event itself (with
   * its own {@link getEventKey}) or, once the group has reached `maxEvents`
   * distinct local keys, a new combined event keyed by the aggregate key.
   * Reads the clock exactly once. Never changes the input.
   *
   * The combined event is named `<involvedObject.name>.<hex Unix nanoseconds
   * of now>` (not DNS-sanitised, as in client-go), has count 1, first and last
   * timestamps `now`, the input's namespace, involved object, type, reason and
   * source, and the message from the message function. Annotations, action,
   * related, eventTime, series and the reporting fields are not copied.
   */
  eventAggregate(event: Event): AggregateResult {
    const now = nowMs(this.#clock);
    const eventKey = getEventKey(event);
    const { aggregateKey, localKey } = this.#keyFunc(event);
    const out = this.#aggregate(event, now, aggregateKey, localKey);
    return out === event
      ? { event, cacheKey: eventKey }
      : { event: out, cacheKey: aggregateKey };
  }

  /** The input event itself, or a new combined event. */
  #aggregate(
    event: Event,
    atMs: number,
    aggregateKey: CacheKey,
    localKey: string,
    aggregateHash?: number,
  ): Event {
    // Getting the record marks it recently used, as Go's Add of it does.
    let record = this.#cache.get(aggregateKey, aggregateHash);
    if (record === undefined) {
      // A missing record has Go's zero time, so it always starts over; it
      // reuses the evicted record, if any.
      record = this.#cache.takeOldestIfFull();
      if (record === undefined) {
        record = { one: undefined, many: undefined, lastMs: atMs };
      } else {
        record.one = undefined;
        record.many = undefined;
      }
      this.#cache.add(aggregateKey, record);
    } else if (atMs - record.lastMs > this.#maxIntervalMs) {
      record.one = undefined;
      record.many = undefined;
    }
    record.lastMs = atMs;

    if (addLocalKey(record, localKey) < this.#maxEvents) return event;

    // The group is full: keep it at maxEvents - 1 keys (Go pops a random one).
    dropEarliestLocalKey(record);

    const ref = isObject(event.involvedObject) ? event.involvedObject : {};
    const combined: Event = {
      metadata: {
        name: `${str(ref.name)}.${unixNanos(new Date(atMs)).toString(16)}`,
      },
      involvedObject: { ...ref },
      count: 1,
      firstTimestamp: new Date(atMs),
      lastTimestamp: new Date(atMs),
      message: this.#messageFunc(event),
      source: isObject(event.source) ? { ...event.source } : {},
    };
    const namespace = isObject(event.metadata)
      ? str(event.metadata.namespace)
      : '';
    if (namespace !== '') combined.metadata.namespace = namespace;
    if (event.type !== undefined) combined.type = event.type;
    if (event.reason !== undefined) combined.reason = event.reason;
    return combined;
  }
}
