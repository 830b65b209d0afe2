import {
  EventBroadcaster,
  EventsBroadcaster,
} from '@event-recorder/broadcaster';
import type {
  BroadcasterStats,
  DeadlineOptions,
  EventBroadcasterOptions,
  EventsBroadcasterOptions,
} from '@event-recorder/broadcaster';
import {
  InvalidOptionError,
  createConsoleLogger,
  realClock,
  sleep,
} from '@event-recorder/core';
import type {
  Clock,
  EventRecorder,
  EventsRecorder,
  Logger,
} from '@event-recorder/core';
import { createEventsRecorderAdapter } from '@event-recorder/recorder';
import {
  CoreV1EventSink,
  EventsV1EventSink,
  toSinkError,
} from '@event-recorder/sink-kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';

/** Which API the adapter writes events through. */
export type EventsApiGroupVersion = 'events.k8s.io/v1' | 'v1';

/** Options of {@link createEventBroadcasterAdapter}. */
export interface EventBroadcasterAdapterOptions {
  /**
   * How many times to retry discovery after a failure that may be a network
   * blip (no answer, 5xx, 429). client-go never retries, so one dropped
   * packet at start-up pins a process to core/v1 for its life.
   * @default 3
   */
  discoveryRetries?: number;
  /**
   * The wait before the first discovery retry, doubled after each.
   * @default 500
   */
  discoveryBackoffMs?: number;
  /**
   * Namespace for events about cluster-scoped objects, given to both sinks.
   * @default 'default'
   */
  clusterScopedNamespace?: 'default' | 'kube-system';
  /**
   * The clock for the broadcasters and the discovery backoff.
   * @default {@link realClock}
   */
  clock?: Clock;
  /**
   * Where the adapter, its broadcasters and sinks log.
   * @default {@link createConsoleLogger}()
   */
  logger?: Logger;
  /** Options for the core/v1 {@link EventBroadcaster} (clock and logger come from above). */
  eventBroadcasterOptions?: Omit<EventBroadcasterOptions, 'clock' | 'logger'>;
  /** Options for the {@link EventsBroadcaster} (clock, logger and sink come from above). */
  eventsBroadcasterOptions?: Omit<
    EventsBroadcasterOptions,
    'clock' | 'logger' | 'sink'
  >;
}

/**
 * client-go's `EventBroadcasterAdapter`: one object that records through
 * events.k8s.io/v1 when the server serves it to this identity, and through
 * core/v1 otherwise. Made by {@link createEventBroadcasterAdapter}.
 */
export interface EventBroadcasterAdapter {
  /** The API chosen by discovery. */
  readonly apiGroupVersion: EventsApiGroupVersion;
  /**
   * Starts writing to the API server: events.k8s.io/v1 events (when chosen)
   * and, as client-go does, core/v1 events from legacy recorders. Aborting
   * `signal` stops the events.k8s.io/v1 recording.
   */
  startRecordingToSink(signal?: AbortSignal): void;
  /**
   * An events.k8s.io-style recorder whose events carry `reportingController`
   * `name`. On the core/v1 fallback it writes core/v1 events and drops
   * `related` and `action`, as client-go's does.
   */
  newRecorder(name: string): EventsRecorder;
  /** A core/v1 recorder with source component `name`, for code not yet ported. */
  deprecatedNewLegacyRecorder(name: string): EventRecorder;
  /**
   * Stops accepting events, delivers what is queued within the deadline, and
   * resolves with both broadcasters' reports.
   */
  shutdown(options?: DeadlineOptions): Promise<{
    core: BroadcasterStats;
    events: BroadcasterStats | undefined;
  }>;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(
      `${name} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}

/**
 * Asks the server whether it serves `events` in events.k8s.io/v1 to this
 * identity. Retries what may be a blip; any other failure means no.
 */
async function discoverEventsV1(
  kubeConfig: KubeConfig,
  retries: number,
  backoffMs: number,
  clock: Clock,
  logger: Logger,
): Promise<boolean> {
  const k8s = await import('@kubernetes/client-node');
  const api = kubeConfig.makeApiClient(k8s.EventsV1Api);
  const context = {
    verb: 'create',
    group: 'events.k8s.io',
    namespace: '',
    name: '',
  } as const;
  for (let attempt = 0; ; attempt++) {
    try {
      const list = await api.getAPIResources();
      return list.resources.some((r) => r.name === 'events');
    } catch (error) {
      const failure = toSinkError(error, context);
      const blip =
        failure.code === 'Transport' ||
        failure.code === 'ServerError' ||
        failure.code === 'TooManyRequests';
      if (!blip || attempt >= retries) {
        logger.info(
          'events.k8s.io/v1 is not available; recording through core/v1',
          {
            reason: failure.code,
            status: failure.status,
            attempts: attempt + 1,
            error: failure.message,
          },
        );
        return false;
      }
      const wait = failure.retryAfterMs ?? backoffMs * 2 ** attempt;
      logger.warn('Discovery of events.k8s.io/v1 failed; retrying', {
        reason: failure.code,
        attempt: attempt + 1,
        waitMs: wait,
      });
      await sleep(clock, wait);
    }
  }
}

/**
 * Creates client-go's `EventBroadcasterAdapter` for a cluster: it discovers
 * events.k8s.io/v1 and, when the server serves it, records with an
 * {@link EventsBroadcaster} into an {@link EventsV1EventSink}; otherwise with
 * an {@link EventBroadcaster} into a {@link CoreV1EventSink}, whose recorder
 * drops `related` and `action`. Unlike client-go, a discovery failure that
 * may be a network blip is retried before falling back.
 *
 * @example
 * ```ts
 * const adapter = await createEventBroadcasterAdapter(kubeConfig);
 * const controller = new AbortController();
 * adapter.startRecordingToSink(controller.signal);
 * const recorder = adapter.newRecorder('test');
 * recorder.eventf(pod, pod, 'Normal', 'test event record', 'add', '');
 * await adapter.shutdown();
 * ```
 */
export async function createEventBroadcasterAdapter(
  kubeConfig: KubeConfig,
  options: EventBroadcasterAdapterOptions = {},
): Promise<EventBroadcasterAdapter> {
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? createConsoleLogger();
  const retries = nonNegativeInteger(
    'discoveryRetries',
    options.discoveryRetries ?? 3,
  );
  const backoffMs = nonNegativeInteger(
    'discoveryBackoffMs',
    options.discoveryBackoffMs ?? 500,
  );
  const clusterScopedNamespace = options.clusterScopedNamespace ?? 'default';

  const eventsV1 = await discoverEventsV1(
    kubeConfig,
    retries,
    backoffMs,
    clock,
    logger,
  );
  const core = new EventBroadcaster({
    ...options.eventBroadcasterOptions,
    clock,
    logger,
  });
  const events = eventsV1
    ? new EventsBroadcaster({
        ...options.eventsBroadcasterOptions,
        clock,
        logger,
        sink: new EventsV1EventSink({
          kubeConfig,
          clusterScopedNamespace,
          logger,
        }),
      })
    : undefined;

  return {
    apiGroupVersion: eventsV1 ? 'events.k8s.io/v1' : 'v1',
    startRecordingToSink(signal?: AbortSignal): void {
      events?.startRecordingToSink(signal);
      core.startRecordingToSink(
        new CoreV1EventSink({ kubeConfig, clusterScopedNamespace, logger }),
      );
    },
    newRecorder(name: string): EventsRecorder {
      if (events !== undefined) return events.newRecorder(name);
      return createEventsRecorderAdapter(core.newRecorder({ component: name }));
    },
    deprecatedNewLegacyRecorder(name: string): EventRecorder {
      return core.newRecorder({ component: name });
    },
    async shutdown(deadline: DeadlineOptions = {}) {
      const [coreReport, eventsReport] = await Promise.all([
        core.shutdown(deadline),
        events?.shutdown(deadline),
      ]);
      return { core: coreReport, events: eventsReport };
    },
  };
}
