import type { Event } from '@event-recorder/core';
import { defaultLruCacheSize } from './eventSourceObjectSpamFilter.js';
import {
  cloneEvent,
  goJsonString,
  goTimeJson,
  int32,
  intOption,
  isObject,
  str,
  validTime,
} from './internal.js';
import { EventKeyMemo, eventKeyLevel } from './keys.js';
import { LruCache } from './lruCache.js';
import type { CacheKey } from './lruCache.js';

/** Options of an {@link EventLogger}. */
export interface EventLoggerOptions {
  /**
   * How many event keys are remembered. When a key is forgotten, its next
   * occurrence is created anew (a duplicate object with a new name).
   * 0 means the default.
   *
   * @defaultValue 4096
   */
  lruCacheSize?: number;
}

/** What {@link EventLogger.eventObserve} returns. */
export interface ObserveResult {
  /** A copy of the event, updated with the remembered name, count and first timestamp. */
  event: Event;
  /**
   * The strategic-merge-patch body when the event was seen before:
   * `{"count":N,"lastTimestamp":"<RFC 3339 seconds>","message":"…"}`, exactly
   * as client-go sends it (`message` left out when empty, `count` when 0).
   */
  patch?: string;
}

interface EventLog {
  count: number;
  /** Unix ms of the first timestamp; undefined for Go's zero time. */
  firstMs: number | undefined;
  name: string;
  resourceVersion: string;
  /** The message the last patch built for this key carried, and its JSON. */
  patchMessage: string;
  patchMessageJson: string;
}

// The "old" document of client-go's two-way merge has lastTimestamp Unix(0,0).
const EPOCH_JSON = '"1970-01-01T00:00:00Z"';

/** A new record of what the event says. */
function logOf(event: Event): EventLog {
  const log: EventLog = {
    count: 0,
    firstMs: undefined,
    name: '',
    resourceVersion: '',
    patchMessage: '',
    patchMessageJson: '""',
  };
  writeLog(log, event);
  return log;
}

/** Overwrites a record with what the event says. */
function writeLog(log: EventLog, event: Event): void {
  const meta = isObject(event.metadata) ? event.metadata : undefined;
  log.count = int32(event.count);
  log.firstMs = validTime(event.firstTimestamp)?.getTime();
  log.name = str(meta?.name);
  log.resourceVersion = str(meta?.resourceVersion);
}

/**
 * Builds the patch client-go's `CreateTwoWayMergePatch` produces between the
 * event with count 0, lastTimestamp 1970 and no message, and the event itself:
 * only those three keys can differ, and they come out sorted. The message's
 * JSON is kept on the key's record, as a key's repeats carry the same message.
 */
function buildPatch(event: Event, log: EventLog): string {
  const count = int32(event.count);
  const last = goTimeJson(validTime(event.lastTimestamp));
  const message = str(event.message);
  let messageJson = '';
  if (message !== '') {
    if (message !== log.patchMessage) {
      log.patchMessage = message;
      log.patchMessageJson = goJsonString(message);
    }
    messageJson = log.patchMessageJson;
  }
  const hasCount = count !== 0;
  const hasLast = last !== EPOCH_JSON;
  // The usual case, all three keys, as one template.
  if (hasCount && hasLast && messageJson !== '') {
    return `{"count":${count},"lastTimestamp":${last},"message":${messageJson}}`;
  }
  const parts: string[] = [];
  if (hasCount) parts.push(`"count":${count}`);
  if (hasLast) parts.push(`"lastTimestamp":${last}`);
  if (messageJson !== '') parts.push(`"message":${messageJson}`);
  return `{${parts.join(',')}}`;
}

/**
 * Internal: observes an event the caller owns, changing it in place; returns
 * the patch, if any.
 */
export let observeOwned: (
  logger: EventLogger,
  event: Event,
  key: CacheKey,
  hash?: number,
) => string | undefined;

/** Internal: the memo a logger keys updateState's events with. */
export let loggerKeyMemo: (logger: EventLogger) => EventKeyMemo;

/**
 * De-duplicates events by counting them, as client-go's unexported
 * `eventLogger`: it remembers, per key, the count, first timestamp, name and
 * resourceVersion of the last occurrence, in an LRU cache.
 */
export class EventLogger {
  readonly #cache: LruCache<CacheKey, EventLog>;
  /** Keys updateState's events, reusing the last key when the parts repeat. */
  readonly #keys = new EventKeyMemo();

  static {
    observeOwned = (logger, event, key, hash) =>
      logger.#observe(event, key, hash);
    loggerKeyMemo = (logger) => logger.#keys;
  }

  /** Creates an event logger. Throws `InvalidOptionError` for bad options. */
  constructor(options: EventLoggerOptions = {}) {
    const max = intOption(
      'lruCacheSize',
      options.lruCacheSize,
      defaultLruCacheSize,
    );
    // The correlator's default keys are parts, read at the event level.
    this.#cache = new LruCache(max, eventKeyLevel);
  }

  /**
   * Records an occurrence of the event under `key` (client-go's
   * `eventObserve`). When the key was seen with a non-zero count, the returned
   * copy takes the remembered name, resourceVersion and first timestamp, its
   * count becomes the remembered count plus one, and a patch is returned.
   * Either way the occurrence is remembered, so that counts include events a
   * spam filter later suppresses. Never changes the input.
   */
  eventObserve(event: Event, key: string): ObserveResult {
    const own = cloneEvent(event);
    const patch = this.#observe(own, key);
    return patch === undefined ? { event: own } : { event: own, patch };
  }

  /**
   * Remembers what the server returned for an event (client-go's
   * `updateState`), keyed by the event's own {@link getEventKey}. Anything that
   * is not an object is ignored.
   */
  updateState(event: Event): void {
    if (!isObject(event)) return;
    const keys = this.#keys;
    const key = keys.keyOf(event);
    const hash = keys.hash;
    // Getting the record marks it recently used, as Go's Add of it does.
    const log = this.#cache.get(key, hash);
    if (log === undefined) this.#add(key, event);
    else writeLog(log, event);
  }

  /** Remembers an event under a key a get just missed, reusing an evicted record. */
  #add(key: CacheKey, event: Event): void {
    const log = this.#cache.takeOldestIfFull();
    if (log === undefined) {
      this.#cache.add(key, logOf(event));
    } else {
      writeLog(log, event);
      this.#cache.add(key, log);
    }
  }

  /** Counts the event in place; returns the patch when it was seen before. */
  #observe(event: Event, key: CacheKey, hash?: number): string | undefined {
    const last = this.#cache.get(key, hash);
    let patch: string | undefined;
    if (last !== undefined && last.count !== 0) {
      if (last.name === '') delete event.metadata.name;
      else event.metadata.name = last.name;
      if (last.resourceVersion === '') delete event.metadata.resourceVersion;
      else event.metadata.resourceVersion = last.resourceVersion;
      if (last.firstMs === undefined) delete event.firstTimestamp;
      else event.firstTimestamp = new Date(last.firstMs);
      // Go: int32(uint(count)) + 1, wrapping as an int32.
      event.count = (last.count + 1) | 0;
      patch = buildPatch(event, last);
    }
    // A record got above is already the most recently used.
    if (last === undefined) this.#add(key, event);
    else writeLog(last, event);
    return patch;
  }
}
