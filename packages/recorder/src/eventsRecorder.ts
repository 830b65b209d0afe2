import { hostname } from 'node:os';
import {
  InvalidOptionError,
  eventFieldLimits,
  getReference,
  isQualifiedName,
  noopLogger,
  realClock,
  sprintf,
  truncateUtf8,
  utf8ByteLength,
} from '@event-recorder/core';
import type {
  EventPublisher,
  EventsRecorder,
  EventsV1Event,
  EventType,
  Logger,
  ObjectReference,
  PassiveClock,
  ReferenceableObject,
} from '@event-recorder/core';
import { DropReporter, describe, errorMessage } from './dropReporter.js';
import { EventNamer } from './eventNamer.js';
import {
  assertPublisher,
  resolveClusterScopedNamespace,
} from './eventRecorder.js';

/**
 * An {@link EventsRecorder} whose own diagnostics can be sent to another
 * logger, as client-go's `events.EventRecorderLogger`.
 */
export interface EventsRecorderLogger extends EventsRecorder {
  /**
   * A recorder that logs to `logger` and otherwise shares everything with
   * this one: publisher, reporting fields, clock, names and drop counts.
   */
  withLogger(logger: Logger): EventsRecorderLogger;
}

/** Options for {@link createEventsRecorder}. */
export interface EventsRecorderOptions {
  /**
   * Where events go: a broadcaster, or anything with `publish(event): boolean`.
   * The recorder calls it synchronously, once per accepted event.
   */
  publisher: EventPublisher<EventsV1Event>;
  /**
   * The controller that emits the events, such as `example.com/my-controller`.
   * The API server requires a qualified name; a name that is not one is
   * logged as a warning when the recorder is created.
   */
  reportingController: string;
  /**
   * The instance of the controller. The API server allows at most 128 bytes.
   * @defaultValue `` `${reportingController}-${os.hostname()}` `` (client-go's
   *   value; `` `${reportingController}-` `` when the host name is unknown)
   */
  reportingInstance?: string;
  /**
   * Where `eventTime` and names come from. (client-go reads the wall clock for
   * `eventTime`; one injectable clock here makes tests deterministic.)
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
  /**
   * Where refused events and option warnings are logged.
   * @defaultValue {@link noopLogger}
   */
  logger?: Logger;
  /**
   * Whether to shorten a note longer than the API server's limit of 1024
   * UTF-8 bytes to that limit, ending it with `…`, instead of sending an event
   * the server is sure to reject (Invalid, dropped). Truncations are counted
   * and logged as warnings (first, then every power of ten). client-go sends
   * such events as they are; set `false` for that.
   * @defaultValue `true`
   */
  truncateNote?: boolean;
  /**
   * The namespace of events about cluster-scoped objects. The API server
   * accepts `default` or `kube-system` for events.k8s.io/v1 events about them.
   * @defaultValue `'default'`
   */
  clusterScopedNamespace?: string;
}

function defaultInstance(controller: string): string {
  let host = '';
  try {
    host = hostname();
  } catch {
    // client-go ignores a hostname error and keeps the trailing dash.
  }
  return `${controller}-${host}`;
}

/** State that recorders derived with `withLogger` share. */
interface Shared {
  namer: EventNamer;
  drops: DropReporter;
}

class V1EventsRecorder implements EventsRecorderLogger {
  readonly #publisher: EventPublisher<EventsV1Event>;
  readonly #controller: string;
  readonly #instance: string;
  readonly #clock: PassiveClock;
  readonly #logger: Logger;
  readonly #namespace: string;
  readonly #truncateNote: boolean;
  readonly #options: EventsRecorderOptions;
  readonly #namer: EventNamer;
  readonly #drops: DropReporter;

  constructor(options: EventsRecorderOptions, shared?: Shared) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError(
        'createEventsRecorder needs an options object',
      );
    }
    assertPublisher(options.publisher);
    const controller = options.reportingController;
    if (typeof controller !== 'string' || controller === '') {
      throw new InvalidOptionError(
        'reportingController must be a non-empty string, such as "example.com/my-controller"',
      );
    }
    const instance = options.reportingInstance ?? defaultInstance(controller);
    if (typeof instance !== 'string') {
      throw new InvalidOptionError('reportingInstance must be a string');
    }
    this.#publisher = options.publisher;
    this.#controller = controller;
    this.#instance = instance;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? noopLogger;
    // A recorder made by withLogger was checked when its parent was made.
    if (shared === undefined && !isQualifiedName(controller)) {
      this.#logger.warn(
        'reportingController is not a qualified name; the API server will reject every event',
        { reportingController: controller },
      );
    }
    if (
      shared === undefined &&
      (instance === '' || utf8ByteLength(instance) > 128)
    ) {
      this.#logger.warn(
        'reportingInstance must be 1 to 128 bytes; the API server will reject every event',
        { reportingInstance: instance },
      );
    }
    this.#namespace = resolveClusterScopedNamespace(
      options.clusterScopedNamespace,
      shared === undefined ? this.#logger : noopLogger,
      ['default', 'kube-system'],
    );
    // A snapshot, so withLogger is unaffected by later changes to the caller's object.
    this.#options = { ...options, reportingInstance: instance };
    this.#namer = shared?.namer ?? new EventNamer();
    this.#truncateNote = options.truncateNote ?? true;
    this.#drops =
      shared?.drops ?? new DropReporter(this.#logger, this.#publisher);
  }

  withLogger(logger: Logger): EventsRecorderLogger {
    return new V1EventsRecorder(
      { ...this.#options, logger },
      { namer: this.#namer, drops: this.#drops.withLogger(logger) },
    );
  }

  eventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void {
    this.#record(
      regarding,
      related,
      undefined,
      type,
      reason,
      action,
      note,
      args,
    );
  }

  annotatedEventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void {
    this.#record(
      regarding,
      related,
      annotations,
      type,
      reason,
      action,
      note,
      args,
    );
  }

  #limitNote(note: string, ref: ObjectReference, reason: string): string {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: short notes skip the count.
    if (!this.#truncateNote || note.length * 3 <= eventFieldLimits.note) {
      return note;
    }
    const { value, truncated } = truncateUtf8(note, eventFieldLimits.note);
    if (truncated) {
      this.#drops.adjusted(
        'noteTruncated',
        'Event note longer than 1024 bytes, truncated to what the API server accepts',
        { kind: ref.kind, name: ref.name, reason, bytes: utf8ByteLength(note) },
      );
    }
    return value;
  }

  #record(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    annotations: Record<string, string> | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    args: unknown[],
  ): void {
    let event: EventsV1Event;
    try {
      let ref: ObjectReference;
      try {
        ref = getReference(regarding);
      } catch (error) {
        this.#drops.report(
          'invalidObject',
          'Could not construct reference, will not report event',
          { object: describe(regarding), error: errorMessage(error), reason },
        );
        return;
      }
      let relatedRef: ObjectReference | undefined;
      if (related !== undefined && related !== null) {
        try {
          relatedRef = getReference(related);
        } catch (error) {
          // client-go logs this at V(9) and records the event without `related`.
          this.#logger.debug(
            'Could not construct reference to related object',
            {
              object: describe(related),
              error: errorMessage(error),
            },
          );
        }
      }
      if (this.#drops.refusesTypeOrReason(type, reason, ref)) return;
      const t = this.#clock.now();
      const metadata: EventsV1Event['metadata'] = {
        name: this.#namer.next(ref.name ?? '', t.getTime()),
        namespace: ref.namespace || this.#namespace,
      };
      if (annotations !== undefined && annotations !== null) {
        for (const key in annotations) {
          if (!Object.hasOwn(annotations, key)) continue;
          (metadata.annotations ??= {})[key] = annotations[key] as string;
        }
      }
      event = {
        metadata,
        eventTime: t,
        reportingController: this.#controller,
        reportingInstance: this.#instance,
        action: typeof action === 'string' ? action : String(action),
        reason,
        regarding: ref,
        note: this.#limitNote(
          sprintf(typeof note === 'string' ? note : String(note), ...args),
          ref,
          reason,
        ),
        type,
      };
      if (relatedRef !== undefined) event.related = relatedRef;
    } catch (error) {
      this.#drops.buildFailed(error);
      return;
    }
    this.#drops.publish(this.#publisher, event, event.regarding, event.reason);
  }
}

/**
 * Creates an events.k8s.io/v1-style recorder, as client-go's `events`
 * recorder: `eventf(regarding, related, type, reason, action, note, ...args)`
 * and `annotatedEventf` build an {@link EventsV1Event} and publish it.
 *
 * - The name is `<regarding name>.<hex nanoseconds>`, unique per recorder even
 *   within one millisecond; a UUID when that is not a DNS subdomain.
 * - `eventTime` is the clock's time; `reportingController` and
 *   `reportingInstance` come from the options; `series` and every
 *   `deprecated*` field are unset.
 * - The note is always formatted with Go verbs (`%s %d %v %q %%`).
 * - A `related` object that cannot be referenced is left out; the event is
 *   still recorded, as in client-go.
 *
 * No method blocks or throws: refused events are logged and reported through
 * {@link EventPublisher.reportInvalid}.
 *
 * @throws {@link InvalidOptionError} for bad options (no publisher, an empty
 *   `reportingController`).
 */
export function createEventsRecorder(
  options: EventsRecorderOptions,
): EventsRecorderLogger {
  return new V1EventsRecorder(options);
}
