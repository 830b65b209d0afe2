import {
  emptyDropCounts,
  InvalidOptionError,
  realClock,
  type Clock,
  type Logger,
} from '@event-recorder/core';
import type { SinkWorker } from './sinkWorker.js';
import { addDrops, type BroadcasterStats } from './stats.js';
import {
  WatcherWorker,
  type EventHandler,
  type WatchHandle,
} from './watcherWorker.js';

interface Consumer<TEvent> {
  /** See {@link SinkWorker.offer} for `handedOver`. */
  offer(event: TEvent, handedOver?: boolean): boolean;
  stop(): void;
  whenIdle(): Promise<void>;
  isIdle(): boolean;
}

/** Options for flush and shutdown. */
export interface DeadlineOptions {
  /**
   * The most time to wait, in milliseconds of the broadcaster's clock. The
   * promise resolves at the latest then, with what is still pending reported.
   * @defaultValue `10000`
   */
  timeoutMs?: number;
}

/** Validates a positive integer option. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(
      `${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/** Validates a non-negative finite option. */
export function nonNegativeNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a finite, non-negative number, got ${value}`,
    );
  }
  return value;
}

/**
 * Waits for `work`, or until `timeoutMs` of `clock` time passed. Resolves with
 * whether `work` finished. While waiting on the real clock, a ref'd no-op
 * interval keeps Node alive, so a short-lived process that awaits a flush
 * really gets it even though the clock's own timers are unref'd. (On any
 * other clock the caller drives time, and nothing is kept alive.)
 */
export function withDeadline(
  clock: Clock,
  timeoutMs: number,
  work: Promise<unknown>,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    const keepAlive =
      clock === realClock ? setInterval(() => undefined, 1 << 30) : undefined;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      timer.cancel();
      clearInterval(keepAlive);
      resolve(ok);
    };
    const timer = clock.setTimer(() => finish(false), timeoutMs);
    work.then(
      () => finish(true),
      () => finish(true),
    );
  });
}

/**
 * The fan-out shared by both broadcasters: `publish` hands each event to
 * every attached consumer's bounded queue, synchronously and without
 * blocking. Internal.
 */
export class Fanout<TEvent> {
  /** Attached consumers; replaced (never mutated) so `publish` can iterate safely. */
  #consumers: readonly Consumer<TEvent>[] = [];
  readonly #sinks: SinkWorker<TEvent>[] = [];
  readonly #watchers: WatcherWorker<TEvent>[] = [];
  #published = 0;
  #refusedInvalid = 0;
  #refusedShutdown = 0;
  #closed = false;

  constructor(
    readonly queueLength: number,
    readonly logger: Logger,
  ) {}

  /** Whether shutdown began. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses everything from now on. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Hands an event to every consumer. Never blocks, never throws. `fresh`
   * promises that the publisher made the event and keeps no reference to it:
   * with a single consumer the event is then handed over to it (it may change
   * the event instead of copying it).
   */
  publish(event: TEvent, fresh = false): boolean {
    if (this.#closed) {
      this.#refusedShutdown++;
      return false;
    }
    // Not an event at all (an array is no event either): refused and counted
    // here, before any consumer counts it as recorded.
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      this.#refusedInvalid++;
      return false;
    }
    this.#published++;
    let all = true;
    const consumers = this.#consumers;
    const handedOver = fresh && consumers.length === 1;
    for (let i = 0; i < consumers.length; i++) {
      if (!consumers[i]!.offer(event, handedOver)) all = false;
    }
    return all;
  }

  /** Counts an occurrence the recorder refused. */
  reportInvalid(): void {
    this.#refusedInvalid++;
  }

  /** Attaches a watcher. */
  addWatcher(
    name: string | undefined,
    handler: EventHandler<TEvent>,
  ): WatchHandle {
    if (typeof handler !== 'function') {
      throw new InvalidOptionError('an event handler must be a function');
    }
    const worker = new WatcherWorker<TEvent>(
      name ?? `watcher-${this.#watchers.length + 1}`,
      handler,
      this.queueLength,
      this.logger,
    );
    if (this.#closed) {
      this.logger.error('Unable to start event watcher (will not retry!)', {
        watcher: worker.name,
        reason: 'the broadcaster was shut down',
      });
      worker.stop();
    } else {
      this.#watchers.push(worker);
      this.#attach(worker);
    }
    return {
      stop: () => this.#detach(worker),
      stats: () => worker.stats(),
    };
  }

  /** The name for the next sink. */
  nextSinkName(): string {
    return `sink-${this.#sinks.length + 1}`;
  }

  /** Attaches a sink worker; after shutdown it logs and returns a stopped handle. */
  addSink(worker: SinkWorker<TEvent>, onStop?: () => void): WatchHandle {
    const handle: WatchHandle = {
      stop: () => {
        this.#detach(worker);
        onStop?.();
      },
      stats: () => worker.stats(),
    };
    if (this.#closed) {
      this.logger.error('Unable to start recording to sink (will not retry!)', {
        sink: worker.name,
        reason: 'the broadcaster was shut down',
      });
      worker.stop();
      onStop?.();
      return handle;
    }
    this.#sinks.push(worker);
    this.#attach(worker);
    return handle;
  }

  #attach(consumer: Consumer<TEvent>): void {
    this.#consumers = [...this.#consumers, consumer];
  }

  #detach(consumer: Consumer<TEvent>): void {
    this.#consumers = this.#consumers.filter((c) => c !== consumer);
    consumer.stop();
  }

  /** Resolves when every attached consumer is idle. */
  async whenIdle(): Promise<void> {
    // A consumer that went idle may be handed more work by another's
    // delivery (a series heartbeat), so check until all are idle at once.
    for (;;) {
      const consumers = this.#consumers;
      await Promise.all(consumers.map((c) => c.whenIdle()));
      if (this.#consumers.every((c) => c.isIdle())) return;
    }
  }

  /** Stops every consumer; what is still pending counts as `shutdown`. */
  stopAll(): void {
    const consumers = this.#consumers;
    this.#consumers = [];
    for (const c of consumers) c.stop();
  }

  /** The live counters. */
  stats(): BroadcasterStats {
    const sinks = this.#sinks.map((s) => s.stats());
    const watchers = this.#watchers.map((w) => w.stats());
    const dropped = emptyDropCounts();
    let recorded = this.#refusedInvalid + this.#refusedShutdown;
    let delivered = 0;
    let pending = 0;
    dropped.invalid += this.#refusedInvalid;
    dropped.shutdown += this.#refusedShutdown;
    for (const s of sinks) {
      recorded += s.recorded;
      delivered += s.delivered;
      pending += s.pending;
      addDrops(dropped, s.dropped);
    }
    return {
      recorded,
      delivered,
      dropped,
      pending,
      published: this.#published,
      sinks,
      watchers,
    };
  }
}
