import {
  InvalidError,
  RequestConstructionError,
  noopLogger,
  validateEventCreate,
} from '@event-recorder/core';
import { eventsV1ToCoreV1 } from '@event-recorder/core';
import type {
  EventSink,
  EventsV1Event,
  Logger,
  SinkError,
} from '@event-recorder/core';
import type {
  EventsV1Api,
  EventsV1Event as WireEvent,
  KubeConfig,
} from '@kubernetes/client-node';
import { ForbiddenLog, toSinkError } from './errors.js';
import type { RequestContext } from './errors.js';
import {
  checkClusterScopedNamespace,
  checkSource,
  fitField,
  loadClientNode,
  preparePatch,
  strategicMergePatchOptions,
} from './shared.js';
import type { KubernetesSinkStats } from './shared.js';
import { eventsV1EventFromWire, eventsV1EventToWire } from './wire.js';

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
  readonly #options: EventsV1EventSinkOptions;
  readonly #logger: Logger;
  readonly #clusterScopedNamespace: string;
  readonly #forbidden = new ForbiddenLog();
  readonly #stats: KubernetesSinkStats = {
    truncatedFields: 0,
    rejectedLocally: 0,
    forbidden: 0,
  };
  #api: Promise<EventsV1Api> | undefined;

  /**
   * Creates the sink. Throws `InvalidOptionError` unless exactly one of
   * `kubeConfig` or `api` is given, or for an unusable
   * `clusterScopedNamespace`.
   */
  constructor(options: EventsV1EventSinkOptions) {
    checkSource('EventsV1EventSink', options);
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clusterScopedNamespace = options.clusterScopedNamespace ?? 'default';
    checkClusterScopedNamespace(
      'EventsV1EventSink',
      this.#clusterScopedNamespace,
    );
  }

  /** Creates the event in its namespace. */
  async create(event: EventsV1Event): Promise<EventsV1Event> {
    const prepared = this.#prepare(event, 'create');
    const context = this.#context('create', prepared);
    const api = await this.#client(context);
    try {
      const stored = await api.createNamespacedEvent({
        namespace: context.namespace,
        body: eventsV1EventToWire(prepared) as unknown as WireEvent,
      });
      return eventsV1EventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /** Replaces the event (PUT). */
  async update(event: EventsV1Event): Promise<EventsV1Event> {
    const prepared = this.#prepare(event, 'update');
    const context = this.#context('update', prepared);
    const api = await this.#client(context);
    try {
      const stored = await api.replaceNamespacedEvent({
        name: context.name,
        namespace: context.namespace,
        body: eventsV1EventToWire(prepared) as unknown as WireEvent,
      });
      return eventsV1EventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /**
   * Applies `patch` (JSON text, such as
   * `{"count":2,"lastTimestamp":"…","message":"…"}`) to the stored event as a
   * strategic-merge patch. Rejects with `NotFound` when it does not exist.
   */
  async patch(event: EventsV1Event, patch: string): Promise<EventsV1Event> {
    const context = this.#context('patch', {
      ...event,
      metadata: { ...event.metadata, namespace: this.#namespaceFor(event) },
    });
    const where = `${context.namespace}/${context.name}`;
    const body = preparePatch(patch, where, (message) => message);
    const api = await this.#client(context);
    try {
      const stored = await api.patchNamespacedEvent(
        { name: context.name, namespace: context.namespace, body },
        await strategicMergePatchOptions(),
      );
      return eventsV1EventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /** What the sink fixed or refused so far. */
  stats(): KubernetesSinkStats {
    return { ...this.#stats };
  }

  #namespaceFor(event: EventsV1Event): string {
    const own = event.metadata.namespace ?? '';
    const regarding = event.regarding?.namespace ?? '';
    if (regarding === '') {
      return own === '' || own === 'default'
        ? this.#clusterScopedNamespace
        : own;
    }
    return own === '' ? regarding : own;
  }

  #prepare(event: EventsV1Event, verb: 'create' | 'update'): EventsV1Event {
    const namespace = this.#namespaceFor(event);
    const prepared: EventsV1Event = {
      ...event,
      metadata: { ...event.metadata, namespace },
    };
    const where = `${namespace}/${event.metadata.name ?? ''}`;
    const fit = (
      value: string | undefined,
      field: 'note' | 'reason' | 'action' | 'reportingInstance',
    ) => fitField(value, field, this.#stats, this.#logger, where);
    const note = fit(prepared.note, 'note');
    const reason = fit(prepared.reason, 'reason');
    const action = fit(prepared.action, 'action');
    const instance = fit(prepared.reportingInstance, 'reportingInstance');
    if (note !== undefined) prepared.note = note;
    if (reason !== undefined) prepared.reason = reason;
    if (action !== undefined) prepared.action = action;
    if (instance !== undefined) prepared.reportingInstance = instance;
    const issues = validateEventCreate(
      eventsV1ToCoreV1(prepared),
      'events.k8s.io/v1',
    );
    if (issues.length > 0) {
      this.#stats.rejectedLocally += 1;
      const detail = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
      this.#logger.error(
        'Event refused before sending: the API server would reject it',
        {
          event: where,
          verb,
          issues,
        },
      );
      throw new InvalidError(
        `${verb} event ${where}: the API server would reject it: ${detail}`,
      );
    }
    return prepared;
  }

  #context(verb: RequestContext['verb'], event: EventsV1Event): RequestContext {
    const name = event.metadata.name ?? '';
    const namespace = event.metadata.namespace ?? '';
    if (name === '' || namespace === '') {
      throw new RequestConstructionError(
        `${verb} event: the event has no name or namespace`,
      );
    }
    return { verb, group: 'events.k8s.io', namespace, name };
  }

  async #client(context: RequestContext): Promise<EventsV1Api> {
    if (this.#options.api !== undefined) return this.#options.api;
    const kubeConfig = this.#options.kubeConfig;
    this.#api ??= loadClientNode().then((k8s) =>
      kubeConfig!.makeApiClient(k8s.EventsV1Api),
    );
    try {
      return await this.#api;
    } catch (error) {
      this.#api = undefined;
      throw new RequestConstructionError(
        `${context.verb} event: @kubernetes/client-node could not be loaded`,
        { cause: error },
      );
    }
  }

  #fail(error: unknown, context: RequestContext): SinkError {
    const sinkError = toSinkError(error, context, {
      log: this.#forbidden,
      logger: this.#logger,
    });
    if (sinkError.code === 'Forbidden') this.#stats.forbidden += 1;
    return sinkError;
  }
}
