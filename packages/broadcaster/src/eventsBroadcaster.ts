import {
  createConsoleLogger,
  InvalidOptionError,
  realClock,
  type Clock,
  type EventPublisher,
  type EventSink,
  type EventsRecorder,
  type EventsV1Event,
  type Logger,
  type Timer,
} from '@event-recorder/core';
import {
  EventSeriesTracker,
  seriesFinishTimeMs,
  seriesRefreshTimeMs,
  type NotePolicy,
  type SeriesWrite,
} from '@event-recorder/correlator';
import { createEventsRecorder } from '@event-recorder/recorder';
import {
  Fanout,
  nonNegativeNumber,
  positiveInteger,
  withDeadline,
  type DeadlineOptions,
} from './fanout.js';
import {
  describeObject,
  forCreate,
  isEventSink,
  targetKey,
} from './eventIdentity.js';
import { eventsV1LogFields } from './logFormat.js';
import { resolveRetryPolicy, type RetryPolicyOption } from './retryPolicy.js';
import { SinkWorker, type PreparedWrite } from './sinkWorker.js';
import type { BroadcasterStats } from './stats.js';
import type { EventHandler, WatchHandle } from './watcherWorker.js';

/** Options for {@link EventsBroadcaster}. */
export interface EventsBroadcasterOptions {
  /**
   * The sink that {@link EventsBroadcaster.startRecordingToSink} writes to
   * when it is given no sink, as client-go's `events.NewBroadcaster(sink)`.
   */
  sink?: EventSink<EventsV1Event>;
  /**
   * The capacity of each consumer's queue (every sink and every watcher has
   * its own). A full queue drops the event and counts it as `queueFull`.
   * @defaultValue `1000` (client-go's `maxQueuedEvents`)
   */
  queueLength?: number;
  /**
   * client-go's base retry sleep. The `'client-go'` policy waits
   * `sleepDurationMs × (1 + 0.25 × U[0,1))` between attempts; the `'default'`
   * policy backs off from `sleepDurationMs / 10` up to `3 × sleepDurationMs`.
   * @defaultValue `10000`
   */
  sleepDurationMs?: number;
  /**
   * The most attempts per write, counting the first.
   * @defaultValue `12`
   */
  maxTriesPerEvent?: number;
  /**
   * The most writes per sink that may wait for a retry at once; beyond it the
   * sink takes no new events until one settles, so memory stays bounded.
   * @defaultValue `queueLength`
   */
  maxRetrying?: number;
  /**
   * What a repeat with a different note does: `'first'` keeps the series'
   * first note (client-go), `'latest'` ends the series and starts a new event.
   * @defaultValue `'first'`
   */
  notePolicy?: NotePolicy;
  /**
   * How many isomorphic keys each sink's series tracker follows at once
   * (client-go has no bound). An evicted open series gets its final count
   * written.
   * @defaultValue `4096`
   */
  maxSeries?: number;
  /**
   * The clock for eventTime, series times, the heartbeat (30 min) and finish
   * (6 min) timers, retry delays and deadlines.
   * @defaultValue `realClock` (its timers never keep the process alive)
   */
  clock?: Clock;
  /**
   * Where the broadcaster reports drops and rejections, and where the logging
   * watchers write.
   * @defaultValue a JSON-lines logger on stderr (`createConsoleLogger()`)
   */
  logger?: Logger;
  /**
   * How failed writes are retried: `'default'`, `'client-go'` (client-go's
   * `tools/events` exactly: only errors without an HTTP answer, plus
   * AlreadyExists on a series write, every 10–12.5 s, in place), or your own
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

/** Options for {@link EventsBroadcaster.startRecordingToSink}. */
export interface EventsRecordingOptions {
  /**
   * The name under which this sink appears in stats and logs.
   * @defaultValue `sink-<n>`
   */
  name?: string;
  /** Stops this recording when aborted, as client-go's `stopCh`. */
  signal?: AbortSignal;
}

/** Options for {@link EventsBroadcaster.newRecorder}. */
export interface NewEventsRecorderOptions {
  /**
   * The instance of the controller.
   * @defaultValue `` `${reportingController}-${os.hostname()}` ``
   */
  reportingInstance?: string;
  /**
   * The namespace for events about cluster-scoped objects.
   * @defaultValue `'default'`
   */
  clusterScopedNamespace?: string;
}

interface Recording {
  worker: SinkWorker<EventsV1Event>;
  tracker: EventSeriesTracker;
  sink: EventSink<EventsV1Event>;
}

/** A tracker write as a worker write, with the occurrences it reports. */
function toWrite(write: SeriesWrite): PreparedWrite<EventsV1Event> {
  return write.kind === 'patch'
    ? {
        kind: 'write',
        event: write.event,
        patch: write.patch,
        series: true,
        occurrences: write.occurrences,
      }
    : { kind: 'write', event: write.event, occurrences: write.occurrences };
}

function describe(event: EventsV1Event): Record<string, unknown> {
  const ref = event.regarding;
  return {
    event: targetKey(event),
    regarding: describeObject(ref),
    reason: event.reason,
    action: event.action,
    type: event.type,
  };
}

/**
 * Distributes events.k8s.io/v1 events to sinks and watchers, as client-go's
 * `tools/events` broadcaster: each sink gets a series tracker (the first
 * occurrence is created, the second patches `series.count = 2`, later ones
 * count locally), a 30-minute heartbeat that writes open series counts, and a
 * 6-minute finish pass that writes final counts and forgets idle keys.
 *
 * Its timers follow the injected clock and never keep the process alive.
 * Beyond client-go: bounded queues and workers instead of a goroutine per
 * event, ordered writes per stored event, drop accounting, and a `flush` and
 * `shutdown` that write the counts client-go loses.
 *
 * @example
 * ```ts
 * const sink = new MemorySink().eventsV1();
 * const broadcaster = new EventsBroadcaster({ sink });
 * broadcaster.startRecordingToSink();
 * const recorder = broadcaster.newRecorder('example.com/my-controller');
 * recorder.eventf(pod, undefined, 'Warning', 'BackOff', 'Restarting', 'Back-off %d', 3);
 * await broadcaster.shutdown({ timeoutMs: 5000 });
 * ```
 */
export class EventsBroadcaster implements EventPublisher<EventsV1Event> {
  readonly #fanout: Fanout<EventsV1Event>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #sink: EventSink<EventsV1Event> | undefined;
  readonly #queueLength: number;
  readonly #sleepDurationMs: number;
  readonly #maxTriesPerEvent: number;
  readonly #maxRetrying: number;
  readonly #notePolicy: NotePolicy;
  readonly #maxSeries: number | undefined;
  readonly #retryPolicy: RetryPolicyOption | undefined;
  readonly #random: (() => number) | undefined;
  readonly #recordings = new Set<Recording>();
  #heartbeat: Timer | undefined;
  #finish: Timer | undefined;
  #shutdown: Promise<BroadcasterStats> | undefined;

  /**
   * Creates a broadcaster. Throws `InvalidOptionError` for an option that can
   * never work.
   */
  constructor(options: EventsBroadcasterOptions = {}) {
    if (
      options.sink !== undefined &&
      !isEventSink<EventsV1Event>(options.sink)
    ) {
      throw new InvalidOptionError('sink needs create() and patch()');
    }
    this.#sink = options.sink;
    this.#queueLength = positiveInteger(
      'queueLength',
      options.queueLength ?? 1000,
    );
    this.#sleepDurationMs = nonNegativeNumber(
      'sleepDurationMs',
      options.sleepDurationMs ?? 10_000,
    );
    this.#maxTriesPerEvent = positiveInteger(
      'maxTriesPerEvent',
      options.maxTriesPerEvent ?? 12,
    );
    this.#maxRetrying = positiveInteger(
      'maxRetrying',
      options.maxRetrying ?? this.#queueLength,
    );
    this.#notePolicy = options.notePolicy ?? 'first';
    this.#maxSeries = options.maxSeries;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? createConsoleLogger();
    this.#retryPolicy = options.retryPolicy;
    this.#random = options.random;
    resolveRetryPolicy(this.#retryPolicy, 0, 'events');
    // Fail fast on bad tracker options.
    this.#newTracker();
    this.#fanout = new Fanout<EventsV1Event>(this.#queueLength, this.#logger);
  }

  /**
   * Accepts an event from a recorder. Never blocks and never throws. Returns
   * `false` when some consumer dropped it or the broadcaster is shut down.
   */
  publish(event: EventsV1Event): boolean {
    return this.#fanout.publish(event);
  }

  /** Counts an occurrence that a recorder refused as `invalid`. */
  reportInvalid(_reason: string): void {
    this.#fanout.reportInvalid();
  }

  /** Calls `handler` for every event recorded from now on, from its own bounded queue. */
  startEventWatcher(
    handler: EventHandler<EventsV1Event>,
    options: { name?: string } = {},
  ): WatchHandle {
    return this.#fanout.addWatcher(options.name, handler);
  }

  /**
   * Logs `"Event occurred"` for every event through `logger` (at `info`),
   * with the keys `object`, `kind`, `apiVersion`, `type`, `reason`, `action`
   * and `note`, as client-go's `StartLogging(logger)`.
   *
   * @param logger - @defaultValue the broadcaster's logger
   */
  startLogging(logger: Logger = this.#logger): WatchHandle {
    return this.#fanout.addWatcher('logging', (event) =>
      logger.info('Event occurred', eventsV1LogFields(event)),
    );
  }

  /** Like {@link EventsBroadcaster.startLogging}; verbosity above 0 logs at `debug`. */
  startStructuredLogging(verbosity = 0): WatchHandle {
    const logger = this.#logger;
    const log =
      verbosity > 0 ? logger.debug.bind(logger) : logger.info.bind(logger);
    return this.#fanout.addWatcher('structured-logging', (event) =>
      log('Event occurred', eventsV1LogFields(event)),
    );
  }

  /**
   * Writes events to a sink through a series tracker of its own: to `sink`,
   * or to the sink given to the constructor when called with an
   * `AbortSignal` (client-go's `stopCh`) or nothing. Starting a second
   * recording to the same sink is a programmer error (it would write every
   * occurrence twice).
   */
  startRecordingToSink(
    sinkOrSignal?: EventSink<EventsV1Event> | AbortSignal,
    options: EventsRecordingOptions = {},
  ): WatchHandle {
    let sink = this.#sink;
    let signal = options.signal;
    if (sinkOrSignal instanceof AbortSignal) signal = sinkOrSignal;
    else if (sinkOrSignal !== undefined) sink = sinkOrSignal;
    if (!isEventSink<EventsV1Event>(sink)) {
      throw new InvalidOptionError(
        'startRecordingToSink needs a sink with create() and patch(), here or in the options',
      );
    }
    for (const r of this.#recordings) {
      if (r.sink === sink && !r.worker.stopped) {
        throw new InvalidOptionError(
          'the broadcaster is already recording to this sink',
        );
      }
    }
    const tracker = this.#newTracker();
    const worker = new SinkWorker<EventsV1Event>({
      name: options.name ?? this.#fanout.nextSinkName(),
      sink,
      queueLength: this.#queueLength,
      maxRetrying: this.#maxRetrying,
      maxTriesPerEvent: this.#maxTriesPerEvent,
      policy: resolveRetryPolicy(
        this.#retryPolicy,
        this.#sleepDurationMs,
        'events',
        this.#random,
      ),
      clock: this.#clock,
      logger: this.#logger,
      prepare: (event) => {
        const writes = tracker.observe(event, this.#clock.now());
        // Counted into its series by the tracker, which reports it with the
        // series' next write.
        if (writes.length === 0) return { kind: 'absorbed' };
        if (writes.length === 1) return toWrite(writes[0]!);
        return { kind: 'writes', writes: writes.map(toWrite) };
      },
      delivered: () => undefined,
      targetKey,
      forCreate,
      describe,
    });
    const recording: Recording = { worker, tracker, sink };
    this.#recordings.add(recording);
    const handle = this.#fanout.addSink(worker, () => {
      this.#recordings.delete(recording);
      worker.dropAbsorbed('shutdown', tracker.takeUnsent());
    });
    if (signal !== undefined) {
      if (signal.aborted) handle.stop();
      else
        signal.addEventListener('abort', () => handle.stop(), { once: true });
    }
    this.#armTimers();
    return handle;
  }

  /**
   * A recorder that publishes to this broadcaster, with `reportingController`
   * (such as `example.com/my-controller`) on its events.
   */
  newRecorder(
    reportingController: string,
    options: NewEventsRecorderOptions = {},
  ): EventsRecorder {
    return createEventsRecorder({
      publisher: this,
      reportingController,
      clock: this.#clock,
      logger: this.#logger,
      ...(options.reportingInstance === undefined
        ? {}
        : { reportingInstance: options.reportingInstance }),
      ...(options.clusterScopedNamespace === undefined
        ? {}
        : { clusterScopedNamespace: options.clusterScopedNamespace }),
    });
  }

  /**
   * Writes the counts of series that grew since their last write, waits until
   * every queue is empty and no write is in flight or waiting for a retry, or
   * until the deadline, and resolves with the counters.
   */
  async flush(options: DeadlineOptions = {}): Promise<BroadcasterStats> {
    const timeoutMs = nonNegativeNumber(
      'timeoutMs',
      options.timeoutMs ?? 10_000,
    );
    const idle = (async () => {
      // Queued events may grow series: drain, then write the counts.
      await this.#fanout.whenIdle();
      this.#writeOpenSeries(false);
      await this.#fanout.whenIdle();
    })();
    await withDeadline(this.#clock, timeoutMs, idle);
    return this.stats();
  }

  /**
   * Stops accepting events (later ones are counted as `shutdown` drops),
   * delivers what is queued, writes the current count of every open series
   * (client-go loses them), stops the heartbeat and finish timers, and
   * resolves with the final report within the deadline; what is left then is
   * counted as `shutdown` drops. Idempotent.
   */
  shutdown(options: DeadlineOptions = {}): Promise<BroadcasterStats> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const timeoutMs = nonNegativeNumber(
      'timeoutMs',
      options.timeoutMs ?? 10_000,
    );
    this.#fanout.close();
    this.#heartbeat?.cancel();
    this.#finish?.cancel();
    this.#shutdown = this.#drainAndStop(timeoutMs);
    return this.#shutdown;
  }

  /** The live counters: the same report as `flush` and `shutdown`. */
  stats(): BroadcasterStats {
    return this.#fanout.stats();
  }

  async #drainAndStop(timeoutMs: number): Promise<BroadcasterStats> {
    const started = this.#clock.now().getTime();
    const idle = (async () => {
      await this.#fanout.whenIdle();
      this.#writeOpenSeries(true);
      await this.#fanout.whenIdle();
    })();
    const drained = await withDeadline(this.#clock, timeoutMs, idle);
    const sinks = [...this.#recordings].map((r) => r.sink);
    this.#fanout.stopAll();
    // Occurrences counted into a series whose count was never written (the
    // deadline came first) are dropped too, so the ledgers add up.
    for (const r of this.#recordings) {
      r.worker.dropAbsorbed('shutdown', r.tracker.takeUnsent());
    }
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
    const closes = sinks.map(async (sink) => {
      try {
        await sink.close?.();
      } catch (error) {
        this.#logger.warn('Closing a sink failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
    await withDeadline(this.#clock, left, Promise.all(closes));
    return this.stats();
  }

  #newTracker(): EventSeriesTracker {
    return new EventSeriesTracker({
      notePolicy: this.#notePolicy,
      clock: this.#clock,
      ...(this.#maxSeries === undefined ? {} : { maxEntries: this.#maxSeries }),
    });
  }

  #inject(recording: Recording, writes: SeriesWrite[]): void {
    for (const w of writes) recording.worker.inject(toWrite(w));
  }

  /** Writes open series: all of them (shutdown), or those with unsent occurrences. */
  #writeOpenSeries(all: boolean): void {
    for (const r of this.#recordings) {
      this.#inject(r, r.tracker.openSeries({ onlyUnsent: !all }));
    }
  }

  #armTimers(): void {
    if (this.#fanout.closed) return;
    if (this.#heartbeat === undefined) {
      const beat = (): void => {
        if (this.#fanout.closed) return;
        const now = this.#clock.now();
        for (const r of this.#recordings)
          this.#inject(r, r.tracker.heartbeat(now));
        this.#heartbeat = this.#clock.setTimer(beat, seriesRefreshTimeMs);
      };
      this.#heartbeat = this.#clock.setTimer(beat, seriesRefreshTimeMs);
    }
    if (this.#finish === undefined) {
      const finish = (): void => {
        if (this.#fanout.closed) return;
        const now = this.#clock.now();
        for (const r of this.#recordings)
          this.#inject(r, r.tracker.finish(now));
        this.#finish = this.#clock.setTimer(finish, seriesFinishTimeMs);
      };
      this.#finish = this.#clock.setTimer(finish, seriesFinishTimeMs);
    }
  }
}
