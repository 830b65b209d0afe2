// Char codes used by the subdomain check below.
const DOT = 46;
const DASH = 45;

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/**
 * Tells whether `value` is a DNS-1123 subdomain (as Kubernetes checks it: at
 * most 253 characters, no limit per label). Same answer as core's
 * `isDNS1123Subdomain`, written as one pass over the characters because it runs
 * on every recorded event and core's version splits and runs a regex per label.
 */
export function isSubdomainFast(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 253) return false;
  let labelLength = 0;
  let prev = DOT;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === DOT) {
      if (labelLength === 0 || prev === DASH) return false;
      labelLength = 0;
    } else if (c === DASH) {
      if (labelLength === 0) return false;
      labelLength++;
    } else if (isAlnum(c)) {
      labelLength++;
    } else {
      return false;
    }
    prev = c;
  }
  return labelLength > 0 && prev !== DASH;
}

const NS_PER_MS = 1_000_000n;

/**
 * The lowercase hex of `ms × 10⁶ + offset`: Go's `%x` of the nanoseconds.
 * A BigInt is the cheapest exact way: `Number#toString(16)` takes a slow path
 * for doubles above 2³¹ (measured several times slower than this).
 */
export function nanosHex(ms: number, offset: number): string {
  const nanos = BigInt(ms) * NS_PER_MS;
  return (offset === 0 ? nanos : nanos + BigInt(offset)).toString(16);
}

/**
 * Makes event names as client-go's `GenerateEventName` does,
 * `<refName>.<hex unix nanoseconds>`, and keeps them unique per recorder.
 *
 * A JavaScript clock has millisecond resolution, so two events recorded in the
 * same millisecond would get the same name, and the second create would fail
 * with AlreadyExists. The namer keeps the last nanosecond value it used: the
 * first event of a new millisecond gets exactly client-go's value
 * (milliseconds × 10⁶), and each later one in the same millisecond (or after
 * the clock stepped back) gets the last value plus 1 ns. The value never goes
 * down, so names from one recorder never repeat.
 *
 * When the result is not a DNS-1123 subdomain (an empty name, upper case, more
 * than 253 characters…), the name is a random UUID, as client-go does.
 */
export class EventNamer {
  // The last value used is #baseMs × 10⁶ + #offset nanoseconds.
  #baseMs = Number.NEGATIVE_INFINITY;
  #offset = 0;
  // The hex of #baseMs × 10⁶, split into its head and the value of its last
  // six digits, so that the later names of a millisecond (a burst) add the
  // offset to a small number instead of redoing the BigInt arithmetic.
  #head = '';
  #low = -1;
  // The object name last seen and whether it is a DNS-1123 subdomain: then
  // `<name>.<hex>` is one exactly when it is at most 253 characters long, as
  // the hex is always a valid label.
  #lastRefName: string | undefined = undefined;
  #lastRefValid = false;

  /** The name for an event about `refName` recorded at `ms` (epoch milliseconds). */
  next(refName: string, ms: number): string {
    // A later millisecond starts afresh, unless more than a million events
    // in an earlier one (a stuck fake clock) already went past it.
    if (ms > this.#baseMs && (ms - this.#baseMs) * 1_000_000 > this.#offset) {
      this.#baseMs = ms;
      this.#offset = 0;
      const hex = nanosHex(ms, 0);
      // With six digits or fewer (a clock near 1970), no head to keep; before
      // 1970 the value is negative ("-…"), which the split cannot count on.
      const split = hex.length > 6 && ms >= 0;
      this.#head = split ? hex.slice(0, -6) : '';
      this.#low = split ? parseInt(hex.slice(-6), 16) : -1;
    } else {
      this.#offset++;
    }
    const hex = this.#hex();
    const name = refName + '.' + hex;
    if (refName !== this.#lastRefName) {
      this.#lastRefName = refName;
      this.#lastRefValid = isSubdomainFast(refName);
    }
    // The hex of a value from 1970 on is always a valid label, so the name is
    // a subdomain exactly when the object's name is one and it fits in 253
    // characters; a negative value ("-…") never is.
    return this.#lastRefValid && name.length <= 253 && hex.charCodeAt(0) !== 45
      ? name
      : globalThis.crypto.randomUUID();
  }

  /** {@link nanosHex} of the last value used. */
  #hex(): string {
    const low = this.#low + this.#offset;
    // While the six digits do not carry into the head (and #low is known).
    if (this.#low >= 0 && low <= 0xffffff) {
      return this.#head + low.toString(16).padStart(6, '0');
    }
    return nanosHex(this.#baseMs, this.#offset);
  }
}
