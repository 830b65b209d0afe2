import { InvalidObjectError, realClock } from '@event-recorder/core';
import type { Event, PassiveClock } from '@event-recorder/core';
import { aggregateWithKeys, EventAggregator } from './eventAggregator.js';
import { EventLogger, loggerKeyMemo, observeOwned } from './eventLogger.js';
import {
  EventSourceObjectSpamFilter,
  filterSpamKey,
} from './eventSourceObjectSpamFilter.js';
import {
  clockOption,
  cloneEvent,
  isObject,
  isPlainRecord,
} from './internal.js';
import {
  aggregateKeyLevel,
  defaultKeys,
  eventAggregatorByReasonFunc,
  getSpamKey,
  newDefaultKeys,
} from './keys.js';
import type {
  DefaultKeys,
  EventAggregatorKeyFunc,
  EventAggregatorMessageFunc,
  EventSpamKeyFunc,
} from './keys.js';

/**
 * Options of an {@link EventCorrelator}, as client-go's `CorrelatorOptions`.
 * As there, an undefined or 0 value means the default, so a burst or QPS of 0
 * cannot be configured. Negative or non-integer sizes throw
 * `InvalidOptionError` (client-go accepts them and misbehaves).
 */
export interface EventCorrelatorOptions {
  /**
   * The clock, read once by the aggregator and once by the spam filter per
   * {@link EventCorrelator.correlate}.
   *
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
  /**
   * The size of each of the three LRU caches (spam buckets, aggregation
   * groups, de-duplication counts).
   *
   * @defaultValue 4096
   */
  lruCacheSize?: number;
  /**
   * Token bucket capacity per spam key: how many writes pass in a burst.
   *
   * @defaultValue 25
   */
  burstSize?: number;
  /**
   * Token refill rate per spam key, in writes per second. Rounded to a 32-bit
   * float, as client-go's `float32`.
   *
   * @defaultValue 1/300 (one every 5 minutes)
   */
  qps?: number;
  /**
   * Groups similar events for aggregation.
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
   * Which events share a spam token bucket.
   *
   * @defaultValue {@link getSpamKey}
   */
  spamKeyFunc?: EventSpamKeyFunc;
  /**
   * How many distinct messages in one group within the window make the
   * events combine.
   *
   * @defaultValue 10
   */
  maxEvents?: number;
  /**
   * The sliding aggregation window, in seconds.
   *
   * @defaultValue 600
   */
  maxIntervalInSeconds?: number;
}

/**
 * What {@link EventCorrelator.correlate} decided:
 *
 * - `{ skip: true }`: do not write (the spam filter suppressed it; the
 *   occurrence is still counted). `error` is set only when the input was not
 *   an object at all (client-go returns "event is nil" there); count it as an
 *   `invalid` drop.
 * - `{ skip: false, event }`: create `event`.
 * - `{ skip: false, event, patch }`: the event was seen before; patch the
 *   existing object `event.metadata.name` with `patch` (falling back to
 *   creating `event` if the server no longer has it).
 */
export type CorrelationResult =
  | {
      /** Do not write anything. */
      skip: true;
      /** Set when the input was not an event object. */
      error?: InvalidObjectError;
    }
  | {
      /** Write this event. */
      skip: false;
      /** The event to write: a copy, never the caller's object. */
      event: Event;
      /**
       * The strategic-merge-patch body (JSON text), present when the event
       * repeats one already written: `{"count":N,"lastTimestamp":"…","message":"…"}`.
       */
      patch?: string;
    };

/**
 * Reduces a stream of events before they are written, as client-go's
 * `EventCorrelator`. Each event goes through, in order:
 *
 * 1. the {@link EventAggregator}, which combines an event into
 *    `"(combined from similar events): …"` once 10 distinct messages for one
 *    object and reason arrive within a sliding 10 minutes;
 * 2. the {@link EventLogger}, which counts repeats of an identical event and
 *    turns them into a patch of the first one (count, lastTimestamp, message);
 * 3. the {@link EventSourceObjectSpamFilter}, which lets 25 writes per source,
 *    object and type pass in a burst, then one every 5 minutes. Suppressed
 *    occurrences are still counted, so the next write carries the total.
 *
 * It needs no Kubernetes: any stream that can be mapped to core's
 * {@link Event} shape, with custom key functions, can be de-duplicated and
 * rate-limited with it. It is synchronous and single-threaded; use one per
 * sink, as client-go does.
 *
 * Deviations from client-go: the aggregator forgets the earliest-inserted
 * message where Go forgets a random one (`PopAny`); non-object input gives
 * `{ skip: true, error }` instead of an error return; bad options throw.
 *
 * @example
 * ```ts
 * const correlator = new EventCorrelator();
 * const result = correlator.correlate(event);
 * if (!result.skip) {
 *   const written = result.patch
 *     ? await sink.patch(result.event, result.patch)
 *     : await sink.create(result.event);
 *   correlator.updateState(written);
 * }
 * ```
 */
/**
 * Whether a field that the event copy copies when it is a record (an object,
 * not an array) is either no record or a plain one: then handing it over
 * gives what the copy would.
 */
function plainIfRecord(value: unknown): boolean {
  return !isObject(value) || isPlainRecord(value);
}

export class EventCorrelator {
  readonly #aggregator: EventAggregator;
  readonly #logger: EventLogger;
  readonly #spamFilter: EventSourceObjectSpamFilter;
  /**
   * Scratch space for the keys when both key functions are the defaults,
   * which are then computed together; undefined with a custom one.
   */
  readonly #keys: DefaultKeys | undefined;
  /**
   * Whether the clock is the real one: then it is read once per event and the
   * time shared by the aggregator and the spam filter (a clock read costs
   * about as much as a cache lookup here). Another clock is read twice, as
   * client-go does, since a test clock may advance on every read.
   */
  readonly #realClock: boolean;

  /**
   * Creates a correlator with client-go's defaults for every option left out.
   * Throws `InvalidOptionError` for bad options.
   */
  constructor(options: EventCorrelatorOptions = {}) {
    const clock = clockOption(options.clock) ?? realClock;
    this.#realClock = clock === realClock;
    const lruCacheSize = options.lruCacheSize;
    this.#spamFilter = new EventSourceObjectSpamFilter({
      lruCacheSize,
      burst: options.burstSize,
      qps: options.qps,
      clock,
      spamKeyFunc: options.spamKeyFunc,
    });
    this.#aggregator = new EventAggregator({
      lruCacheSize,
      keyFunc: options.keyFunc,
      messageFunc: options.messageFunc,
      maxEvents: options.maxEvents,
      maxIntervalInSeconds: options.maxIntervalInSeconds,
      clock,
    });
    this.#logger = new EventLogger({ lruCacheSize });
    this.#keys =
      (options.keyFunc ?? eventAggregatorByReasonFunc) ===
        eventAggregatorByReasonFunc &&
      (options.spamKeyFunc ?? getSpamKey) === getSpamKey
        ? newDefaultKeys(loggerKeyMemo(this.#logger))
        : undefined;
  }

  /**
   * Decides what to write for one occurrence of an event: aggregate, then
   * count, then spam-filter (client-go's `EventCorrelate`). The caller's event
   * is never changed; the result carries a copy. Throws only if a custom key
   * or message function throws.
   */
  correlate(event: Event): CorrelationResult {
    if (!isObject(event)) {
      return {
        skip: true,
        error: new InvalidObjectError(
          `cannot correlate ${event === null ? 'null' : typeof event}: an event object is required`,
        ),
      };
    }
    return this.#correlate(cloneEvent(event));
  }

  /**
   * {@link EventCorrelator.correlate} for an event the caller hands over: it
   * holds the only reference to the event and never uses the event again (a
   * broadcaster can say so of an event its own recorder made when one sink
   * alone receives it). The correlator may then change the event and return
   * it as the result's event instead of a copy; the result is otherwise
   * exactly `correlate`'s. An event with a record that the copy would turn
   * into a plain object (a `metadata` or `involvedObject` that is not a plain
   * object; a `source`, `series`, `related`, annotations or labels that is an
   * object but not a plain one, such as a class instance with getters) is
   * copied, as `correlate` does.
   */
  correlateOwned(event: Event): CorrelationResult {
    if (
      !isPlainRecord(event) ||
      !isPlainRecord(event.metadata) ||
      !isPlainRecord(event.involvedObject) ||
      !plainIfRecord(event.source) ||
      !plainIfRecord(event.series) ||
      !plainIfRecord(event.related) ||
      !plainIfRecord(event.metadata.annotations) ||
      !plainIfRecord(event.metadata.labels)
    ) {
      return this.correlate(event);
    }
    return this.#correlate(event);
  }

  /** Correlates an event the correlator owns (a copy, or one handed over). */
  #correlate(own: Event): CorrelationResult {
    const keys = this.#keys;
    if (keys === undefined) {
      const aggregated = this.#aggregator.eventAggregate(own);
      const out = aggregated.event;
      const patch = observeOwned(this.#logger, out, aggregated.cacheKey);
      if (this.#spamFilter.filter(out)) return { skip: true };
      return patch === undefined
        ? { skip: false, event: out }
        : { skip: false, event: out, patch };
    }
    // The default key functions, computed together on the copy, as one
    // parts array that each cache reads at its level. The spam key of a
    // combined event is that of its input: it copies the source, the
    // involved object and the type.
    defaultKeys(own, keys);
    const parts = keys.parts;
    const now = this.#realClock ? Date.now() : undefined;
    const out = aggregateWithKeys(
      this.#aggregator,
      own,
      parts,
      keys.localKey,
      keys.aggregateHash,
      now,
    );
    // A combined event is counted under its aggregate key, which the
    // logger's cache (read at the event level) takes as a string.
    const patch =
      out === own
        ? observeOwned(this.#logger, out, parts, keys.eventHash)
        : observeOwned(
            this.#logger,
            out,
            aggregateKeyLevel.text(parts),
            keys.aggregateHash,
          );
    if (filterSpamKey(this.#spamFilter, parts, keys.spamHash, now)) {
      return { skip: true };
    }
    return patch === undefined
      ? { skip: false, event: out }
      : { skip: false, event: out, patch };
  }

  /**
   * Remembers the event the sink returned after a create or patch (its name,
   * resourceVersion, count and first timestamp), keyed by its own
   * {@link getEventKey}, so later repeats patch it. For a combined event this
   * is not the key `correlate` counts it under, exactly as in client-go.
   * Anything that is not an object is ignored.
   */
  updateState(event: Event): void {
    this.#logger.updateState(event);
  }
}
