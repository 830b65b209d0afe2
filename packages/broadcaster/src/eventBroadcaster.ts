import {
  createConsoleLogger,
  InvalidOptionError,
  realClock,
  type Clock,
  type Event,
  type EventPublisher,
  type EventRecorder,
  type EventSink,
  type EventSource,
  type Logger,
} from '@event-recorder/core';
import {
  EventCorrelator,
  type EventCorrelatorOptions,
} from '@event-recorder/correlator';
import { createEventRecorder } from '@event-recorder/recorder';
import {
  Fanout,
  nonNegativeNumber,
  positiveInteger,
  withDeadline,
  type DeadlineOptions,
} from './fanout.js';
import { eventLogFields, formatEventLine } from './logFormat.js';
import {
  describeObject,
  forCreate,
  isEventSink,
  targetKey,
} from './eventIdentity.js';
import { resolveRetryPolicy, type RetryPolicyOption } from './retryPolicy.js';
import { SinkWorker } from './sinkWorker.js';
import type { BroadcasterStats } from './stats.js';
import type { EventHandler, WatchHandle } from './watcherWorker.js';

/** The options of `@event-recorder/correlator`'s `EventCorrelator`. */
export type CorrelatorOptions = EventCorrelatorOptions;

/** Options for {@link EventBroadcaster}. Every one has client-go's default. */
export interface EventBroadcasterOptions {
  /**
   * The capacity of each consumer's queue (every sink and every watcher has
   * its own). A full queue drops the event and counts it as `queueFull`.
   * @defaultValue `1000` (client-go's `maxQueuedEvents`)
   */
  queueLength?: number;
  /**
   * client-go's base retry sleep. The `'client-go'` policy uses it as is; the
   * `'default'` policy backs off from `sleepDurationMs / 10` up to
   * `3 × sleepDurationMs`. `0` retries at once (for tests).
   * @defaultValue `10000`
   */
  sleepDurationMs?: number;
  /**
   * The most attempts per write, counting the first.
   * @defaultValue `12`
   */
  maxTriesPerEvent?: number;
  /**
   * The most writes per sink that may wait for a retry at once. When the retry
   * set is full, the sink takes no new events until one settles, so its queue
   * fills and drops are counted: memory stays bounded while a sink is down.
   * @defaultValue `queueLength`
   */
  maxRetrying?: number;
  /**
   * Options for the `EventCorrelator` that each sink gets (aggregation, spam
   * filter, LRU size). Its `clock` defaults to the broadcaster's.
   * @defaultValue client-go's (burst 25, 1 token per 300 s, LRU 4096…)
   */
  correlatorOptions?: CorrelatorOptions;
  /**
   * The clock for timestamps, the correlator, retry delays and deadlines.
   * @defaultValue `realClock` (its timers never keep the process alive)
   */
  clock?: Clock;
  /**
   * Where the broadcaster reports drops and rejections, and where
   * {@link EventBroadcaster.startStructuredLogging} writes.
   * @defaultValue a JSON-lines logger on stderr (`createConsoleLogger()`)
   */
  logger?: Logger;
  /**
   * How failed writes are retried: `'default'` (retry Transport, ServerError
   * and TooManyRequests with jittered exponential backoff, without holding up
   * the sink's other events), `'client-go'` (client-go exactly), or your own
   * {@link RetryPolicy}.
   * @defaultValue `'default'`
   */
  retryPolicy?: RetryPolicyOption;
  /**
   * The random source for retry jitter, for tests.
   * @defaultValue `Math.random`
   */
  random?: () => number;
}

/** Options for {@link EventBroadcaster.startRecordingToSink}. */
export interface RecordingOptions {
  /**
   * The name under which this sink appears in stats and logs.
   * @defaultValue `sink-<n>`
   */
  name?: string;
}

/** Options for {@link EventBroadcaster.newRecorder}. */
export interface NewRecorderOptions {
  /**
   * The namespace for events about cluster-scoped objects.
   * @defaultValue `'default'`, as client-go
   */
  clusterScopedNamespace?: string;
}

function describe(event: Event): Record<string, unknown> {
  const ref = event.involvedObject;
  return {
    event: targetKey(event),
    involvedObject: describeObject(ref),
    reason: event.reason,
    type: event.type,
  };
}

/**
 * Distributes core/v1 events from recorders to sinks, watchers and logs, as
 * client-go's `record.EventBroadcaster`, with bounded memory, accounting for
 * every occurrence, and a flush.
 *
 * - Recording never blocks and never throws. Each consumer has its own bounded
 *   queue and asynchronous delivery loop, so a slow or failing sink never
 *   delays another; a full queue drops and counts.
 * - Each sink gets its own `EventCorrelator` (aggregation, counting, spam
 *   filter), then a create or a patch (falling back to create on NotFound),
 *   then `updateState` with the sink's reply.
 * - Ordering: writes to the same stored event reach a sink in recording
 *   order; with the default retry policy, writes to other events may overtake
 *   one that waits for a retry.
 *
 * @example
 * ```ts
 * const broadcaster = new EventBroadcaster();
 * broadcaster.startStructuredLogging(0);
 * broadcaster.startRecordingToSink(new MemorySink());
 * const recorder = broadcaster.newRecorder({ component: 'my-controller' });
 * recorder.eventf(pod, 'Normal', 'Started', 'Started container %s', 'web');
 * const report = await broadcaster.shutdown({ timeoutMs: 5000 });
 * ```
 */
export class EventBroadcaster implements EventPublisher<Event> {
  readonly #fanout: Fanout<Event>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: Required<
    Pick<
      EventBroadcasterOptions,
      'sleepDurationMs' | 'maxTriesPerEvent' | 'maxRetrying' | 'queueLength'
    >
  >;
  readonly #correlatorOptions: CorrelatorOptions;
  readonly #retryPolicy: RetryPolicyOption | undefined;
  readonly #random: (() => number) | undefined;
  readonly #sinks = new Set<EventSink<Event>>();
  #shutdown: Promise<BroadcasterStats> | undefined;
  /**
   * Where this broadcaster's own recorders publish: their events are fresh
   * objects that nothing else holds, so a single sink may take them over.
   * They still go through {@link EventBroadcaster.publish} when it has been
   * replaced (a subclass's override, a test spy), which then sees them as
   * before and gets no hand-over. (An event given to `publish` stays the
   * caller's.)
   */
  readonly #recorderPort: EventPublisher<Event> = {
    publish: (event) =>
      this.publish === EventBroadcaster.prototype.publish
        ? this.#fanout.publish(event, true)
        : this.publish(event),
    reportInvalid: (reason) => this.reportInvalid(reason),
  };

  /**
   * Creates a broadcaster. Throws `InvalidOptionError` for an option that can
   * never work (a queue length of 0…).
   */
  constructor(options: EventBroadcasterOptions = {}) {
    const queueLength = positiveInteger(
      'queueLength',
      options.queueLength ?? 1000,
    );
    this.#options = {
      queueLength,
      sleepDurationMs: nonNegativeNumber(
        'sleepDurationMs',
        options.sleepDurationMs ?? 10_000,
      ),
      maxTriesPerEvent: positiveInteger(
        'maxTriesPerEvent',
        options.maxTriesPerEvent ?? 12,
      ),
      maxRetrying: positiveInteger(
        'maxRetrying',
        options.maxRetrying ?? queueLength,
      ),
    };
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? createConsoleLogger();
    this.#correlatorOptions = options.correlatorOptions ?? {};
    this.#retryPolicy = options.retryPolicy;
    this.#random = options.random;
    // Fail fast on a bad policy rather than at the first failed write.
    resolveRetryPolicy(this.#retryPolicy, 0, 'record');
    this.#fanout = new Fanout<Event>(queueLength, this.#logger);
  }

  /**
   * Accepts an event from a recorder: hands it to every consumer's queue.
   * Never blocks and never throws. Returns `false` when some consumer dropped
   * it (queue full) or the broadcaster is shut down; the drop is counted.
   */
  publish(event: Event): boolean {
    return this.#fanout.publish(event);
  }

  /** Counts an occurrence that a recorder refused (no kind, bad type…) as `invalid`. */
  reportInvalid(_reason: string): void {
    this.#fanout.reportInvalid();
  }

  /**
   * Calls `handler` for every event recorded from now on, from the watcher's
   * own bounded queue. A handler that returns a promise delays only its own
   * watcher.
   */
  startEventWatcher(
    handler: EventHandler<Event>,
    options: { name?: string } = {},
  ): WatchHandle {
    return this.#fanout.addWatcher(options.name, handler);
  }

  /**
   * Writes events to `sink`: correlate (with a correlator of its own), then
   * create or patch, retrying per the retry policy. Returns a handle whose
   * `stop()` detaches the sink.
   */
  startRecordingToSink(
    sink: EventSink<Event>,
    options: RecordingOptions = {},
  ): WatchHandle {
    if (!isEventSink<Event>(sink)) {
      throw new InvalidOptionError(
        'startRecordingToSink needs a sink with create() and patch()',
      );
    }
    const correlator = new EventCorrelator({
      clock: this.#clock,
      ...this.#correlatorOptions,
    });
    const worker = new SinkWorker<Event>({
      name: options.name ?? this.#fanout.nextSinkName(),
      sink,
      queueLength: this.#options.queueLength,
      maxRetrying: this.#options.maxRetrying,
      maxTriesPerEvent: this.#options.maxTriesPerEvent,
      policy: resolveRetryPolicy(
        this.#retryPolicy,
        this.#options.sleepDurationMs,
        'record',
        this.#random,
      ),
      clock: this.#clock,
      logger: this.#logger,
      prepare: (event, handedOver) => {
        // An event handed over (made by this broadcaster's own recorder, for
        // this sink alone) is correlated in place instead of copied.
        const result = handedOver
          ? correlator.correlateOwned(event)
          : correlator.correlate(event);
        // The correlator reports an error only for input that is not an
        // event at all; that is an invalid drop, not spam.
        if (result.skip) {
          return {
            kind: 'drop',
            reason: result.error === undefined ? 'spam' : 'invalid',
          };
        }
        return { kind: 'write', event: result.event, patch: result.patch };
      },
      delivered: (reply) => correlator.updateState(reply),
      targetKey,
      forCreate,
      describe,
    });
    this.#sinks.add(sink);
    return this.#fanout.addSink(worker, () => this.#sinks.delete(sink));
  }

  /**
   * Calls `logf` with client-go's line for every event:
   * `Event(v1.ObjectReference{…}): type: 'Normal' reason: 'Started' message`.
   */
  startLogging(logf: (line: string) => void): WatchHandle {
    if (typeof logf !== 'function') {
      throw new InvalidOptionError('startLogging needs a function');
    }
    return this.#fanout.addWatcher('logging', (event) =>
      logf(formatEventLine(event)),
    );
  }

  /**
   * Logs `"Event occurred"` through the logger for every event, with the keys
   * `object` (`namespace/name`), `fieldPath`, `kind`, `apiVersion`, `type`,
   * `reason` and `message`. Verbosity 0 logs at `info`, higher at `debug`.
   */
  startStructuredLogging(verbosity = 0): WatchHandle {
    const logger = this.#logger;
    const log =
      verbosity > 0 ? logger.debug.bind(logger) : logger.info.bind(logger);
    return this.#fanout.addWatcher('structured-logging', (event) =>
      log('Event occurred', eventLogFields(event)),
    );
  }

  /**
   * A recorder that publishes to this broadcaster, stamping `source` on its
   * events (a string is the component).
   */
  newRecorder(
    source: EventSource | string,
    options: NewRecorderOptions = {},
  ): EventRecorder {
    return createEventRecorder({
      publisher: this.#recorderPort,
      source: typeof source === 'string' ? { component: source } : source,
      clock: this.#clock,
      logger: this.#logger,
      ...(options.clusterScopedNamespace === undefined
        ? {}
        : { clusterScopedNamespace: options.clusterScopedNamespace }),
    });
  }

  /**
   * Waits until every queue is empty and no write is in flight or waiting for
   * a retry, or until the deadline, and resolves with the counters. Nothing
   * is dropped by a flush: what is left is reported as `pending`.
   */
  async flush(options: DeadlineOptions = {}): Promise<BroadcasterStats> {
    const timeoutMs = nonNegativeNumber(
      'timeoutMs',
      options.timeoutMs ?? 10_000,
    );
    await withDeadline(this.#clock, timeoutMs, this.#fanout.whenIdle());
    return this.stats();
  }

  /**
   * Stops accepting events (later ones are counted as `shutdown` drops), then
   * delivers everything already queued, retries included, until the
   * deadline. What is left then is counted as `shutdown` drops, sinks are
   * closed, and the final report is returned. Idempotent: a second call
   * returns the same report.
   */
  shutdown(options: DeadlineOptions = {}): Promise<BroadcasterStats> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const timeoutMs = nonNegativeNumber(
      'timeoutMs',
      options.timeoutMs ?? 10_000,
    );
    this.#fanout.close();
    this.#shutdown = this.#drainAndStop(timeoutMs);
    return this.#shutdown;
  }

  async #drainAndStop(timeoutMs: number): Promise<BroadcasterStats> {
    const started = this.#clock.now().getTime();
    const drained = await withDeadline(
      this.#clock,
      timeoutMs,
      this.#fanout.whenIdle(),
    );
    this.#fanout.stopAll();
    if (!drained) {
      this.#logger.warn('Shutdown deadline passed with events undelivered', {
        timeoutMs,
        dropped: this.#fanout.stats().dropped.shutdown,
      });
    }
    const left = Math.max(
      0,
      timeoutMs - (this.#clock.now().getTime() - started),
    );
    const closes = [...this.#sinks].map(async (sink) => {
      try {
        await sink.close?.();
      } catch (error) {
        this.#logger.warn('Closing a sink failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
    this.#sinks.clear();
    await withDeadline(this.#clock, left, Promise.all(closes));
    return this.stats();
  }

  /** The live counters: the same report as `flush` and `shutdown`. */
  stats(): BroadcasterStats {
    return this.#fanout.stats();
  }
}
