import {
  formatMicroTime,
  InvalidOptionError,
  realClock,
} from '@event-recorder/core';
import type {
  EventSeries,
  EventsV1Event,
  ObjectReference,
  PassiveClock,
} from '@event-recorder/core';
import {
  clockOption,
  int32,
  intOption,
  isObject,
  str,
  validTime,
} from './internal.js';
import { hashEnd, hashKey, hashMore, hashStart, LruCache } from './lruCache.js';

/** How many fields an isomorphic key has. */
const KEY_PARTS = 19;
/** The fields of the key being built (reused: keys are built one at a time). */
const keyParts: string[] = new Array<string>(KEY_PARTS).fill('');

/** client-go's `finishTime`: a series idle this long is finished (6 minutes). */
export const seriesFinishTimeMs = 6 * 60 * 1000;
/** client-go's `refreshTime`: the period of the series heartbeat (30 minutes). */
export const seriesRefreshTimeMs = 30 * 60 * 1000;
/** The default {@link EventSeriesTrackerOptions.maxEntries}. */
export const defaultSeriesMaxEntries = 4096;

/**
 * What happens to the note of an event that repeats with a different note:
 *
 * - `'first'`: client-go's behaviour. The note is not part of the isomorphic
 *   key, so the occurrence joins the series, which keeps its first note
 *   forever; later notes never reach the server.
 * - `'latest'`: the server makes `note` immutable, so the current series is
 *   finished (a final count write) and a new event carrying the new note is
 *   created, which then forms its own series.
 */
export type NotePolicy = 'first' | 'latest';

/** Options of an {@link EventSeriesTracker}. */
export interface EventSeriesTrackerOptions {
  /**
   * What to do when an isomorphic event arrives with a different note.
   *
   * @defaultValue `'first'` (client-go)
   */
  notePolicy?: NotePolicy;
  /**
   * How many isomorphic keys are tracked at once. When a new key would exceed
   * it, the least recently observed key is dropped; if it had an open series,
   * its final write is returned with that observation. client-go has no bound.
   * 0 means the default.
   *
   * @defaultValue 4096
   */
  maxEntries?: number;
  /**
   * The clock used when a method is called without `now`.
   *
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
}

/**
 * Why a {@link SeriesWrite} is due:
 *
 * - `first`: the first occurrence (a create);
 * - `series`: the second occurrence started a series (count 2);
 * - `heartbeat`: the periodic refresh of an open series;
 * - `finish`: the series has been idle for more than 6 minutes (final write);
 * - `noteChanged`: with `notePolicy: 'latest'`, the series ends because the
 *   note changed (final write);
 * - `evicted`: the series was dropped to respect `maxEntries` (final write);
 * - `shutdown`: from {@link EventSeriesTracker.openSeries}.
 */
export type SeriesWriteCause =
  | 'first'
  | 'series'
  | 'heartbeat'
  | 'finish'
  | 'noteChanged'
  | 'evicted'
  | 'shutdown';

/**
 * A write the broadcaster should make to an events.k8s.io/v1 sink, as
 * client-go's `recordEvent`: a `create` of an event without a series, or a
 * strategic-merge `patch` of an event with one (falling back to a create of
 * `event`, without its resourceVersion, when the server answers 404).
 *
 * `occurrences` counts the observed occurrences that the write is the first
 * to report: 1 for `first` and `series`; for the other causes, those counted
 * locally into the series since its last write. Once a write is returned its
 * occurrences are handed over: no later write counts them again. A
 * broadcaster counts them as delivered when the write succeeds.
 */
export type SeriesWrite =
  | {
      /** Create `event`. */
      kind: 'create';
      /** The event to create (a copy). */
      event: EventsV1Event;
      /** Why this write is due. */
      cause: SeriesWriteCause;
      /** How many observed occurrences this write reports (see {@link SeriesWrite}). */
      occurrences: number;
    }
  | {
      /** Patch `event.metadata.name` with `patch`. */
      kind: 'patch';
      /** The first event of the series, with its current `series` (a copy). */
      event: EventsV1Event;
      /**
       * The patch body, exactly as client-go sends it:
       * `{"series":{"count":N,"lastObservedTime":"<6 fractional digits>Z"}}`.
       */
      patch: string;
      /** Why this write is due. */
      cause: SeriesWriteCause;
      /** How many observed occurrences this write reports (see {@link SeriesWrite}). */
      occurrences: number;
    };

/**
 * Whether JSON.stringify would escape a character of `text`: a quote, a
 * backslash, a control character or a surrogate (a lone one is escaped; a
 * pair is not, but any surrogate sends the key to the exact path, which is
 * rare enough).
 */
function needsJsonEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff))
      return true;
  }
  return false;
}

/**
 * The isomorphic key of an events.k8s.io/v1 event, as client-go's
 * `tools/events` `getKey`: type, action, reason, reporting controller and
 * instance, and all seven fields of `regarding` and of `related` (including
 * resourceVersion and fieldPath). The note is **not** part of it. Two events
 * have the same key exactly when client-go's key structs compare equal.
 */
export function getIsomorphicKey(event: EventsV1Event): string {
  return jsonKey(readKeyParts(event));
}

/** The isomorphic key of the fields {@link readKeyParts} read. */
function jsonKey(parts: string[]): string {
  for (let i = 0; i < KEY_PARTS; i++) {
    if (needsJsonEscape(parts[i]!)) return JSON.stringify(parts);
  }
  // Nothing to escape: the JSON is the fields in quotes, joined by commas,
  // written out directly rather than by JSON.stringify of the array.
  let key = '["' + parts[0];
  for (let i = 1; i < KEY_PARTS; i++) key = key + '","' + parts[i];
  return key + '"]';
}

/** The tracker's key of an event and its cache hash (`hashKey` of the key). */
interface KeyAndHash {
  key: string;
  hash: number;
}

const scratchKey: KeyAndHash = { key: '', hash: 0 };

/**
 * The nineteen fields of the isomorphic key, as strings, into the shared
 * `keyParts` (keys are made one at a time). Each field is read once, in order.
 */
function readKeyParts(event: EventsV1Event): string[] {
  const regarding: Record<string, unknown> = isObject(event.regarding)
    ? event.regarding
    : {};
  const related: Record<string, unknown> = isObject(event.related)
    ? event.related
    : {};
  const parts = keyParts;
  parts[0] = str(event.type);
  parts[1] = str(event.action);
  parts[2] = str(event.reason);
  parts[3] = str(event.reportingController);
  parts[4] = str(event.reportingInstance);
  parts[5] = str(regarding['kind']);
  parts[6] = str(regarding['namespace']);
  parts[7] = str(regarding['name']);
  parts[8] = str(regarding['uid']);
  parts[9] = str(regarding['apiVersion']);
  parts[10] = str(regarding['resourceVersion']);
  parts[11] = str(regarding['fieldPath']);
  parts[12] = str(related['kind']);
  parts[13] = str(related['namespace']);
  parts[14] = str(related['name']);
  parts[15] = str(related['uid']);
  parts[16] = str(related['apiVersion']);
  parts[17] = str(related['resourceVersion']);
  parts[18] = str(related['fieldPath']);
  return parts;
}

/**
 * The tracker's own key for an event, with its cache hash, written into
 * `out`: equal exactly when {@link getIsomorphicKey}s are equal, but cheaper.
 * It is the nineteen fields joined by NUL characters when no field holds one
 * (a join that is then one-to-one), and the isomorphic key itself otherwise
 * (JSON, which holds no raw NUL, so the two forms never meet). The hash is
 * taken over the pieces, so the key is never read back character by
 * character.
 */
function trackerKey(event: EventsV1Event, out: KeyAndHash): void {
  const parts = readKeyParts(event);
  const first = parts[0]!;
  if (first.includes('\0')) return jsonTrackerKey(parts, out);
  let h = hashMore(hashStart(), first);
  for (let i = 1; i < KEY_PARTS; i++) {
    const part = parts[i]!;
    if (part.includes('\0')) return jsonTrackerKey(parts, out);
    h = hashMore(hashMore(h, '\0'), part);
  }
  // One flat string, which the cache keeps: a rope of the eighteen joins
  // cost about 850 bytes per event, and lived as long as its entry.
  out.key = parts.join('\0');
  out.hash = hashEnd(h);
}

/** {@link trackerKey} for an event with a NUL in a field: its isomorphic key. */
function jsonTrackerKey(parts: string[], out: KeyAndHash): void {
  const key = jsonKey(parts);
  out.key = key;
  out.hash = hashKey(key);
}

function cloneDate<T>(value: T): T {
  return (value instanceof Date ? new Date(value.getTime()) : value) as T;
}

function cloneRef(value: unknown): ObjectReference | undefined {
  return isObject(value) ? { ...value } : undefined;
}

function cloneEventsV1(event: EventsV1Event): EventsV1Event {
  const meta: unknown = event.metadata;
  const out: EventsV1Event = {
    ...event,
    metadata: isObject(meta) ? { ...meta } : {},
    eventTime: cloneDate(event.eventTime),
  };
  const { annotations, labels } = out.metadata;
  if (isObject(annotations)) out.metadata.annotations = { ...annotations };
  if (isObject(labels)) out.metadata.labels = { ...labels };
  if (out.metadata.creationTimestamp !== undefined) {
    out.metadata.creationTimestamp = cloneDate(out.metadata.creationTimestamp);
  }
  const regarding = cloneRef(event.regarding);
  if (regarding !== undefined) out.regarding = regarding;
  const related = cloneRef(event.related);
  if (related !== undefined) out.related = related;
  if (isObject(event.series)) {
    out.series = {
      ...event.series,
      lastObservedTime: cloneDate(event.series.lastObservedTime),
    };
  }
  if (isObject(event.deprecatedSource)) {
    out.deprecatedSource = { ...event.deprecatedSource };
  }
  if (out.deprecatedFirstTimestamp !== undefined) {
    out.deprecatedFirstTimestamp = cloneDate(out.deprecatedFirstTimestamp);
  }
  if (out.deprecatedLastTimestamp !== undefined) {
    out.deprecatedLastTimestamp = cloneDate(out.deprecatedLastTimestamp);
  }
  return out;
}

function seriesPatch(series: EventSeries): string {
  const last = validTime(series.lastObservedTime);
  const time = last === undefined ? 'null' : `"${formatMicroTime(last)}"`;
  return `{"series":{"count":${int32(series.count)},"lastObservedTime":${time}}}`;
}

/** A tracked key: its first event, with its series, and what no write reported yet. */
interface Entry {
  event: EventsV1Event;
  /** Occurrences counted into the series since its last write. */
  unsent: number;
}

/**
 * The write client-go's `recordEvent` makes for a cached event; it reports
 * the entry's unsent occurrences (or just the one observed, for `first` and
 * `series`).
 */
function writeFor(entry: Entry, cause: SeriesWriteCause): SeriesWrite {
  const copy = cloneEventsV1(entry.event);
  let occurrences = 1;
  if (cause !== 'first' && cause !== 'series') {
    occurrences = entry.unsent;
    entry.unsent = 0;
  }
  return copy.series !== undefined
    ? {
        kind: 'patch',
        event: copy,
        patch: seriesPatch(copy.series),
        cause,
        occurrences,
      }
    : { kind: 'create', event: copy, cause, occurrences };
}

/**
 * Tracks events.k8s.io/v1 series, as client-go's `tools/events` broadcaster
 * does with its cache, but as a pure component: it owns no timers and performs
 * no I/O. A broadcaster calls {@link EventSeriesTracker.observe} for each
 * event, {@link EventSeriesTracker.heartbeat} every 30 minutes,
 * {@link EventSeriesTracker.finish} every 6 minutes, and writes the
 * {@link SeriesWrite}s they return.
 *
 * - The first occurrence of an isomorphic key is created.
 * - The second turns the first event into a series: a patch with
 *   `{count: 2, lastObservedTime: now}`, sent with the first event's name,
 *   note and eventTime.
 * - Later occurrences only count locally (no write) until a heartbeat or the
 *   finish sends the current count.
 *
 * Deviations from client-go (all documented in the README):
 * - the number of tracked keys is bounded (`maxEntries`); an evicted open
 *   series returns its final write instead of being lost;
 * - `notePolicy: 'latest'` (optional) starts a new event when the note changes;
 * - {@link EventSeriesTracker.finish} removes a finished series when it
 *   returns its final write; retrying that write is the broadcaster's job
 *   (client-go keeps the entry until the write succeeds);
 * - the server's reply is never written back (client-go does so only after a
 *   heartbeat, with the same count it sent);
 * - passes over the entries go in least-recently-observed order, not Go's
 *   random map order.
 */
export class EventSeriesTracker {
  /**
   * The first event of each key, with its series, least recently observed
   * first: the correlator's LRU table, where a `Map` kept the order by a
   * delete and a re-insert per occurrence, and found its oldest key by walking
   * past every entry deleted since its last rehash.
   */
  readonly #entries: LruCache<string, Entry>;
  readonly #notePolicy: NotePolicy;
  readonly #clock: PassiveClock;

  /** Creates a tracker. Throws `InvalidOptionError` for bad options. */
  constructor(options: EventSeriesTrackerOptions = {}) {
    const policy = options.notePolicy ?? 'first';
    if (policy !== 'first' && policy !== 'latest') {
      throw new InvalidOptionError(
        `notePolicy must be 'first' or 'latest', got ${String(policy)}`,
      );
    }
    this.#notePolicy = policy;
    this.#entries = new LruCache(
      intOption('maxEntries', options.maxEntries, defaultSeriesMaxEntries),
    );
    this.#clock = clockOption(options.clock) ?? realClock;
  }

  /** How many isomorphic keys are tracked. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records one occurrence of an event (client-go's `recordToSink`) and
   * returns the writes it makes due, in order: possibly the final write of a
   * series evicted to make room or ended by a note change, then the create or
   * the count-2 series patch. Returns nothing for later occurrences of an open
   * series (they are counted locally), and for input that is not an object.
   * Never changes the input.
   *
   * @param now - the observation time. @defaultValue the clock's now
   */
  observe(event: EventsV1Event, now?: Date): SeriesWrite[] {
    if (!isObject(event)) return [];
    const at = now ?? this.#clock.now();
    trackerKey(event, scratchKey);
    const { key, hash } = scratchKey;
    // Getting the entry makes it the most recently observed.
    const cached = this.#entries.get(key, hash);
    const writes: SeriesWrite[] = [];

    if (cached !== undefined) {
      const first = cached.event;
      const noteChanged =
        this.#notePolicy === 'latest' && str(first.note) !== str(event.note);
      if (!noteChanged) {
        if (first.series !== undefined) {
          first.series.count = (int32(first.series.count) + 1) | 0;
          first.series.lastObservedTime = new Date(at.getTime());
          cached.unsent++;
          return writes;
        }
        first.series = { count: 2, lastObservedTime: new Date(at.getTime()) };
        writes.push(writeFor(cached, 'series'));
        return writes;
      }
      // 'latest': the note is immutable on the server, so end this event.
      this.#entries.delete(key, hash);
      if (first.series !== undefined) {
        writes.push(writeFor(cached, 'noteChanged'));
      }
    } else {
      const evicted = this.#entries.takeOldestIfFull();
      if (evicted?.event.series !== undefined) {
        writes.push(writeFor(evicted, 'evicted'));
      }
    }

    const stored: Entry = { event: cloneEventsV1(event), unsent: 0 };
    this.#entries.add(key, stored);
    writes.push(writeFor(stored, 'first'));
    return writes;
  }

  /**
   * The heartbeat (client-go's `refreshExistingEventSeries`, every 30
   * minutes): a patch with the current count and last observation time for
   * every open series, so the server's count catches up and its TTL is
   * renewed. The writes report the occurrences counted since each series'
   * last write; nothing else changes.
   *
   * @param _now - accepted for a uniform call shape; the heartbeat does not
   *   depend on the time.
   */
  heartbeat(_now?: Date): SeriesWrite[] {
    const writes: SeriesWrite[] = [];
    this.#entries.forEachOldestFirst((entry) => {
      if (entry.event.series !== undefined)
        writes.push(writeFor(entry, 'heartbeat'));
    });
    return writes;
  }

  /**
   * The finish pass (client-go's `finishSeries`, every 6 minutes): every
   * series whose last observation is more than 6 minutes before `now` gets a
   * final patch and is forgotten; every single event whose `eventTime` is
   * more than 6 minutes before `now` is forgotten silently. A later
   * occurrence of a forgotten key starts over with a new create.
   *
   * @param now - the time of the pass. @defaultValue the clock's now
   */
  finish(now?: Date): SeriesWrite[] {
    const cutoff = (now ?? this.#clock.now()).getTime() - seriesFinishTimeMs;
    const writes: SeriesWrite[] = [];
    const entries = this.#entries;
    entries.forEachOldestFirst((entry, key) => {
      const series = entry.event.series;
      const seen = validTime(
        series !== undefined ? series.lastObservedTime : entry.event.eventTime,
      );
      // Go's zero time is before any cutoff.
      if (seen !== undefined && seen.getTime() >= cutoff) return;
      entries.delete(key);
      if (series !== undefined) writes.push(writeFor(entry, 'finish'));
    });
    return writes;
  }

  /**
   * The current write of every open series, for a broadcaster that shuts
   * down or flushes and wants to send counts not yet sent (client-go loses
   * them). With `onlyUnsent`, only the series with occurrences no write has
   * reported yet. The writes report those occurrences; nothing else changes.
   */
  openSeries(options: { onlyUnsent?: boolean } = {}): SeriesWrite[] {
    const writes: SeriesWrite[] = [];
    const onlyUnsent = options.onlyUnsent === true;
    this.#entries.forEachOldestFirst((entry) => {
      if (entry.event.series === undefined) return;
      if (onlyUnsent && entry.unsent === 0) return;
      writes.push(writeFor(entry, 'shutdown'));
    });
    return writes;
  }

  /**
   * Hands over the occurrences that no write has reported yet and returns how
   * many there were, for a broadcaster that stops and counts them as
   * dropped.
   */
  takeUnsent(): number {
    let unsent = 0;
    this.#entries.forEachOldestFirst((entry) => {
      unsent += entry.unsent;
      entry.unsent = 0;
    });
    return unsent;
  }
}
