import { eventsV1ToCoreV1, validateEventCreate } from '@event-recorder/core';
import type { EventSink, EventsV1Event, Logger } from '@event-recorder/core';
import type {
  EventsV1Api,
  EventsV1Event as WireEvent,
  KubeConfig,
} from '@kubernetes/client-node';
import { EventSinkCore } from './eventSinkCore.js';
import type { EventApiAdapter } from './eventSinkCore.js';
import type { KubernetesSinkStats } from './shared.js';
import { eventsV1EventFromWire, eventsV1EventToWire } from './wire.js';

const eventsV1: EventApiAdapter<EventsV1Event, EventsV1Api> = {
  sinkName: 'EventsV1EventSink',
  group: 'events.k8s.io',
  noteKey: 'note',
  makeClient: (kubeConfig, k8s) => kubeConfig.makeApiClient(k8s.EventsV1Api),
  regardingNamespace: (event) => event.regarding?.namespace,
  limitsFields: () => true,
  // A series patch carries no note; a `message` key is not an events.k8s.io/v1 field.
  limitsPatchMessage: () => false,
  validate: (event) =>
    validateEventCreate(eventsV1ToCoreV1(event), 'events.k8s.io/v1'),
  create: (api, namespace, body) =>
    api.createNamespacedEvent({ namespace, body: body as WireEvent }),
  replace: (api, name, namespace, body) =>
    api.replaceNamespacedEvent({ name, namespace, body: body as WireEvent }),
  patch: (api, name, namespace, body, options) =>
    api.patchNamespacedEvent({ name, namespace, body }, options),
  toWire: eventsV1EventToWire,
  fromWire: eventsV1EventFromWire,
};

/** Options of {@link EventsV1EventSink}. Give exactly one of `kubeConfig` or `api`. */
export interface EventsV1EventSinkOptions {
  /** The cluster and credentials; the sink makes its own `EventsV1Api` from it. */
  kubeConfig?: KubeConfig;
  /** A ready `EventsV1Api` client, for example one with your own middleware. */
  api?: EventsV1Api;
  /**
   * The namespace for events about cluster-scoped objects (such as a Node),
   * whose `regarding.namespace` is empty. The API server accepts only
   * `default` or `kube-system` for them.
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
 * Writes events.k8s.io/v1 Events (`/apis/events.k8s.io/v1/namespaces/{ns}/events`)
 * through `@kubernetes/client-node`: the sink client-go's `tools/events` uses.
 *
 * - `patch` sends the series update (`{"series":{"count":N,"lastObservedTime":"…"}}`)
 *   as a strategic-merge patch; series times are normalised to six
 *   fractional digits.
 * - `eventTime` goes on the wire with exactly six fractional digits, as the
 *   server requires.
 * - Failures reject with core's {@link SinkError} classes; a 403 names the
 *   missing permission once in the log.
 * - Before any request, the strict events.k8s.io/v1 rules are checked: `note`
 *   over 1024 bytes, and `reason`, `action` or `reportingInstance` over 128,
 *   are truncated (UTF-8 safe, counted in {@link EventsV1EventSink.stats});
 *   what cannot be fixed (a bad `reportingController`, a missing `action`, a
 *   deprecated field that must be unset, …) is refused as `Invalid` with a
 *   log line saying why.
 *
 * @example
 * ```ts
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * eventsBroadcaster.startRecordingToSink(new EventsV1EventSink({ kubeConfig: kc }));
 * ```
 */
export class EventsV1EventSink implements EventSink<EventsV1Event> {
  readonly #core: EventSinkCore<EventsV1Event, EventsV1Api>;

  /**
   * Creates the sink. Throws `InvalidOptionError` unless exactly one of
   * `kubeConfig` or `api` is given, or for an unusable
   * `clusterScopedNamespace`.
   */
  constructor(options: EventsV1EventSinkOptions) {
    this.#core = new EventSinkCore(eventsV1, options);
  }

  /** Creates the event in its namespace. */
  create(event: EventsV1Event): Promise<EventsV1Event> {
    return this.#core.create(event);
  }

  /** Replaces the event (PUT). */
  update(event: EventsV1Event): Promise<EventsV1Event> {
    return this.#core.update(event);
  }

  /**
   * Applies `patch` (JSON text, such as
   * `{"count":2,"lastTimestamp":"…","message":"…"}`) to the stored event as a
   * strategic-merge patch. Rejects with `NotFound` when it does not exist.
   */
  patch(event: EventsV1Event, patch: string): Promise<EventsV1Event> {
    return this.#core.patch(event, patch);
  }

  /** What the sink fixed or refused so far. */
  stats(): KubernetesSinkStats {
    return this.#core.stats();
  }
}
