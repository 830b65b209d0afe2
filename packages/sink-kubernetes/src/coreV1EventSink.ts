import {
  InvalidError,
  RequestConstructionError,
  noopLogger,
  validateEventCreate,
} from '@event-recorder/core';
import type { Event, EventSink, Logger, SinkError } from '@event-recorder/core';
import type {
  CoreV1Api,
  CoreV1Event,
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
import { coreEventFromWire, coreEventToWire } from './wire.js';

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
  readonly #options: CoreV1EventSinkOptions;
  readonly #logger: Logger;
  readonly #clusterScopedNamespace: string;
  readonly #forbidden = new ForbiddenLog();
  readonly #stats: KubernetesSinkStats = {
    truncatedFields: 0,
    rejectedLocally: 0,
    forbidden: 0,
  };
  #api: Promise<CoreV1Api> | undefined;

  /**
   * Creates the sink. Throws `InvalidOptionError` unless exactly one of
   * `kubeConfig` or `api` is given, or for an unusable
   * `clusterScopedNamespace`.
   */
  constructor(options: CoreV1EventSinkOptions) {
    checkSource('CoreV1EventSink', options);
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clusterScopedNamespace = options.clusterScopedNamespace ?? 'default';
    checkClusterScopedNamespace(
      'CoreV1EventSink',
      this.#clusterScopedNamespace,
    );
  }

  /** Creates the event in its namespace. */
  async create(event: Event): Promise<Event> {
    const prepared = this.#prepare(event, 'create');
    const context = this.#context('create', prepared);
    const api = await this.#client(context);
    try {
      const stored = await api.createNamespacedEvent({
        namespace: context.namespace,
        body: coreEventToWire(prepared) as unknown as CoreV1Event,
      });
      return coreEventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /** Replaces the event (PUT). */
  async update(event: Event): Promise<Event> {
    const prepared = this.#prepare(event, 'update');
    const context = this.#context('update', prepared);
    const api = await this.#client(context);
    try {
      const stored = await api.replaceNamespacedEvent({
        name: context.name,
        namespace: context.namespace,
        body: coreEventToWire(prepared) as unknown as CoreV1Event,
      });
      return coreEventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /**
   * Applies `patch` (JSON text, such as
   * `{"count":2,"lastTimestamp":"…","message":"…"}`) to the stored event as a
   * strategic-merge patch. Rejects with `NotFound` when it does not exist.
   */
  async patch(event: Event, patch: string): Promise<Event> {
    const context = this.#context('patch', {
      ...event,
      metadata: { ...event.metadata, namespace: this.#namespaceFor(event) },
    });
    const where = `${context.namespace}/${context.name}`;
    const body = preparePatch(patch, where, (message) =>
      event.eventTime === undefined
        ? message
        : (fitField(message, 'note', this.#stats, this.#logger, where) ??
          message),
    );
    const api = await this.#client(context);
    try {
      const stored = await api.patchNamespacedEvent(
        { name: context.name, namespace: context.namespace, body },
        await strategicMergePatchOptions(),
      );
      return coreEventFromWire(stored);
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  /** What the sink fixed or refused so far. */
  stats(): KubernetesSinkStats {
    return { ...this.#stats };
  }

  #namespaceFor(event: Event): string {
    const own = event.metadata.namespace ?? '';
    const involved = event.involvedObject.namespace ?? '';
    if (involved === '') {
      return own === '' || own === 'default'
        ? this.#clusterScopedNamespace
        : own;
    }
    return own === '' ? involved : own;
  }

  #prepare(event: Event, verb: 'create' | 'update'): Event {
    const namespace = this.#namespaceFor(event);
    const prepared: Event = {
      ...event,
      metadata: { ...event.metadata, namespace },
    };
    const where = `${namespace}/${event.metadata.name ?? ''}`;
    if (prepared.eventTime !== undefined) {
      // The server limits these only on new-style events (with eventTime).
      const fit = (
        value: string | undefined,
        field: 'note' | 'reason' | 'action' | 'reportingInstance',
      ) => fitField(value, field, this.#stats, this.#logger, where);
      const message = fit(prepared.message, 'note');
      const reason = fit(prepared.reason, 'reason');
      const action = fit(prepared.action, 'action');
      const instance = fit(prepared.reportingInstance, 'reportingInstance');
      if (message !== undefined) prepared.message = message;
      if (reason !== undefined) prepared.reason = reason;
      if (action !== undefined) prepared.action = action;
      if (instance !== undefined) prepared.reportingInstance = instance;
    }
    const issues = validateEventCreate(prepared, 'v1');
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

  #context(verb: RequestContext['verb'], event: Event): RequestContext {
    const name = event.metadata.name ?? '';
    const namespace = event.metadata.namespace ?? '';
    if (name === '' || namespace === '') {
      throw new RequestConstructionError(
        `${verb} event: the event has no name or namespace`,
      );
    }
    return { verb, group: '', namespace, name };
  }

  async #client(context: RequestContext): Promise<CoreV1Api> {
    if (this.#options.api !== undefined) return this.#options.api;
    const kubeConfig = this.#options.kubeConfig;
    this.#api ??= loadClientNode().then((k8s) =>
      kubeConfig!.makeApiClient(k8s.CoreV1Api),
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
