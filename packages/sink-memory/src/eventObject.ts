import { parseTime } from '@event-recorder/core';
import type { ValidationIssue } from '@event-recorder/core';

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

function isPlainObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date)
  );
}

/**
 * Deep-copies an event-like value: plain objects, arrays and `Date`s are
 * copied, `undefined` properties are left out (as JSON would).
 */
export function deepClone<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(deepClone) as T;
  if (typeof value === 'object' && value !== null) {
    const out: JsonObject = {};
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const v = (value as JsonObject)[key];
      if (v !== undefined) out[key] = deepClone(v);
    }
    return out as T;
  }
  return value;
}

/** Thrown by {@link applyMergePatch} for a body the server would refuse with 400. */
export class PatchBodyError extends Error {}

/**
 * Applies a strategic-merge patch body to an event object in place, as the API
 * server does for Events. Events have no list merge keys, so this is a JSON
 * merge patch (RFC 7386): objects merge recursively, `null` deletes a key,
 * anything else (arrays included) replaces. Strings under timestamp keys
 * (`lastTimestamp`, `eventTime`, `series.lastObservedTime`…) become `Date`s.
 * Directive keys such as `$patch` are ignored.
 *
 * @throws {@link PatchBodyError} for a timestamp that does not parse.
 */
export function applyMergePatch(
  target: JsonObject,
  patch: JsonObject,
): JsonObject {
  for (const key of Object.keys(patch)) {
    if (key.startsWith('$')) continue;
    const value = patch[key];
    if (value === null) {
      delete target[key];
    } else if (isPlainObject(value)) {
      const current = target[key];
      target[key] = applyMergePatch(
        isPlainObject(current) ? current : {},
        value,
      );
    } else if (dateKeys.has(key) && typeof value === 'string') {
      const date = parseTime(value);
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

/**
 * Checks the field types of a stored (core/v1) event, as decoding it would:
 * what a patch such as `{"count":"2"}` breaks. Returns the issues found.
 */
export function checkShape(event: JsonObject): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!isPlainObject(event['metadata'])) {
    out.push({ field: 'metadata', message: 'must be an object' });
  }
  if (!isPlainObject(event['involvedObject'])) {
    out.push({ field: 'involvedObject', message: 'must be an object' });
  }
  for (const field of stringFields) {
    const v = event[field];
    if (v !== undefined && typeof v !== 'string') {
      out.push({ field, message: `must be a string, got ${typeof v}` });
    }
  }
  for (const field of dateFields) {
    const v = event[field];
    if (v !== undefined && !(v instanceof Date && !Number.isNaN(v.getTime()))) {
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
  }
  return out;
}
