function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// The last whole second formatted, and its text: events are stamped with
// the current time, so runs of them share their second, and formatting one
// costs more than the rest of a patch body.
let memoSecond = Number.NaN;
let memoText = '';

function dateAndSeconds(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === memoSecond) return memoText;
  const text =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  memoSecond = second;
  memoText = text;
  return text;
}

function assertValid(date: Date): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new RangeError(`invalid date: ${String(date)}`);
  }
}

/**
 * Formats a time as a Kubernetes `MicroTime`: RFC 3339 in UTC with exactly six
 * fractional digits, such as `2026-07-24T10:00:05.250000Z`. The API server
 * rejects `eventTime` and `series.lastObservedTime` in any other form
 * (kubernetes/kubernetes#94748), and `Date.toISOString()` gives only three.
 *
 * @param date - the time; its milliseconds give the first three digits.
 * @param extraMicros - microseconds below the millisecond, 0 to 999.
 *   @defaultValue 0
 */
export function formatMicroTime(date: Date, extraMicros = 0): string {
  assertValid(date);
  const micros =
    date.getUTCMilliseconds() * 1000 + (Math.trunc(extraMicros) % 1000);
  return `${dateAndSeconds(date)}.${pad(micros, 6)}Z`;
}

/**
 * Formats a time as a Kubernetes `Time`: RFC 3339 in UTC with seconds
 * precision, such as `2026-07-24T10:00:05Z`. Fractions are truncated, as Go's
 * `metav1.Time` marshals them.
 */
export function formatTime(date: Date): string {
  assertValid(date);
  const text = dateAndSeconds(date);
  if (text !== memoTimeOf) {
    memoTimeOf = text;
    memoTime = `${text}Z`;
  }
  return memoTime;
}

// formatTime's last answer, and the text it was made from.
let memoTimeOf = '';
let memoTime = '';

/**
 * Truncates a time to whole seconds, as it is after a round trip through a
 * core/v1 timestamp.
 */
export function truncateToSeconds(date: Date): Date {
  const ms = date.getTime();
  return new Date(ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * Parses an RFC 3339 time (any fractional precision) into a `Date`. Digits past
 * the millisecond are dropped. Returns `undefined` for anything unparseable.
 */
export function parseTime(text: string): Date | undefined {
  const m =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(
      text,
    );
  if (m === null) return undefined;
  const frac = (m[2] ?? '').slice(0, 3).padEnd(3, '0');
  const ms = Date.parse(`${m[1]}.${frac}${m[3]}`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * Go's `time.Time.UnixNano()` for a `Date`: milliseconds since the epoch times
 * one million, as a `bigint`.
 */
export function unixNanos(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}
