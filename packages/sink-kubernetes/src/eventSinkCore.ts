import {
  InvalidError,
  RequestConstructionError,
  noopLogger,
} from '@event-recorder/core';
import type {
  EventMetadata,
  Logger,
  SinkError,
  ValidationIssue,
} from '@event-recorder/core';
import type * as ClientNodeModule from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig } from '@kubernetes/client-node';
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

/** The fields both event APIs limit, besides the note (`message` or `note`). */
interface LimitedFields {
  metadata: EventMetadata;
  reason?: string;
  action?: string;
  reportingInstance?: string;
}

/**
 * What differs between the core/v1 and the events.k8s.io/v1 sinks: the
 * client-node API class and its methods, the wire conversion, and which
 * fields the server limits. Everything else is {@link EventSinkCore}.
 */
export interface EventApiAdapter<TEvent extends LimitedFields, TApi> {
  /** The public class name, for option errors. */
  sinkName: string;
  /** The API group, for error mapping (`''` for core). */
  group: RequestContext['group'];
  /** The field that holds the human-readable text. */
  noteKey: 'message' | 'note';
  /** Makes the API client from a KubeConfig. */
  makeClient(kubeConfig: KubeConfig, k8s: typeof ClientNodeModule): TApi;
  /** The namespace of the object the event is about, if any. */
  regardingNamespace(event: TEvent): string | undefined;
  /** Whether the server applies its field byte limits to this event. */
  limitsFields(event: TEvent): boolean;
  /** Whether a `message` in a patch of this event is held to the limit. */
  limitsPatchMessage(event: TEvent): boolean;
  /** What the server would reject in this event on create. */
  validate(event: TEvent): ValidationIssue[];
  /** POST: creates `body` in `namespace`. */
  create(api: TApi, namespace: string, body: unknown): Promise<unknown>;
  /** PUT: replaces the stored event. */
  replace(
    api: TApi,
    name: string,
    namespace: string,
    body: unknown,
  ): Promise<unknown>;
  /** PATCH with the given request options. */
  patch(
    api: TApi,
    name: string,
    namespace: string,
    body: Record<string, unknown>,
    options: ConfigurationOptions,
  ): Promise<unknown>;
  /** The event as the JSON body of a request. */
  toWire(event: TEvent): Record<string, unknown>;
  /** The server's event as core's type. */
  fromWire(value: unknown): TEvent;
}

/** The options both sinks take, with the API client type left open. */
export interface EventSinkCoreOptions<TApi> {
  kubeConfig?: KubeConfig;
  api?: TApi;
  clusterScopedNamespace?: 'default' | 'kube-system';
  logger?: Logger;
}

/**
 * The behaviour the two Kubernetes sinks share: option checks, namespace
 * choice, local fixing and refusal, the lazily made client, error mapping
 * and stats. The public sinks are thin wrappers that pick an
 * {@link EventApiAdapter}.
 */
export class EventSinkCore<TEvent extends LimitedFields, TApi> {
  readonly #adapter: EventApiAdapter<TEvent, TApi>;
  readonly #options: EventSinkCoreOptions<TApi>;
  readonly #logger: Logger;
  readonly #clusterScopedNamespace: string;
  readonly #forbidden = new ForbiddenLog();
  readonly #stats: KubernetesSinkStats = {
    truncatedFields: 0,
    rejectedLocally: 0,
    forbidden: 0,
  };
  #api: Promise<TApi> | undefined;

  constructor(
    adapter: EventApiAdapter<TEvent, TApi>,
    options: EventSinkCoreOptions<TApi>,
  ) {
    this.#adapter = adapter;
    checkSource(adapter.sinkName, options);
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clusterScopedNamespace = options.clusterScopedNamespace ?? 'default';
    checkClusterScopedNamespace(adapter.sinkName, this.#clusterScopedNamespace);
  }

  async create(event: TEvent): Promise<TEvent> {
    const prepared = this.#prepare(event, 'create');
    const context = this.#context('create', prepared);
    return this.#send(context, (api) =>
      this.#adapter.create(
        api,
        context.namespace,
        this.#adapter.toWire(prepared),
      ),
    );
  }

  async update(event: TEvent): Promise<TEvent> {
    const prepared = this.#prepare(event, 'update');
    const context = this.#context('update', prepared);
    return this.#send(context, (api) =>
      this.#adapter.replace(
        api,
        context.name,
        context.namespace,
        this.#adapter.toWire(prepared),
      ),
    );
  }

  async patch(event: TEvent, patch: string): Promise<TEvent> {
    const context = this.#context('patch', {
      ...event,
      metadata: { ...event.metadata, namespace: this.#namespaceFor(event) },
    });
    const where = `${context.namespace}/${context.name}`;
    const body = preparePatch(patch, where, (message) =>
      this.#adapter.limitsPatchMessage(event)
        ? (fitField(message, 'note', this.#stats, this.#logger, where) ??
          message)
        : message,
    );
    return this.#send(context, async (api) =>
      this.#adapter.patch(
        api,
        context.name,
        context.namespace,
        body,
        await strategicMergePatchOptions(),
      ),
    );
  }

  // Gets the client, makes the request and maps what comes back: the stored
  // event, or the failure as a SinkError.
  async #send(
    context: RequestContext,
    request: (api: TApi) => Promise<unknown>,
  ): Promise<TEvent> {
    const api = await this.#client(context);
    try {
      return this.#adapter.fromWire(await request(api));
    } catch (error) {
      throw this.#fail(error, context);
    }
  }

  stats(): KubernetesSinkStats {
    return { ...this.#stats };
  }

  #namespaceFor(event: TEvent): string {
    const own = event.metadata.namespace ?? '';
    const regarding = this.#adapter.regardingNamespace(event) ?? '';
    if (regarding === '') {
      return own === '' || own === 'default'
        ? this.#clusterScopedNamespace
        : own;
    }
    return own === '' ? regarding : own;
  }

  #prepare(event: TEvent, verb: 'create' | 'update'): TEvent {
    const namespace = this.#namespaceFor(event);
    const prepared: TEvent = {
      ...event,
      metadata: { ...event.metadata, namespace },
    };
    const where = `${namespace}/${event.metadata.name ?? ''}`;
    if (this.#adapter.limitsFields(prepared)) {
      // The note field has a different name in the two APIs; the limits are
      // the same.
      const fields = prepared as unknown as Record<string, string | undefined>;
      for (const [key, field] of [
        [this.#adapter.noteKey, 'note'],
        ['reason', 'reason'],
        ['action', 'action'],
        ['reportingInstance', 'reportingInstance'],
      ] as const) {
        const fitted = fitField(
          fields[key],
          field,
          this.#stats,
          this.#logger,
          where,
        );
        if (fitted !== undefined) fields[key] = fitted;
      }
    }
    const issues = this.#adapter.validate(prepared);
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

  #context(verb: RequestContext['verb'], event: TEvent): RequestContext {
    const name = event.metadata.name ?? '';
    const namespace = event.metadata.namespace ?? '';
    if (name === '' || namespace === '') {
      throw new RequestConstructionError(
        `${verb} event: the event has no name or namespace`,
      );
    }
    return { verb, group: this.#adapter.group, namespace, name };
  }

  async #client(context: RequestContext): Promise<TApi> {
    if (this.#options.api !== undefined) return this.#options.api;
    const kubeConfig = this.#options.kubeConfig;
    this.#api ??= loadClientNode().then((k8s) =>
      this.#adapter.makeClient(kubeConfig!, k8s),
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
