import { InvalidOptionError } from './sinkError.js';

/**
 * A clock that can only be read. The correlator needs nothing more, as
 * client-go's `clock.PassiveClock`.
 */
export interface PassiveClock {
  /** The current time. */
  now(): Date;
}

/** A scheduled callback that can be cancelled. */
export interface Timer {
  /** Cancels the callback if it has not run yet. Idempotent. */
  cancel(): void;
}

/**
 * A clock that can be read and can schedule callbacks. Everything in Event
 * Recorder that waits (retry backoff, series heartbeats, flush deadlines) waits
 * through a `Clock`, so tests drive time with {@link FakeClock} instead of
 * sleeping.
 */
export interface Clock extends PassiveClock {
  /**
   * Runs `callback` once, `delayMs` milliseconds from now. A real clock's timers
   * never keep the process alive.
   */
  setTimer(callback: () => void, delayMs: number): Timer;
}

/** The wall clock. Its timers are `unref`ed, so they never hold the process open. */
export const realClock: Clock = {
  now: () => new Date(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A manual clock for tests. Time moves only when {@link FakeClock.step} or
 * {@link FakeClock.setTime} is called; due timers then run in time order
 * (ties in the order they were set), each seeing `now()` equal to its due time.
 *
 * @example
 * ```ts
 * const clock = new FakeClock(new Date('2026-01-01T00:00:00Z'));
 * clock.setTimer(() => console.log('fired'), 1000);
 * clock.step(1000); // logs "fired"
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /**
   * Creates a fake clock.
   *
   * @param start - the initial time. @defaultValue `2026-01-01T00:00:00Z`
   */
  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  /** The current fake time. */
  now(): Date {
    return new Date(this.#now);
  }

  /** Schedules `callback` at now + `delayMs` of fake time. */
  setTimer(callback: () => void, delayMs: number): Timer {
    if (!Number.isFinite(delayMs)) {
      throw new InvalidOptionError(
        `timer delay must be finite, got ${delayMs}`,
      );
    }
    const timer: PendingTimer = {
      at: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /**
   * Moves time forward by `ms` milliseconds, running every timer that falls due
   * on the way, including timers those callbacks set.
   */
  step(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidOptionError(
        `step must be a finite, non-negative number of ms, got ${ms}`,
      );
    }
    this.#advanceTo(this.#now + ms);
  }

  /**
   * Sets the time. Moving forward runs due timers; moving backward runs none
   * (as a wall clock that was set back).
   */
  setTime(date: Date | number): void {
    const target = typeof date === 'number' ? date : date.getTime();
    if (target <= this.#now) {
      this.#now = target;
      return;
    }
    this.#advanceTo(target);
  }

  /** How many timers are scheduled and not yet run or cancelled. */
  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /**
   * The due time of the next pending timer, if any, rounded up to the
   * millisecond (a `Date` holds whole milliseconds; a timer may be due at a
   * fraction of one), so that `setTime(nextTimerAt())` always fires it.
   */
  nextTimerAt(): Date | undefined {
    const next = this.#nextDue(Number.POSITIVE_INFINITY);
    return next === undefined ? undefined : new Date(Math.ceil(next.at));
  }

  #nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.at > limit) continue;
      if (
        best === undefined ||
        t.at < best.at ||
        (t.at === best.at && t.seq < best.seq)
      ) {
        best = t;
      }
    }
    return best;
  }

  #advanceTo(target: number): void {
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next && !t.cancelled);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = target;
  }
}

/**
 * Resolves after `ms` milliseconds of `clock` time, or rejects with the
 * signal's reason as soon as `signal` aborts.
 */
export function sleep(
  clock: Clock,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason as Error);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
