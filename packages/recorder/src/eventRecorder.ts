import {
  InvalidOptionError,
  getReference,
  isDNS1123Label,
  noopLogger,
  realClock,
  sprintf,
} from '@event-recorder/core';
import type {
  Event,
  EventPublisher,
  EventRecorder,
  EventSource,
  EventType,
  Logger,
  ObjectReference,
  PassiveClock,
  ReferenceableObject,
} from '@event-recorder/core';
import { DropReporter, describe, errorMessage } from './dropReporter.js';
import { EventNamer } from './eventNamer.js';

/** Options for {@link createEventRecorder}. */
export interface EventRecorderOptions {
  /**
   * Where events go: a broadcaster, or anything with `publish(event): boolean`.
   * The recorder calls it synchronously, once per accepted event, and never
   * waits for it.
   */
  publisher: EventPublisher<Event>;
  /**
   * The component that reports the events, as client-go's `EventSource`.
   * `source.component` also becomes `reportingComponent` and `source.host`
   * `reportingInstance`, as client-go does since v0.28.
   * @defaultValue `{}`
   */
  source?: EventSource;
  /**
   * Where timestamps and names come from.
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
  /**
   * Where refused events are logged (first of each reason, then every power of
   * ten).
   * @defaultValue {@link noopLogger}
   */
  logger?: Logger;
  /**
   * The namespace of events about cluster-scoped objects (objects without a
   * namespace, such as Nodes). The API server accepts only `default` for
   * core/v1 events about cluster-scoped objects; other values suit sinks that
   * are not Kubernetes.
   * @defaultValue `'default'`
   */
  clusterScopedNamespace?: string;
}

/**
 * An {@link EventRecorder} whose own diagnostics (dropped events) can be sent
 * to another logger, as client-go's `EventRecorderLogger`.
 */
export interface EventRecorderLogger extends EventRecorder {
  /**
   * A recorder that logs to `logger` and otherwise shares everything with
   * this one: publisher, source, clock, names (so they stay unique) and drop
   * counts. Cheap: use it for per-request or per-controller loggers.
   */
  withLogger(logger: Logger): EventRecorderLogger;
}

/** Validated options shared by the recorder and {@link createEventsRecorder}. */
export function resolveClusterScopedNamespace(
  value: string | undefined,
  logger: Logger,
  accepted: readonly string[],
): string {
  const namespace = value ?? 'default';
  if (typeof namespace !== 'string' || !isDNS1123Label(namespace)) {
    throw new InvalidOptionError(
      `clusterScopedNamespace must be a DNS-1123 label, got ${JSON.stringify(namespace)}`,
    );
  }
  if (!accepted.includes(namespace)) {
    logger.warn(
      'clusterScopedNamespace is not one the API server accepts for cluster-scoped objects; a Kubernetes sink will reject those events',
      { clusterScopedNamespace: namespace, accepted },
    );
  }
  return namespace;
}

/** Throws unless `publisher` has a `publish` method. */
export function assertPublisher(publisher: unknown): void {
  if (
    typeof publisher !== 'object' ||
    publisher === null ||
    typeof (publisher as { publish?: unknown }).publish !== 'function'
  ) {
    throw new InvalidOptionError(
      'publisher must be an object with a publish(event) method',
    );
  }
}

function copyAnnotations(
  annotations: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (annotations === undefined || annotations === null) return undefined;
  let copy: Record<string, string> | undefined;
  for (const key in annotations) {
    if (!Object.hasOwn(annotations, key)) continue;
    copy ??= {};
    copy[key] = annotations[key] as string;
  }
  return copy;
}

/** State that recorders derived with `withLogger` share. */
interface Shared {
  namer: EventNamer;
  drops: DropReporter;
}

class CoreEventRecorder implements EventRecorderLogger {
  readonly #publisher: EventPublisher<Event>;
  readonly #component: string | undefined;
  readonly #host: string | undefined;
  readonly #clock: PassiveClock;
  readonly #logger: Logger;
  readonly #namespace: string;
  readonly #options: EventRecorderOptions;
  readonly #namer: EventNamer;
  readonly #drops: DropReporter;

  constructor(options: EventRecorderOptions, shared?: Shared) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError(
        'createEventRecorder needs an options object',
      );
    }
    assertPublisher(options.publisher);
    this.#publisher = options.publisher;
    const source = options.source ?? {};
    if (
      source.component !== undefined &&
      typeof source.component !== 'string'
    ) {
      throw new InvalidOptionError('source.component must be a string');
    }
    if (source.host !== undefined && typeof source.host !== 'string') {
      throw new InvalidOptionError('source.host must be a string');
    }
    this.#component = source.component;
    this.#host = source.host;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? noopLogger;
    this.#namespace = resolveClusterScopedNamespace(
      options.clusterScopedNamespace,
      // A recorder made by withLogger was checked when its parent was made.
      shared === undefined ? this.#logger : noopLogger,
      ['default'],
    );
    // A snapshot, so withLogger is unaffected by later changes to the caller's object.
    this.#options = { ...options, source: { ...source } };
    this.#namer = shared?.namer ?? new EventNamer();
    this.#drops =
      shared?.drops ?? new DropReporter(this.#logger, this.#publisher);
  }

  withLogger(logger: Logger): EventRecorderLogger {
    return new CoreEventRecorder(
      { ...this.#options, logger },
      { namer: this.#namer, drops: this.#drops.withLogger(logger) },
    );
  }

  event(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.#record(object, undefined, type, reason, message, undefined);
  }

  eventf(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void {
    this.#record(object, undefined, type, reason, messageFmt, args);
  }

  annotatedEventf(
    object: ReferenceableObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void {
    this.#record(object, annotations, type, reason, messageFmt, args);
  }

  /** `args === undefined` means `event()`: the message is used as it is. */
  #record(
    object: ReferenceableObject,
    annotations: Record<string, string> | undefined,
    type: EventType,
    reason: string,
    message: string,
    args: unknown[] | undefined,
  ): void {
    let event: Event;
    try {
      let ref: ObjectReference;
      try {
        ref = getReference(object);
      } catch (error) {
        this.#drops.report(
          'invalidObject',
          'Could not construct reference, will not report event',
          { object: describe(object), error: errorMessage(error), reason },
        );
        return;
      }
      if (this.#drops.refusesTypeOrReason(type, reason, ref)) return;
      const text =
        args === undefined
          ? typeof message === 'string'
            ? message
            : String(message)
          : sprintf(
              typeof message === 'string' ? message : String(message),
              ...args,
            );
      const t = this.#clock.now();
      const ms = t.getTime();
      const metadata: Event['metadata'] = {
        name: this.#namer.next(ref.name ?? '', ms),
        namespace: ref.namespace || this.#namespace,
      };
      const copied = copyAnnotations(annotations);
      if (copied !== undefined) metadata.annotations = copied;
      const source: EventSource = {};
      if (this.#component !== undefined) source.component = this.#component;
      if (this.#host !== undefined) source.host = this.#host;
      event = {
        metadata,
        involvedObject: ref,
        reason,
        message: text,
        source,
        firstTimestamp: t,
        lastTimestamp: new Date(ms),
        count: 1,
        type,
        reportingComponent: this.#component ?? '',
        reportingInstance: this.#host ?? '',
      };
    } catch (error) {
      this.#drops.buildFailed(error);
      return;
    }
    this.#drops.publish(
      this.#publisher,
      event,
      event.involvedObject,
      event.reason,
    );
  }
}

/**
 * Creates a core/v1-style recorder, as client-go's `record` recorder:
 * `event`, `eventf` and `annotatedEventf` build a core/v1 {@link Event} and
 * publish it.
 *
 * - The event's name is `<object name>.<hex nanoseconds>`, unique per recorder
 *   even within one millisecond; a UUID when that is not a DNS subdomain.
 * - Its namespace is the object's, or `clusterScopedNamespace` for objects
 *   without one; `involvedObject.namespace` stays the object's own.
 * - `firstTimestamp` = `lastTimestamp` = the clock's time, `count` 1;
 *   `eventTime`, `series`, `action` and `related` are unset.
 *
 * No method blocks or throws. An object without `kind` or `apiVersion`, a type
 * other than `Normal`/`Warning`, or a publisher that throws drops the event:
 * it is logged (the first of each reason, then every power of ten) and
 * reported through {@link EventPublisher.reportInvalid}.
 *
 * @throws {@link InvalidOptionError} for bad options (no publisher, a
 *   `clusterScopedNamespace` that is not a DNS label).
 *
 * @example
 * ```ts
 * const recorder = createEventRecorder({
 *   publisher: { publish: (e) => (console.log(e.metadata.name), true) },
 *   source: { component: 'my-controller' },
 * });
 * recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off %d times', 3);
 * ```
 */
export function createEventRecorder(
  options: EventRecorderOptions,
): EventRecorderLogger {
  return new CoreEventRecorder(options);
}
