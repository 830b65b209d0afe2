import { parseTime } from '@event-recorder/core';
import type { Event, ValidationIssue } from '@event-recorder/core';

/** Keys whose values are timestamps in both event shapes. */
const dateKeys: ReadonlySet<string> = new Set([
  'firstTimestamp',
  'lastTimestamp',
  'eventTime',
  'lastObservedTime',
  'creationTimestamp',
  'deletionTimestamp',
  'deprecatedFirstTimestamp',
  'deprecatedLastTimestamp',
]);

type JsonObject = Record<string, unknown>;

/** Whether `value` is an object that is not an array or a `Date`. */
export function isPlainObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date)
  );
}

function copyDate(value: unknown): unknown {
  return value instanceof Date ? new Date(value.getTime()) : value;
}

/** Copies a string map (annotations, labels); anything else is kept as is. */
export function copyStrings(value: unknown): unknown {
  return isPlainObject(value) ? { ...value } : value;
}

// The copies below use one statement per field, not loops over key lists:
// the sink copies every event on the way in and out, and V8 keeps these
// shapes monomorphic, which makes them several times faster.

type Loose = Record<string, unknown>;

// Each field is read once, so that what is copied is what is checked (a
// getter may answer differently each time). A `null` nested record
// (`source`, `related`, `series`, labels, annotations) is left out: the
// server decodes JSON `null` as the zero value, which is absent.

/** Copies an object reference's known fields (anything else is kept as is). */
export function cloneRef(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const v = value;
  const out: Loose = {};
  const kind = v.kind;
  const apiVersion = v.apiVersion;
  const name = v.name;
  const namespace = v.namespace;
  const uid = v.uid;
  const resourceVersion = v.resourceVersion;
  const fieldPath = v.fieldPath;
  if (kind !== undefined) out.kind = kind;
  if (apiVersion !== undefined) out.apiVersion = apiVersion;
  if (name !== undefined) out.name = name;
  if (namespace !== undefined) out.namespace = namespace;
  if (uid !== undefined) out.uid = uid;
  if (resourceVersion !== undefined) out.resourceVersion = resourceVersion;
  if (fieldPath !== undefined) out.fieldPath = fieldPath;
  return out;
}

function cloneMetadata(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const m = value;
  const out: Loose = {};
  const name = m.name;
  const namespace = m.namespace;
  const annotations = m.annotations;
  const labels = m.labels;
  const resourceVersion = m.resourceVersion;
  const uid = m.uid;
  const creationTimestamp = m.creationTimestamp;
  if (name !== undefined) out.name = name;
  if (namespace !== undefined) out.namespace = namespace;
  if (annotations != null) out.annotations = copyStrings(annotations);
  if (labels != null) out.labels = copyStrings(labels);
  if (resourceVersion !== undefined) out.resourceVersion = resourceVersion;
  if (uid !== undefined) out.uid = uid;
  if (creationTimestamp !== undefined)
    out.creationTimestamp = copyDate(creationTimestamp);
  return out;
}

function cloneSource(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const s = value;
  const out: Loose = {};
  const component = s.component;
  const host = s.host;
  if (component !== undefined) out.component = component;
  if (host !== undefined) out.host = host;
  return out;
}

/** Copies a series (count and lastObservedTime); anything else is kept as is. */
export function cloneSeries(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const s = value;
  const out: Loose = { count: s.count };
  const observed = s.lastObservedTime;
  if (observed !== undefined) out.lastObservedTime = copyDate(observed);
  return out;
}

/**
 * Copies a core/v1 event field by field, with `apiVersion: 'v1'` and
 * `kind: 'Event'` first when `typeMeta` is set. Like the API server, it keeps
 * only the fields an Event has (unknown ones are pruned) and leaves out
 * `null` nested records; values of the wrong type are kept as they are, for
 * {@link checkShape} to report.
 */
export function cloneEvent(event: Event, typeMeta = false): Event {
  const e = event as unknown as Loose;
  const out: Loose = typeMeta ? { apiVersion: 'v1', kind: 'Event' } : {};
  out.metadata = cloneMetadata(e.metadata);
  out.involvedObject = cloneRef(e.involvedObject);
  const reason = e.reason;
  const message = e.message;
  const source = e.source;
  const first = e.firstTimestamp;
  const last = e.lastTimestamp;
  const count = e.count;
  const type = e.type;
  const eventTime = e.eventTime;
  const series = e.series;
  const action = e.action;
  const related = e.related;
  const component = e.reportingComponent;
  const instance = e.reportingInstance;
  if (reason !== undefined) out.reason = reason;
  if (message !== undefined) out.message = message;
  if (source != null) out.source = cloneSource(source);
  if (first !== undefined) out.firstTimestamp = copyDate(first);
  if (last !== undefined) out.lastTimestamp = copyDate(last);
  if (count !== undefined) out.count = count;
  if (type !== undefined) out.type = type;
  if (eventTime !== undefined) out.eventTime = copyDate(eventTime);
  if (series != null) out.series = cloneSeries(series);
  if (action !== undefined) out.action = action;
  if (related != null) out.related = cloneRef(related);
  if (component !== undefined) out.reportingComponent = component;
  if (instance !== undefined) out.reportingInstance = instance;
  return out as unknown as Event;
}

// The last timestamp parsed: the correlator's patches carry the same second
// many times in a row, and parsing one costs more than the rest of a patch.
let lastTimeText: string | undefined;
let lastTimeMs = 0;

/**
 * {@link parseTime} in milliseconds since the epoch, remembering the last text
 * parsed; `undefined` when it does not parse.
 */
export function parseTimeMs(text: string): number | undefined {
  if (text === lastTimeText) return lastTimeMs;
  const date = parseTime(text);
  if (date === undefined) return undefined;
  lastTimeText = text;
  lastTimeMs = date.getTime();
  return lastTimeMs;
}

/** {@link parseTime}, remembering the last text parsed. */
function parseTimeCached(text: string): Date | undefined {
  const ms = parseTimeMs(text);
  return ms === undefined ? undefined : new Date(ms);
}

/**
 * The fast path of {@link applyMergePatch} for the patch the core/v1
 * correlator sends, `{"count":…,"lastTimestamp":"…","message":"…"}` (keys in
 * any order): a copy of `event` with those three fields set, the same as
 * merging the patch into a copy and copying the result. Returns `undefined`
 * for any other patch, which then takes the generic path (and its errors).
 */
export function applyCountPatch(
  event: Event,
  patch: JsonObject,
): Event | undefined {
  let keys = 0;
  for (const key in patch) {
    if (key !== 'count' && key !== 'lastTimestamp' && key !== 'message')
      return undefined;
    keys++;
  }
  if (keys !== 3) return undefined;
  const count = patch['count'];
  const message = patch['message'];
  const last = patch['lastTimestamp'];
  if (
    typeof count !== 'number' ||
    typeof message !== 'string' ||
    typeof last !== 'string'
  )
    return undefined;
  const lastTimestamp = parseTimeCached(last);
  if (lastTimestamp === undefined) return undefined;
  const next = cloneEvent(event);
  next.count = count;
  next.message = message;
  next.lastTimestamp = lastTimestamp;
  return next;
}

/** The three fields of the core/v1 correlator's patch. */
export interface CountPatch {
  /** The new count. */
  count: number;
  /** The new lastTimestamp, in ms since the epoch. */
  lastMs: number;
  /** The new message. */
  message: string;
}

// The correlator's patch, exactly as it writes it: a JSON integer small
// enough to be exact, a timestamp (parseTime's pattern has no room for
// escapes), and a message with nothing to unescape (JSON strings have no raw
// quotes, backslashes or control characters).
/* eslint-disable no-control-regex -- JSON's own rule for strings */
const countPatchPattern =
  /^\{"count":(0|[1-9]\d{0,14}),"lastTimestamp":"([^"\\]*)","message":"([^"\\\x00-\x1f]*)"\}$/;
/* eslint-enable no-control-regex */

/**
 * Reads the core/v1 correlator's patch body as the correlator writes it,
 * `{"count":N,"lastTimestamp":"…","message":"…"}` in that order, without
 * spaces and without escapes, at a fraction of the cost of `JSON.parse`.
 * Returns what `JSON.parse` and {@link applyCountPatch} would take from it,
 * or `undefined` for any other body (which then goes through `JSON.parse`,
 * and its errors).
 */
export function readCountPatch(body: string): CountPatch | undefined {
  const match = countPatchPattern.exec(body);
  if (match === null) return undefined;
  const lastMs = parseTimeMs(match[2] as string);
  if (lastMs === undefined) return undefined;
  return {
    count: Number(match[1]),
    lastMs,
    message: match[3] as string,
  };
}

/** The two fields of the events.k8s.io/v1 series patch. */
export interface SeriesPatch {
  /** The new series count. */
  count: number;
  /** The new series lastObservedTime, in ms since the epoch. */
  lastMs: number;
}

const seriesPatchPattern =
  /^\{"series":\{"count":(0|[1-9]\d{0,14}),"lastObservedTime":"([^"\\]*)"\}\}$/;

/**
 * Reads the events.k8s.io/v1 series patch as the series tracker writes it,
 * `{"series":{"count":N,"lastObservedTime":"…"}}`, without `JSON.parse`.
 * Returns what `JSON.parse` and the merge would set, or `undefined` for any
 * other body.
 */
export function readSeriesPatch(body: string): SeriesPatch | undefined {
  const match = seriesPatchPattern.exec(body);
  if (match === null) return undefined;
  const lastMs = parseTimeMs(match[2] as string);
  if (lastMs === undefined) return undefined;
  return { count: Number(match[1]), lastMs };
}

/** Thrown by {@link applyMergePatch} for a body the server would refuse with 400. */
export class PatchBodyError extends Error {}

/**
 * Applies a strategic-merge patch body to an event object in place, as the API
 * server does for Events. Events have no list merge keys, so this is a JSON
 * merge patch (RFC 7386): objects merge recursively, `null` deletes a key,
 * anything else (arrays included) replaces. Strings under timestamp keys
 * (`lastTimestamp`, `eventTime`, `series.lastObservedTime`…) become `Date`s.
 * Directive keys such as `$patch` are ignored, and so is `__proto__` (no
 * Event field, so the server prunes it).
 *
 * @throws {@link PatchBodyError} for a timestamp that does not parse.
 */
export function applyMergePatch(
  target: JsonObject,
  patch: JsonObject,
): JsonObject {
  for (const key of Object.keys(patch)) {
    // `__proto__` is no field of an Event (the server prunes it), and merging
    // through it would change Object.prototype for the whole process.
    if (key.startsWith('$') || key === '__proto__') continue;
    const value = patch[key];
    if (value === null) {
      delete target[key];
    } else if (isPlainObject(value)) {
      // Only own fields merge: never into an inherited object.
      const current = Object.hasOwn(target, key) ? target[key] : undefined;
      target[key] = applyMergePatch(
        isPlainObject(current) ? current : {},
        value,
      );
    } else if (dateKeys.has(key) && typeof value === 'string') {
      const date = parseTimeCached(value);
      if (date === undefined) {
        throw new PatchBodyError(`${key}: cannot parse "${value}" as a time`);
      }
      target[key] = date;
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** Parses a patch body into an object. @throws {@link PatchBodyError} */
export function parsePatchBody(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new PatchBodyError(
      `the patch body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isPlainObject(parsed)) {
    throw new PatchBodyError('the patch body must be a JSON object');
  }
  return parsed;
}

const stringFields = [
  'reason',
  'message',
  'type',
  'action',
  'reportingComponent',
  'reportingInstance',
] as const;
const dateFields = ['firstTimestamp', 'lastTimestamp', 'eventTime'] as const;
const metadataStrings = [
  'name',
  'namespace',
  'resourceVersion',
  'uid',
] as const;
const refFields = [
  'kind',
  'apiVersion',
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'fieldPath',
] as const;

function isTimeValue(value: unknown): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function checkString(
  value: unknown,
  field: string,
  out: ValidationIssue[],
): void {
  if (value !== undefined && typeof value !== 'string') {
    out.push({ field, message: `must be a string, got ${typeof value}` });
  }
}

/** A string map (labels, annotations): absent or an object of strings. */
function checkStringMap(
  value: unknown,
  field: string,
  out: ValidationIssue[],
): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    out.push({ field, message: 'must be an object of strings' });
    return;
  }
  for (const key of Object.keys(value)) {
    checkString(value[key], `${field}.${key}`, out);
  }
}

/** An object reference: an object whose known fields are strings. */
function checkRef(value: unknown, field: string, out: ValidationIssue[]): void {
  if (!isPlainObject(value)) {
    out.push({ field, message: 'must be an object' });
    return;
  }
  for (const key of refFields) checkString(value[key], `${field}.${key}`, out);
}

/**
 * Checks the field types of a stored (core/v1) event, as decoding it would:
 * what a patch such as `{"count":"2"}` breaks, or a create with a `Date` as
 * `source` or an object as a label value. A copy that passes holds only
 * strings, numbers and `Date`s in its known fields, so storing it shares
 * nothing with the caller. Returns the issues found.
 */
export function checkShape(event: JsonObject): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const metadata = event['metadata'];
  if (!isPlainObject(metadata)) {
    out.push({ field: 'metadata', message: 'must be an object' });
  } else {
    for (const key of metadataStrings) {
      checkString(metadata[key], `metadata.${key}`, out);
    }
    checkStringMap(metadata['labels'], 'metadata.labels', out);
    checkStringMap(metadata['annotations'], 'metadata.annotations', out);
    const created = metadata['creationTimestamp'];
    if (created !== undefined && !isTimeValue(created)) {
      out.push({
        field: 'metadata.creationTimestamp',
        message: 'must be a time',
      });
    }
  }
  checkRef(event['involvedObject'], 'involvedObject', out);
  if (event['related'] !== undefined)
    checkRef(event['related'], 'related', out);
  const source = event['source'];
  if (source !== undefined) {
    if (!isPlainObject(source)) {
      out.push({ field: 'source', message: 'must be an object' });
    } else {
      checkString(source['component'], 'source.component', out);
      checkString(source['host'], 'source.host', out);
    }
  }
  for (const field of stringFields) checkString(event[field], field, out);
  for (const field of dateFields) {
    const v = event[field];
    if (v !== undefined && !isTimeValue(v)) {
      out.push({ field, message: 'must be a time' });
    }
  }
  const count = event['count'];
  if (count !== undefined && !Number.isSafeInteger(count)) {
    out.push({ field: 'count', message: 'must be an integer' });
  }
  const series = event['series'];
  if (series !== undefined) {
    if (!isPlainObject(series) || !Number.isSafeInteger(series['count'])) {
      out.push({ field: 'series.count', message: 'must be an integer' });
    }
    const observed = isPlainObject(series)
      ? series['lastObservedTime']
      : undefined;
    if (observed !== undefined && !isTimeValue(observed)) {
      out.push({ field: 'series.lastObservedTime', message: 'must be a time' });
    }
  }
  return out;
}
