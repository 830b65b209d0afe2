// Helpers shared by the correlator's parts. Nothing here is exported from the
// package entry point.
import { formatTime, InvalidOptionError } from '@event-recorder/core';
import type { Event, ObjectReference } from '@event-recorder/core';

/** Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix milliseconds. */
export const GO_ZERO_TIME_MS = -62_135_596_800_000;

/** Tells whether a value is a non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

function cloneRef(value: unknown): ObjectReference {
  return isObject(value) ? { ...value } : {};
}

/**
 * Copies an event deeply enough that nothing the correlator changes or returns
 * is shared with the caller's object. Unknown properties are kept (shallowly).
 * An absent or malformed `involvedObject` or `metadata` becomes `{}`, Go's zero
 * value.
 */
export function cloneEvent(event: Event): Event {
  const input = event as unknown as Record<string, unknown>;
  const meta = input['metadata'];
  const out: Event = {
    ...event,
    metadata: isObject(meta) ? { ...meta } : {},
    involvedObject: cloneRef(input['involvedObject']),
  };
  const { annotations, labels, creationTimestamp } = out.metadata;
  if (isObject(annotations)) out.metadata.annotations = { ...annotations };
  if (isObject(labels)) out.metadata.labels = { ...labels };
  if (creationTimestamp !== undefined) {
    out.metadata.creationTimestamp = cloneDate(creationTimestamp);
  }
  if (isObject(input['source'])) out.source = { ...input['source'] };
  if (isObject(input['related'])) out.related = { ...input['related'] };
  if (isObject(input['series'])) {
    const series = { ...input['series'] } as unknown as Event['series'] & {};
    series.lastObservedTime = cloneDate(series.lastObservedTime);
    out.series = series;
  }
  if (out.firstTimestamp !== undefined) {
    out.firstTimestamp = cloneDate(out.firstTimestamp);
  }
  if (out.lastTimestamp !== undefined) {
    out.lastTimestamp = cloneDate(out.lastTimestamp);
  }
  if (out.eventTime !== undefined) out.eventTime = cloneDate(out.eventTime);
  return out;
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
  return value === undefined ? 'null' : `"${formatTime(value)}"`;
}

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
