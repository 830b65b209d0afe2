import {
  isSinkError,
  type Clock,
  type DropReason,
  type Logger,
  type Timer,
} from '@event-recorder/core';
import { BoundedQueue } from './boundedQueue.js';
import type { RetryPolicy } from './retryPolicy.js';
import { Ledger, type ConsumerStats } from './stats.js';

/** The minimal sink surface a worker writes to. */
export interface WritableSink<TEvent> {
  create(event: TEvent): Promise<TEvent>;
  patch(event: TEvent, patch: string): Promise<TEvent>;
  createNow?(event: TEvent): TEvent | undefined;
  patchNow?(event: TEvent, patch: string): TEvent | undefined;
}

/** One write to a sink, standing for one or more recorded occurrences. */
export interface WriteUnit<TEvent> {
  /** The event to create, or whose stored copy to patch. */
  event: TEvent;
  /** The patch body, when the write is a patch (falls back to create on NotFound). */
  patch: string | undefined;
  /** Whether it is an events.k8s.io series write. */
  series: boolean;
  /** How many recorded occurrences this write delivers. */
  occurrences: number;
  /** The stored event it targets (`namespace/name`), used for per-event ordering. */
  key: string | undefined;
  /** Attempts made so far. */
  attempts: number;
  /** Set once counted as delivered or dropped. */
  settled: boolean;
  /**
   * Whether the unit is registered in its target's chain (or the loose set).
   * Only the unit in flight may be unregistered: it was admitted while no
   * other write was outstanding, and is registered as soon as another write
   * to its target arrives or it fails.
   */
  chained: boolean;
  /** The pending retry timer, while parked. */
  timer: Timer | undefined;
  /** Called with the sink's reply when the write succeeds. */
  onDelivered: ((reply: TEvent) => void) | undefined;
}

/** A write the worker should make. */
export interface PreparedWrite<TEvent> {
  kind: 'write';
  event: TEvent;
  patch?: string | undefined;
  series?: boolean;
  /**
   * How many recorded occurrences this write delivers.
   * @defaultValue `1` from `prepare`, `0` from `inject`
   */
  occurrences?: number;
  onDelivered?: (reply: TEvent) => void;
}

/** What the worker does with one recorded event. */
export type Prepared<TEvent> =
  | PreparedWrite<TEvent>
  /** Several writes (a series write made due by this occurrence, then its own). */
  | { kind: 'writes'; writes: PreparedWrite<TEvent>[] }
  /** The occurrence is not written now; a later write will carry it. */
  | { kind: 'absorbed' }
  | { kind: 'drop'; reason: DropReason };

/** What a worker needs from its owner. */
export interface SinkWorkerOptions<TEvent> {
  name: string;
  sink: WritableSink<TEvent>;
  queueLength: number;
  /** How many writes may wait for a retry at once. */
  maxRetrying: number;
  maxTriesPerEvent: number;
  policy: RetryPolicy;
  clock: Clock;
  logger: Logger;
  /**
   * Turns a recorded event into a write (correlate, track a series…).
   * `handedOver` tells that this worker holds the only reference to the
   * event (see {@link SinkWorker.offer}), so it may be changed and written
   * instead of a copy.
   */
  prepare(event: TEvent, handedOver: boolean): Prepared<TEvent>;
  /** Called with the server's copy after every successful write. */
  delivered(reply: TEvent): void;
  /** The stored event a write targets, `namespace/name`. */
  targetKey(event: TEvent): string | undefined;
  /** A copy of the event without its resourceVersion, for create. */
  forCreate(event: TEvent): TEvent;
  /** Describes an event for log lines. */
  describe(event: TEvent): Record<string, unknown>;
}

const hints: Record<string, string> = {
  Forbidden:
    'the identity may not write events here: grant create and patch on events (core/v1 "events" or events.k8s.io "events") in this namespace',
  Invalid:
    'the server rejected the event as invalid: check the namespace, the name, the type and the field lengths',
  AlreadyExists:
    'an event with this name already exists: another writer uses the same names',
  NotFound: 'the namespace may not exist',
  RequestConstruction: 'the request could not be built from the event',
};

function errorCode(error: unknown): string {
  return isSinkError(error) ? error.code : 'Unknown';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Delivers one sink's events: a bounded queue, an asynchronous loop, and a
 * bounded retry set. Internal to the broadcasters.
 *
 * Ordering: writes that target the same stored event (same namespace and
 * name) reach the sink in the order their occurrences were recorded, and a
 * newer patch replaces an older write still waiting for a retry (it carries
 * the cumulative count). Writes to other events may overtake a write that is
 * waiting for a retry. With a sequential policy every write is in order.
 */
export class SinkWorker<TEvent> {
  readonly ledger = new Ledger();
  readonly name: string;
  readonly #o: SinkWorkerOptions<TEvent>;
  readonly #queue: BoundedQueue<TEvent>;
  readonly #ready: WriteUnit<TEvent>[] = [];
  /** Outstanding writes per target; the first one is being attempted or parked. */
  readonly #chains = new Map<string, WriteUnit<TEvent>[]>();
  /** Writes with no target key, outstanding (for abandoning them on stop). */
  readonly #loose = new Set<WriteUnit<TEvent>>();
  #parked = 0;
  #inFlight: WriteUnit<TEvent> | undefined;
  #running = false;
  #scheduled = false;
  #stopped = false;
  #sleeping: { timer: Timer; wake: () => void } | undefined;
  #idleWaiters: (() => void)[] = [];
  readonly #logged = new Set<string>();
  #queueFullArmed = true;
  readonly #run = (): void => {
    void this.#loop();
  };

  constructor(options: SinkWorkerOptions<TEvent>) {
    this.#o = options;
    this.name = options.name;
    this.#queue = new BoundedQueue<TEvent>(options.queueLength);
  }

  /** Whether {@link SinkWorker.stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Offers a recorded event. `handedOver` promises that nothing else holds a
   * reference to the event or will use it (the broadcaster's own recorder
   * made it, and this worker is its only consumer). Never blocks, never
   * throws.
   */
  offer(event: TEvent, handedOver = false): boolean {
    this.ledger.recorded++;
    if (this.#stopped) {
      this.ledger.drop('shutdown');
      return false;
    }
    if (!this.#queue.push(event, handedOver)) {
      this.ledger.drop('queueFull');
      if (this.#queueFullArmed) {
        this.#queueFullArmed = false;
        this.#o.logger.warn(
          'Event queue is full, dropping events until it drains',
          { sink: this.name, queueLength: this.#queue.capacity },
        );
      }
      return false;
    }
    if (!this.#running && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#run);
    }
    return true;
  }

  /**
   * Adds a write that does not come from the queue (a series heartbeat or
   * final count). It delivers `occurrences` occurrences that were absorbed
   * earlier (default 0).
   */
  inject(prepared: PreparedWrite<TEvent>): void {
    if (this.#stopped) {
      this.dropAbsorbed('shutdown', prepared.occurrences ?? 0);
      return;
    }
    const unit = this.#unit(prepared, prepared.occurrences ?? 0);
    const now = this.#enqueue(unit);
    if (now !== undefined) this.#ready.push(now);
    this.#wake();
  }

  /** Counts `n` absorbed occurrences that no write will carry as dropped. */
  dropAbsorbed(reason: DropReason, n: number): void {
    if (n > 0) this.ledger.drop(reason, n);
  }

  /** Whether nothing is queued, waiting or being written. */
  isIdle(): boolean {
    return (
      !this.#running &&
      !this.#scheduled &&
      this.#queue.length === 0 &&
      this.#ready.length === 0 &&
      this.#chains.size === 0 &&
      this.#loose.size === 0
    );
  }

  /** Resolves once the worker is idle (or stopped). */
  whenIdle(): Promise<void> {
    if (this.#stopped || this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the worker: everything queued, waiting or being written is counted
   * as dropped for `shutdown`, and later offers are refused. Idempotent.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const _ of this.#queue.drain()) this.ledger.drop('shutdown');
    const units = new Set<WriteUnit<TEvent>>([...this.#ready, ...this.#loose]);
    for (const chain of this.#chains.values())
      for (const u of chain) units.add(u);
    if (this.#inFlight !== undefined) units.add(this.#inFlight);
    for (const unit of units) {
      unit.timer?.cancel();
      if (!unit.settled) {
        unit.settled = true;
        this.ledger.drop('shutdown', unit.occurrences);
      }
    }
    this.#ready.length = 0;
    this.#chains.clear();
    this.#loose.clear();
    this.#parked = 0;
    if (this.#sleeping !== undefined) {
      this.#sleeping.timer.cancel();
      this.#sleeping.wake();
    }
    this.#notifyIdle();
  }

  /** This worker's ledger as {@link ConsumerStats}. */
  stats(): ConsumerStats {
    const l = this.ledger;
    return {
      name: this.name,
      recorded: l.recorded,
      delivered: l.delivered,
      dropped: { ...l.dropped },
      pending: l.pending(),
      queued: this.#queue.length,
      retrying: this.#parked,
      stopped: this.#stopped,
      finalByCode: { ...l.finalByCode },
    };
  }

  #wake(): void {
    if (this.#stopped || this.#running || this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }

  #notifyIdle(): void {
    if (!this.#stopped && !this.isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #unit(p: PreparedWrite<TEvent>, occurrences: number): WriteUnit<TEvent> {
    return {
      event: p.event,
      patch: p.patch,
      series: p.series ?? false,
      occurrences,
      key: this.#o.targetKey(p.event),
      attempts: 0,
      settled: false,
      chained: true,
      timer: undefined,
      onDelivered: p.onDelivered,
    };
  }

  /**
   * Puts a new write behind the outstanding writes to the same event, or
   * merges it into the last of them. Returns the unit when it may be attempted
   * at once.
   */
  #enqueue(unit: WriteUnit<TEvent>): WriteUnit<TEvent> | undefined {
    const key = unit.key;
    if (key === undefined) {
      this.#loose.add(unit);
      return unit;
    }
    const flying = this.#inFlight;
    if (flying !== undefined && !flying.chained && flying.key === key) {
      // The write in flight was admitted unchained; it heads its chain.
      this.#register(flying);
    }
    const chain = this.#chains.get(key);
    if (chain === undefined) {
      this.#chains.set(key, [unit]);
      return unit;
    }
    const last = chain[chain.length - 1]!;
    if (
      unit.patch !== undefined &&
      !this.#o.policy.sequential &&
      last !== this.#inFlight
    ) {
      // A patch carries the full, cumulative state of the event (and falls
      // back to create), so it supersedes a write that is still waiting.
      last.event = unit.event;
      last.patch = unit.patch;
      last.series = unit.series;
      last.onDelivered = unit.onDelivered;
      last.occurrences += unit.occurrences;
      last.attempts = 0;
      return undefined;
    }
    chain.push(unit);
    return undefined;
  }

  #admit(event: TEvent, handedOver: boolean): WriteUnit<TEvent> | undefined {
    let prepared: Prepared<TEvent>;
    try {
      prepared = this.#o.prepare(event, handedOver);
    } catch (error) {
      this.ledger.drop('invalid');
      this.#logOnce(
        'prepare',
        'error',
        'Event correlation failed, dropping the event',
        {
          sink: this.name,
          error: errorMessage(error),
          ...this.#o.describe(event),
        },
      );
      return undefined;
    }
    switch (prepared.kind) {
      case 'drop':
        this.ledger.drop(prepared.reason);
        return undefined;
      case 'absorbed':
        return undefined;
      case 'write': {
        const unit = this.#unit(prepared, prepared.occurrences ?? 1);
        if (
          unit.key !== undefined &&
          this.#chains.size === 0 &&
          this.#ready.length === 0
        ) {
          // Nothing else is outstanding: the loop attempts it at once, so it
          // needs no chain unless another write to its target arrives while
          // it is in flight, or it fails (see #register).
          unit.chained = false;
          return unit;
        }
        return this.#enqueue(unit);
      }
      case 'writes': {
        let first: WriteUnit<TEvent> | undefined;
        for (const w of prepared.writes) {
          const unit = this.#enqueue(this.#unit(w, w.occurrences ?? 1));
          if (unit === undefined) continue;
          if (first === undefined) first = unit;
          else this.#ready.push(unit);
        }
        return first;
      }
    }
  }

  async #loop(): Promise<void> {
    this.#scheduled = false;
    if (this.#running) return;
    this.#running = true;
    try {
      while (!this.#stopped) {
        let unit = this.#ready.shift();
        if (unit === undefined) {
          // A full retry set means the sink is down: stop taking new events so
          // that memory stays bounded; the queue overflows and counts drops.
          if (this.#parked >= this.#o.maxRetrying) break;
          const event = this.#queue.shift();
          if (event === undefined) break;
          unit = this.#admit(event, this.#queue.shiftedFlag);
          if (unit === undefined) continue;
        }
        if (unit.settled) continue;
        // The attempts are inlined here, not in an async method of their own:
        // one promise per write (the sink's) instead of three.
        for (;;) {
          unit.attempts++;
          this.#inFlight = unit;
          const sink = this.#o.sink;
          const patch = unit.patch;
          let reply: TEvent | undefined;
          let failed = false;
          let error: unknown;
          try {
            // A sink that can answer at once does (createNow/patchNow), and
            // the write costs no promise; otherwise, or when it cannot now,
            // the asynchronous method.
            if (patch === undefined) {
              const input = this.#o.forCreate(unit.event);
              reply = sink.createNow?.(input);
              if (reply === undefined) reply = await sink.create(input);
            } else {
              reply = sink.patchNow?.(unit.event, patch);
              if (reply === undefined)
                reply = await sink.patch(unit.event, patch);
            }
          } catch (caught) {
            failed = true;
            error = caught;
          }
          if (
            failed &&
            patch !== undefined &&
            isSinkError(error) &&
            error.code === 'NotFound'
          ) {
            // The stored event expired (or was never created): create it
            // with the cached name and the running count.
            failed = false;
            error = undefined;
            try {
              const input = this.#o.forCreate(unit.event);
              reply = sink.createNow?.(input);
              if (reply === undefined) reply = await sink.create(input);
            } catch (caught) {
              failed = true;
              error = caught;
            }
          }
          this.#inFlight = undefined;
          if (unit.settled) break; // abandoned by stop() meanwhile
          if (!failed) {
            this.#delivered(unit, reply as TEvent);
            break;
          }
          // A failed write stays outstanding (parked, asleep or settled):
          // later writes to its target must queue behind it.
          if (!unit.chained) this.#register(unit);
          const sleepMs = this.#failed(unit, error);
          if (sleepMs === undefined) break;
          if (sleepMs > 0) await this.#sleep(sleepMs);
          if (unit.settled) break;
        }
      }
    } finally {
      this.#running = false;
      if (this.#queue.length === 0) this.#queueFullArmed = true;
      this.#notifyIdle();
    }
  }

  /** Hands a successful write's reply to its owner and settles it. */
  #delivered(unit: WriteUnit<TEvent>, reply: TEvent): void {
    try {
      unit.onDelivered?.(reply);
      this.#o.delivered(reply);
    } catch (error) {
      this.#logOnce(
        'delivered',
        'error',
        'Updating state after a write failed',
        {
          sink: this.name,
          error: errorMessage(error),
        },
      );
    }
    this.#settle(unit, 'delivered');
  }

  /**
   * Decides what follows a failed attempt: settles the write (final, or out
   * of tries) or parks it for a retry, and returns `undefined`; or, with a
   * sequential policy, returns how long to sleep before trying it again.
   */
  #failed(unit: WriteUnit<TEvent>, error: unknown): number | undefined {
    let delay: number | undefined;
    try {
      delay = this.#o.policy.retryDelayMs(error, {
        attempt: unit.attempts,
        series: unit.series,
      });
    } catch {
      delay = undefined;
    }
    if (delay === undefined) {
      const code = errorCode(error);
      this.ledger.finalByCode[code] = (this.ledger.finalByCode[code] ?? 0) + 1;
      this.#logOnce(
        `final:${code}`,
        'error',
        'Sink rejected event (will not retry!)',
        {
          sink: this.name,
          code,
          hint: hints[code],
          error: errorMessage(error),
          ...this.#o.describe(unit.event),
        },
      );
      this.#settle(unit, 'final');
      return;
    }
    if (unit.attempts >= this.#o.maxTriesPerEvent) {
      this.#logOnce(
        'retriesExhausted',
        'error',
        'Unable to write event (retry limit exceeded!)',
        {
          sink: this.name,
          attempts: unit.attempts,
          code: errorCode(error),
          error: errorMessage(error),
          ...this.#o.describe(unit.event),
        },
      );
      this.#settle(unit, 'retriesExhausted');
      return;
    }
    this.#o.logger.debug('Unable to write event (may retry after sleeping)', {
      sink: this.name,
      attempt: unit.attempts,
      delayMs: delay,
      code: errorCode(error),
      error: errorMessage(error),
    });
    if (this.#o.policy.sequential) return delay;
    this.#park(unit, delay);
    return undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.#sleeping = undefined;
        resolve();
      };
      this.#sleeping = { timer: this.#o.clock.setTimer(wake, ms), wake };
    });
  }

  #park(unit: WriteUnit<TEvent>, delay: number): void {
    if (delay <= 0) {
      this.#ready.push(unit);
      return;
    }
    this.#parked++;
    unit.timer = this.#o.clock.setTimer(() => {
      unit.timer = undefined;
      if (unit.settled) return;
      this.#parked--;
      this.#ready.push(unit);
      this.#wake();
    }, delay);
  }

  /** Makes an unchained unit (see {@link WriteUnit.chained}) head its chain. */
  #register(unit: WriteUnit<TEvent>): void {
    unit.chained = true;
    // No chain exists for its key: any write to it that came meanwhile
    // registered the unit first.
    this.#chains.set(unit.key!, [unit]);
  }

  #settle(unit: WriteUnit<TEvent>, outcome: 'delivered' | DropReason): void {
    if (unit.settled) return;
    unit.settled = true;
    if (outcome === 'delivered') this.ledger.delivered += unit.occurrences;
    else this.ledger.drop(outcome, unit.occurrences);
    if (!unit.chained) return;
    if (unit.key === undefined) {
      this.#loose.delete(unit);
      return;
    }
    const chain = this.#chains.get(unit.key);
    if (chain === undefined || chain[0] !== unit) return;
    chain.shift();
    const next = chain[0];
    if (next === undefined) this.#chains.delete(unit.key);
    else this.#ready.push(next);
  }

  #logOnce(
    key: string,
    level: 'warn' | 'error',
    message: string,
    fields: Record<string, unknown>,
  ): void {
    if (this.#logged.has(key)) {
      this.#o.logger.debug(message, fields);
      return;
    }
    this.#logged.add(key);
    this.#o.logger[level](message, {
      ...fields,
      note: 'logged once per sink and reason; later ones are counted in stats()',
    });
  }
}
