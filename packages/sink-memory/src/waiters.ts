import { InvalidOptionError } from '@event-recorder/core';

/** Options for a `waitFor` method. */
export interface WaitForOptions {
  /**
   * How long to wait, in real milliseconds, before rejecting with a
   * `TimeoutError`. A safety net: tests should be driven by writes.
   * @defaultValue `5000`
   */
  timeoutMs?: number;
  /** Rejects with the signal's reason when it aborts. */
  signal?: AbortSignal;
}

// Captured when the module loads, before a test can install fake timers
// (vi.useFakeTimers, @sinonjs/fake-timers): waitFor must settle on writes
// and time out in real time whatever the test does with the global timers.
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A value a predicate returns that does not count as "holds". */
type Falsy = false | undefined | null | 0 | '';

interface Waiter {
  check: () => boolean;
}

/**
 * Pending `waitFor` calls: each is checked when something changes and settles
 * on the first truthy value its predicate returns.
 */
export class WaiterSet {
  readonly #waiters = new Set<Waiter>();

  /** Checks every pending waiter. */
  notify(): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  /** Waits for `evaluate` to return a truthy value. */
  wait<T>(
    evaluate: () => T,
    describe: () => string,
    what: string,
    options: WaitForOptions = {},
  ): Promise<Exclude<T, Falsy>> {
    type R = Exclude<T, Falsy>;
    const timeoutMs = options.timeoutMs ?? 5000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      return Promise.reject(
        new InvalidOptionError(
          `timeoutMs must be a number >= 0, got ${String(timeoutMs)}`,
        ),
      );
    }
    const signal = options.signal;
    return new Promise<R>((resolve, reject) => {
      if (signal?.aborted) {
        reject(toError(signal.reason));
        return;
      }
      const pending: { timer?: ReturnType<typeof setTimeout> } = {};
      const finish = (): void => {
        this.#waiters.delete(waiter);
        if (pending.timer !== undefined) realClearTimeout(pending.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(toError(signal?.reason));
      };
      const waiter: Waiter = {
        check: () => {
          let value: T;
          try {
            value = evaluate();
          } catch (error) {
            finish();
            reject(toError(error));
            return true;
          }
          if (!value) return false;
          finish();
          // Settle after the writer's own continuation has run, so a test that
          // awaits this also sees what the caller did with the answer.
          realSetImmediate(() => resolve(value as R));
          return true;
        },
      };
      if (waiter.check()) return;
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.timer = realSetTimeout(() => {
        finish();
        const error = new Error(
          `${what} timed out after ${timeoutMs} ms: the predicate never held. ${describe()}`,
        );
        error.name = 'TimeoutError';
        reject(error);
      }, timeoutMs);
    });
  }
}
