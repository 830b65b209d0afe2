// Helpers shared by the correlator's parts. Nothing here is exported from the
// package entry point.
import {
  formatTime,
  InvalidOptionError,
  realClock,
} from '@event-recorder/core';
import type {
  Event,
  ObjectReference,
  PassiveClock,
} from '@event-recorder/core';

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix milliseconds. */
export const GO_ZERO_TIME_MS = -62_135_596_800_000;

/**
 * The clock's time in Unix ms; from the real clock without making a `Date`
 * (the correlator reads the clock twice per event).
 */
export function nowMs(clock: PassiveClock): number {
  return clock === realClock ? Date.now() : clock.now().getTime();
}

/** Tells whether a value is a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tells whether a value is an object whose prototype is `Object.prototype` or `null`. */
export function isPlainRecord(
  value: unknown,
): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A field as Go would see it after decoding: a string, or `''` for anything
 * absent. Scalars are stringified so that untyped input never throws.
 */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return String(value);
  }
  return '';
}

/** A count as Go's `int32`: absent or non-numeric is 0, wider values wrap. */
export function int32(value: unknown): number {
  return typeof value === 'number' ? value | 0 : 0;
}

/**
 * A timestamp as Go's `metav1.Time`: a valid `Date` that is not Go's zero
 * time, or `undefined` (the zero time) for anything else.
 */
export function validTime(value: unknown): Date | undefined {
  if (!(value instanceof Date)) return undefined;
  const ms = value.getTime();
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME_MS) return undefined;
  return value;
}

/** Copies a `Date`, or passes anything else through unchanged. */
function cloneDate<T>(value: T): T {
  return (value instanceof Date ? new Date(value.getTime()) : value) as T;
}

type Loose = Record<string, unknown>;

// The copies below name every known field in a statement of its own and add
// it to a fresh `{}` only when present, instead of spreading (`{ ...value }`).
// In V8 11 (node 20) a spread clone's map has no transitions, so each field
// added to it afterwards (the correlator sets name, resourceVersion, count
// and firstTimestamp; the sinks set more) costs about half a microsecond;
// fields added one by one to `{}` follow shared transitions and cost
// nanoseconds. Unknown fields, rare, are then copied by `copyRest`, so the
// result has exactly the caller's own enumerable string-keyed fields.

/**
 * Copies the own enumerable string-keyed fields of `from` that `to` lacks,
 * unless `from` has exactly `copied` of them (then `to` has them all already).
 * Uses `defineProperty`, so that a `__proto__` field stays a plain field.
 *
 * The fields are first counted with `for…in`, which walks V8's cached key
 * list of the object's shape without allocating; `Object.keys` would make an
 * array per object copied (four per event, a tenth of the bytes the pipeline
 * allocated per event). `for…in` also counts inherited enumerable fields, so a
 * count that differs from `copied` only sends the copy to the exact path.
 */
function copyRest(from: Loose, to: Loose, copied: number): void {
  let fields = 0;
  for (const _ in from) fields++;
  if (fields === copied) return;
  for (const key of Object.keys(from)) {
    if (Object.hasOwn(to, key)) continue;
    Object.defineProperty(to, key, {
      value: from[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** A shallow copy of a record of strings (annotations, labels), or `{}`. */
function cloneRecord(value: Loose): Loose {
  const out: Loose = {};
  copyRest(value, out, -1);
  return out;
}

/** Copies an object reference (an absent or malformed one becomes `{}`). */
function cloneRef(value: unknown): ObjectReference {
  if (!isObject(value)) return {};
  const { kind, apiVersion, name, namespace, uid, resourceVersion, fieldPath } =
    value;
  if (
    kind !== undefined &&
    apiVersion !== undefined &&
    name !== undefined &&
    namespace !== undefined &&
    uid !== undefined &&
    fieldPath === undefined
  ) {
    // What `getReference` makes of a namespaced object, as one literal.
    const ref: Loose =
      resourceVersion === undefined
        ? { kind, apiVersion, name, namespace, uid }
        : { kind, apiVersion, name, namespace, uid, resourceVersion };
    copyRest(value, ref, resourceVersion === undefined ? 5 : 6);
    return ref;
  }
  const out: Loose = {};
  let n = 0;
  if (kind !== undefined) {
    out.kind = kind;
    n++;
  }
  if (apiVersion !== undefined) {
    out.apiVersion = apiVersion;
    n++;
  }
  if (name !== undefined) {
    out.name = name;
    n++;
  }
  if (namespace !== undefined) {
    out.namespace = namespace;
    n++;
  }
  if (uid !== undefined) {
    out.uid = uid;
    n++;
  }
  if (resourceVersion !== undefined) {
    out.resourceVersion = resourceVersion;
    n++;
  }
  if (fieldPath !== undefined) {
    out.fieldPath = fieldPath;
    n++;
  }
  copyRest(value, out, n);
  return out;
}

function cloneMetadata(value: unknown): Event['metadata'] {
  if (!isObject(value)) return {};
  const {
    name,
    namespace,
    annotations,
    labels,
    resourceVersion,
    uid,
    creationTimestamp,
  } = value;
  if (
    name !== undefined &&
    namespace !== undefined &&
    annotations === undefined &&
    labels === undefined &&
    resourceVersion === undefined &&
    uid === undefined &&
    creationTimestamp === undefined
  ) {
    // A new event's metadata, as one literal.
    const meta: Loose = { name, namespace };
    copyRest(value, meta, 2);
    return meta;
  }
  const out: Loose = {};
  let n = 0;
  if (name !== undefined) {
    out.name = name;
    n++;
  }
  if (namespace !== undefined) {
    out.namespace = namespace;
    n++;
  }
  if (annotations !== undefined) {
    n++;
    out.annotations = isObject(annotations)
      ? cloneRecord(annotations)
      : annotations;
  }
  if (labels !== undefined) {
    n++;
    out.labels = isObject(labels) ? cloneRecord(labels) : labels;
  }
  if (resourceVersion !== undefined) {
    out.resourceVersion = resourceVersion;
    n++;
  }
  if (uid !== undefined) {
    out.uid = uid;
    n++;
  }
  if (creationTimestamp !== undefined) {
    out.creationTimestamp = cloneDate(creationTimestamp);
    n++;
  }
  copyRest(value, out, n);
  return out;
}

function cloneSource(value: Loose): Loose {
  const { component, host } = value;
  if (component !== undefined) {
    const source: Loose =
      host === undefined ? { component } : { component, host };
    copyRest(value, source, host === undefined ? 1 : 2);
    return source;
  }
  const out: Loose = {};
  let n = 0;
  if (component !== undefined) {
    out.component = component;
    n++;
  }
  if (host !== undefined) {
    out.host = host;
    n++;
  }
  copyRest(value, out, n);
  return out;
}

function cloneSeries(value: Loose): Loose {
  const out: Loose = {};
  let n = 0;
  const { count, lastObservedTime } = value;
  if (count !== undefined) {
    out.count = count;
    n++;
  }
  if (lastObservedTime !== undefined) {
    out.lastObservedTime = cloneDate(lastObservedTime);
    n++;
  }
  copyRest(value, out, n);
  return out;
}

/**
 * Copies an event deeply enough that nothing the correlator changes or returns
 * is shared with the caller's object: the nested objects and the `Date`s are
 * copied, any other value is shared. Unknown fields are kept (shallowly). An
 * absent or malformed `involvedObject` or `metadata` becomes `{}`, Go's zero
 * value.
 */
export function cloneEvent(event: Event): Event {
  const e = event as unknown as Loose;
  // Fields in the order the recorder builds them, so that the copy has the
  // same shape as the recorder's events.
  const {
    apiVersion,
    kind,
    metadata,
    involvedObject,
    reason,
    message,
    source,
    firstTimestamp,
    lastTimestamp,
    count,
    type,
    eventTime,
    series,
    action,
    related,
    reportingComponent,
    reportingInstance,
  } = e;
  if (
    apiVersion === undefined &&
    kind === undefined &&
    metadata !== undefined &&
    involvedObject !== undefined &&
    reason !== undefined &&
    message !== undefined &&
    isObject(source) &&
    firstTimestamp !== undefined &&
    lastTimestamp !== undefined &&
    count !== undefined &&
    type !== undefined &&
    eventTime === undefined &&
    series === undefined &&
    action === undefined &&
    related === undefined &&
    reportingComponent !== undefined &&
    reportingInstance !== undefined
  ) {
    // The core/v1 recorder's shape, as one literal: V8 allocates it whole,
    // where adding fields one by one to `{}` regrows its field store.
    const copy: Loose = {
      metadata: cloneMetadata(metadata),
      involvedObject: cloneRef(involvedObject),
      reason,
      message,
      source: cloneSource(source),
      firstTimestamp: cloneDate(firstTimestamp),
      lastTimestamp: cloneDate(lastTimestamp),
      count,
      type,
      reportingComponent,
      reportingInstance,
    };
    copyRest(e, copy, 11);
    return copy as unknown as Event;
  }
  const out: Loose = {};
  let n = 2;
  if (apiVersion !== undefined) {
    out.apiVersion = apiVersion;
    n++;
  }
  if (kind !== undefined) {
    out.kind = kind;
    n++;
  }
  out.metadata = cloneMetadata(metadata);
  out.involvedObject = cloneRef(involvedObject);
  if (metadata === undefined) n--;
  if (involvedObject === undefined) n--;
  if (reason !== undefined) {
    out.reason = reason;
    n++;
  }
  if (message !== undefined) {
    out.message = message;
    n++;
  }
  if (source !== undefined) {
    out.source = isObject(source) ? cloneSource(source) : source;
    n++;
  }
  if (firstTimestamp !== undefined) {
    out.firstTimestamp = cloneDate(firstTimestamp);
    n++;
  }
  if (lastTimestamp !== undefined) {
    out.lastTimestamp = cloneDate(lastTimestamp);
    n++;
  }
  if (count !== undefined) {
    out.count = count;
    n++;
  }
  if (type !== undefined) {
    out.type = type;
    n++;
  }
  if (eventTime !== undefined) {
    out.eventTime = cloneDate(eventTime);
    n++;
  }
  if (series !== undefined) {
    out.series = isObject(series) ? cloneSeries(series) : series;
    n++;
  }
  if (action !== undefined) {
    out.action = action;
    n++;
  }
  if (related !== undefined) {
    out.related = isObject(related) ? cloneRef(related) : related;
    n++;
  }
  if (reportingComponent !== undefined) {
    out.reportingComponent = reportingComponent;
    n++;
  }
  if (reportingInstance !== undefined) {
    out.reportingInstance = reportingInstance;
    n++;
  }
  copyRest(e, out, n);
  return out as unknown as Event;
}

const goEscapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * A JSON string literal exactly as Go's `encoding/json` writes it: as
 * `JSON.stringify`, plus Go's HTML-safe escapes of `<`, `>`, `&`, U+2028 and
 * U+2029.
 */
export function goJsonString(value: string): string {
  const json = JSON.stringify(value);
  return /[<>&\u2028\u2029]/.test(json)
    ? json.replace(/[<>&\u2028\u2029]/g, (c) => goEscapes[c] ?? c)
    : json;
}

/**
 * A `metav1.Time` as JSON: `null` for the zero time, otherwise an RFC 3339
 * string in UTC with seconds precision.
 */
export function goTimeJson(value: Date | undefined): string {
  if (value === undefined) return 'null';
  const text = formatTime(value);
  if (text !== lastTimeText) {
    lastTimeText = text;
    lastTimeJson = `"${text}"`;
  }
  return lastTimeJson;
}

// goTimeJson's last answer and its text: runs of events share their second.
let lastTimeText = '';
let lastTimeJson = '';

/**
 * Reads an integer option where `undefined` or 0 means "the default", as
 * client-go's `populateDefaults`. Throws {@link InvalidOptionError} for
 * anything else that is not a positive safe integer.
 */
export function intOption(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a positive integer (0 or undefined for the default), got ${String(value)}`,
    );
  }
  return value;
}

/** Checks that an optional callback option is a function. */
export function fnOption<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(`${name} must be a function`);
  }
  return value;
}

/** Checks that an optional clock option has a `now()` method. */
export function clockOption<T extends { now(): Date }>(
  value: T | undefined,
): T | undefined {
  if (
    value !== undefined &&
    (!isObject(value) || typeof value.now !== 'function')
  ) {
    throw new InvalidOptionError('clock must have a now() method');
  }
  return value;
}
