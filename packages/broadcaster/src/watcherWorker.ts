import type { Logger } from '@event-recorder/core';
import { BoundedQueue } from './boundedQueue.js';
import { Ledger, type ConsumerStats } from './stats.js';

/**
 * A watcher's handler. It is called once per event, in order; when it returns
 * a promise, the watcher's next event waits for it (only this watcher's).
 *
 * @typeParam TEvent - the event shape.
 */
export type EventHandler<TEvent> = (event: TEvent) => void | Promise<void>;

/** A started watcher or sink recording; `stop()` detaches it. */
export interface WatchHandle {
  /**
   * Detaches the consumer at once. Events still queued for it are counted as
   * dropped for `shutdown`. Idempotent.
   */
  stop(): void;
  /** This consumer's ledger. */
  stats(): ConsumerStats;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Delivers events to one handler from its own bounded queue. Internal. */
export class WatcherWorker<TEvent> {
  readonly ledger = new Ledger();
  readonly #queue: BoundedQueue<TEvent>;
  #running = false;
  #stopped = false;
  #current: { abandoned: boolean } | undefined;
  #idleWaiters: (() => void)[] = [];
  #loggedThrow = false;
  #queueFullArmed = true;
  readonly #run = (): void => {
    void this.#loop();
  };

  constructor(
    readonly name: string,
    readonly handler: EventHandler<TEvent>,
    queueLength: number,
    readonly logger: Logger,
  ) {
    this.#queue = new BoundedQueue<TEvent>(queueLength);
  }

  /** Whether {@link WatcherWorker.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Offers an event. Never blocks, never throws. */
  offer(event: TEvent): boolean {
    this.ledger.recorded++;
    if (this.#stopped) {
      this.ledger.drop('shutdown');
      return false;
    }
    if (!this.#queue.push(event)) {
      this.ledger.drop('queueFull');
      if (this.#queueFullArmed) {
        this.#queueFullArmed = false;
        this.logger.warn(
          'Event queue is full, dropping events until it drains',
          {
            watcher: this.name,
            queueLength: this.#queue.capacity,
          },
        );
      }
      return false;
    }
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(this.#run);
    }
    return true;
  }

  /** Whether nothing is queued or being handled. */
  isIdle(): boolean {
    return !this.#running && this.#queue.length === 0;
  }

  /** Resolves once idle (or stopped). */
  whenIdle(): Promise<void> {
    if (this.#stopped || this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Detaches the watcher; queued events count as `shutdown` drops. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const _ of this.#queue.drain()) this.ledger.drop('shutdown');
    if (this.#current !== undefined) {
      this.#current.abandoned = true;
      this.ledger.drop('shutdown');
    }
    this.#notifyIdle();
  }

  /** This watcher's ledger. */
  stats(): ConsumerStats {
    const l = this.ledger;
    return {
      name: this.name,
      recorded: l.recorded,
      delivered: l.delivered,
      dropped: { ...l.dropped },
      pending: l.pending(),
      queued: this.#queue.length,
      retrying: 0,
      stopped: this.#stopped,
      finalByCode: { ...l.finalByCode },
    };
  }

  #notifyIdle(): void {
    if (!this.#stopped && !this.isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #failed(error: unknown): void {
    this.ledger.drop('final');
    this.ledger.finalByCode['Unknown'] =
      (this.ledger.finalByCode['Unknown'] ?? 0) + 1;
    const fields = {
      watcher: this.name,
      error: error instanceof Error ? error.message : String(error),
    };
    if (this.#loggedThrow) {
      this.logger.debug('Event handler failed', fields);
    } else {
      this.#loggedThrow = true;
      this.logger.error('Event handler failed', fields);
    }
  }

  async #loop(): Promise<void> {
    try {
      for (
        let event = this.#queue.shift();
        event !== undefined && !this.#stopped;
        event = this.#queue.shift()
      ) {
        const current = { abandoned: false };
        this.#current = current;
        try {
          const result = this.handler(event);
          if (isThenable(result)) await result;
          if (!current.abandoned) this.ledger.delivered++;
        } catch (error) {
          if (!current.abandoned) this.#failed(error);
        } finally {
          this.#current = undefined;
        }
      }
    } finally {
      this.#running = false;
      this.#queueFullArmed = true;
      this.#notifyIdle();
    }
  }
}
