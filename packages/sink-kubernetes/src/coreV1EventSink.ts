import { validateEventCreate } from '@event-recorder/core';
import type { Event, EventSink, Logger } from '@event-recorder/core';
import type {
  CoreV1Api,
  CoreV1Event,
  KubeConfig,
} from '@kubernetes/client-node';
import { EventSinkCore } from './eventSinkCore.js';
import type { EventApiAdapter } from './eventSinkCore.js';
import type { KubernetesSinkStats } from './shared.js';
import { coreEventFromWire, coreEventToWire } from './wire.js';

const coreV1: EventApiAdapter<Event, CoreV1Api> = {
  sinkName: 'CoreV1EventSink',
  group: '',
  noteKey: 'message',
  makeClient: (kubeConfig, k8s) => kubeConfig.makeApiClient(k8s.CoreV1Api),
  regardingNamespace: (event) => event.involvedObject.namespace,
  // The server limits these only on new-style events (with eventTime).
  limitsFields: (event) => event.eventTime !== undefined,
  limitsPatchMessage: (event) => event.eventTime !== undefined,
  validate: (event) => validateEventCreate(event, 'v1'),
  create: (api, namespace, body) =>
    api.createNamespacedEvent({ namespace, body: body as CoreV1Event }),
  replace: (api, name, namespace, body) =>
    api.replaceNamespacedEvent({ name, namespace, body: body as CoreV1Event }),
  patch: (api, name, namespace, body, options) =>
    api.patchNamespacedEvent({ name, namespace, body }, options),
  toWire: coreEventToWire,
  fromWire: coreEventFromWire,
};

/** Options of {@link CoreV1EventSink}. Give exactly one of `kubeConfig` or `api`. */
export interface CoreV1EventSinkOptions {
  /** The cluster and credentials; the sink makes its own `CoreV1Api` from it. */
  kubeConfig?: KubeConfig;
  /** A ready `CoreV1Api` client, for example one with your own middleware. */
  api?: CoreV1Api;
  /**
   * The namespace for events about cluster-scoped objects (such as a Node),
   * whose `involvedObject.namespace` is empty. The API server accepts only
   * `default` for such core/v1 events without `eventTime`, and `default` or
   * `kube-system` for those with it.
   * @default 'default'
   */
  clusterScopedNamespace?: 'default' | 'kube-system';
  /**
   * Where the sink reports truncations, local rejections and the Forbidden
   * diagnostic.
   * @default {@link noopLogger}
   */
  logger?: Logger;
}

/**
 * Writes core/v1 Events (`/api/v1/namespaces/{ns}/events`) through
 * `@kubernetes/client-node`: the sink client-go's `tools/record` uses.
 *
 * - `patch` sends the correlator's body as a strategic-merge patch
 *   (`application/strategic-merge-patch+json`).
 * - Times go on the wire as the server expects: `firstTimestamp` and
 *   `lastTimestamp` in seconds, `eventTime` and series times with exactly six
 *   fractional digits.
 * - Failures reject with core's {@link SinkError} classes; a 403 names the
 *   missing permission once in the log.
 * - Before any request, events the server would reject are fixed where that
 *   is safe (fields truncated to their byte limits on events with `eventTime`,
 *   counted in {@link CoreV1EventSink.stats}) and otherwise refused as
 *   `Invalid`, with a log line saying why.
 *
 * @example
 * ```ts
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * broadcaster.startRecordingToSink(new CoreV1EventSink({ kubeConfig: kc }));
 * ```
 */
export class CoreV1EventSink implements EventSink<Event> {
  readonly #core: EventSinkCore<Event, CoreV1Api>;

  /**
   * Creates the sink. Throws `InvalidOptionError` unless exactly one of
   * `kubeConfig` or `api` is given, or for an unusable
   * `clusterScopedNamespace`.
   */
  constructor(options: CoreV1EventSinkOptions) {
    this.#core = new EventSinkCore(coreV1, options);
  }

  /** Creates the event in its namespace. */
  create(event: Event): Promise<Event> {
    return this.#core.create(event);
  }

  /** Replaces the event (PUT). */
  update(event: Event): Promise<Event> {
    return this.#core.update(event);
  }

  /**
   * Applies `patch` (JSON text, such as
   * `{"count":2,"lastTimestamp":"…","message":"…"}`) to the stored event as a
   * strategic-merge patch. Rejects with `NotFound` when it does not exist.
   */
  patch(event: Event, patch: string): Promise<Event> {
    return this.#core.patch(event, patch);
  }

  /** What the sink fixed or refused so far. */
  stats(): KubernetesSinkStats {
    return this.#core.stats();
  }
}
