import type { PassiveClock } from '@event-recorder/core';

/**
 * The TypeScript twin of k8s.io/utils' `SimpleIntervalClock`: every
 * {@link IntervalClock.now} first advances the time by `intervalMs`, then
 * returns it. Every read is recorded so the harness can compare the read
 * points of both implementations.
 */
export class IntervalClock implements PassiveClock {
  #ms: number;
  readonly #intervalMs: number;
  /** The instants returned by {@link IntervalClock.now} since the last {@link IntervalClock.resetReads}. */
  reads: Date[] = [];

  constructor(start: Date, intervalMs: number) {
    this.#ms = start.getTime();
    this.#intervalMs = intervalMs;
  }

  now(): Date {
    this.#ms += this.#intervalMs;
    const d = new Date(this.#ms);
    this.reads.push(d);
    return new Date(this.#ms);
  }

  /** Moves the clock to `date` without a read. */
  setTime(date: Date): void {
    this.#ms = date.getTime();
  }

  /** Moves the clock by `ms` (possibly negative) without a read. */
  advance(ms: number): void {
    this.#ms += ms;
  }

  resetReads(): void {
    this.reads = [];
  }
}
