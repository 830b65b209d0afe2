import {
  InvalidOptionError,
  getReference,
  isValidEventType,
  realClock,
  sprintf,
} from '@event-recorder/core';
import type {
  EventApi,
  EventRecorder,
  EventsRecorder,
  EventType,
  Logger,
  ObjectReference,
  PassiveClock,
  ReferenceableObject,
} from '@event-recorder/core';
import { WaiterSet } from './waiters.js';
import type { WaitForOptions } from './waiters.js';

/** One call recorded by a {@link FakeRecorder}. */
export interface RecordedEvent {
  /**
   * Which interface was called: `v1` for {@link EventRecorder} (core/v1
   * style), `events.k8s.io/v1` for {@link EventsRecorder}.
   */
  api: EventApi;
  /** The method called. */
  method: 'event' | 'eventf' | 'annotatedEventf';
  /** The object the event is about (the `regarding` object), as passed. */
  object: ReferenceableObject;
  /**
   * The reference a real recorder builds from `object`, or `undefined` when
   * it cannot build one (then {@link RecordedEvent.problem} says why).
   */
  reference: ObjectReference | undefined;
  /** The related object, as passed (events.k8s.io style only). */
  related?: ReferenceableObject;
  /** The reference built from `related`, when it could be built. */
  relatedReference?: ObjectReference;
  /** The type, as passed. */
  type: string;
  /** The reason. */
  reason: string;
  /** The action (events.k8s.io style only). */
  action?: string;
  /**
   * The message (core/v1 style) or note (events.k8s.io style), formatted with
   * Go verbs, except for `event()`, whose message is used as it is.
   */
  message: string;
  /** The message format as passed (the message itself for `event()`). */
  format: string;
  /** The format arguments as passed (`[]` for `event()`). */
  args: readonly unknown[];
  /** A copy of the annotations, for `annotatedEventf`. */
  annotations?: Record<string, string>;
  /** When the call was made, by the recorder's clock. */
  at: Date;
  /**
   * Why a real recorder would have dropped this call (an object without kind
   * or apiVersion, a type other than Normal or Warning); absent when it would
   * have recorded it.
   */
  problem?: string;
}

/**
 * Which recorded calls a query matches. Every field given must match; the
 * others match anything.
 */
export interface RecordedEventFilter {
  /** The interface called. */
  api?: EventApi;
  /** `Normal` or `Warning`. */
  type?: string;
  /** The reason. */
  reason?: string;
  /** The action. */
  action?: string;
  /** The formatted message: equal to a string, or matching a RegExp. */
  message?: string | RegExp;
  /** The referenced object's kind. */
  kind?: string;
  /** The referenced object's name. */
  name?: string;
  /** The referenced object's namespace. */
  namespace?: string;
  /** The object passed, by identity. */
  object?: ReferenceableObject;
  /** Only calls a real recorder would record (`true`) or drop (`false`). */
  valid?: boolean;
}

/** How {@link formatClientGoString} renders a call. */
export interface ClientGoStringOptions {
  /**
   * core/v1 style: append ` involvedObject{kind=K,apiVersion=V}`, as
   * client-go's `FakeRecorder.IncludeObject`.
   * @defaultValue `false`
   */
  includeObject?: boolean;
  /**
   * events.k8s.io style: `type reason action note` plus ` {kind=K,apiVersion=V}`
   * for regarding and related and the annotations, as client-go's
   * `events.FakeRecorder.Verbose`.
   * @defaultValue `false`
   */
  verbose?: boolean;
}

/** Options for {@link FakeRecorder}. */
export interface FakeRecorderOptions {
  /**
   * The most calls kept; when full, the oldest is dropped and counted in
   * {@link FakeRecorder.dropped}. Recording never blocks.
   * @defaultValue `Infinity`
   */
  capacity?: number;
  /**
   * Where {@link RecordedEvent.at} comes from.
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
}

function typeMeta(object: unknown): { kind: string; apiVersion: string } {
  if (typeof object !== 'object' || object === null)
    return { kind: '', apiVersion: '' };
  const o = object as { kind?: unknown; apiVersion?: unknown };
  return {
    kind: typeof o.kind === 'string' ? o.kind : '',
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
  };
}

function goMap(annotations: Record<string, string> | undefined): string {
  if (annotations === undefined) return '';
  const keys = Object.keys(annotations).sort();
  if (keys.length === 0) return '';
  return ` map[${keys.map((k) => `${k}:${annotations[k]}`).join(' ')}]`;
}

/**
 * Renders a recorded call as the string client-go's fakes send on their
 * channel (spec §2.14), for tests ported from Go:
 *
 * - core/v1 style: `Sprintf(type + " " + reason + " " + format, args...)`,
 *   e.g. `'Normal Started some message'`; `event()` passes its message through
 *   `%s`. With `includeObject`, ` involvedObject{kind=Pod,apiVersion=v1}`;
 *   non-empty annotations add ` map[k1:v1 k2:v2]` (sorted keys).
 * - events.k8s.io style: `Sprintf(type + " " + reason + " " + note, args...)`;
 *   with `verbose`, `type reason action <formatted note>` then
 *   ` {kind=K,apiVersion=V}` for regarding and related, then the annotations.
 */
export function formatClientGoString(
  event: RecordedEvent,
  options: ClientGoStringOptions = {},
): string {
  if (event.api === 'v1') {
    let s =
      event.method === 'event'
        ? sprintf(`${event.type} ${event.reason} %s`, event.message)
        : sprintf(
            `${event.type} ${event.reason} ${event.format}`,
            ...event.args,
          );
    if (options.includeObject) {
      const { kind, apiVersion } = typeMeta(event.object);
      s += ` involvedObject{kind=${kind},apiVersion=${apiVersion}}`;
    }
    return s + goMap(event.annotations);
  }
  if (!options.verbose) {
    return sprintf(
      `${event.type} ${event.reason} ${event.format}`,
      ...event.args,
    );
  }
  const objectString = (object: unknown): string => {
    if (object === undefined || object === null) return '';
    const { kind, apiVersion } = typeMeta(object);
    return kind === '' && apiVersion === ''
      ? ''
      : ` {kind=${kind},apiVersion=${apiVersion}}`;
  };
  return (
    `${event.type} ${event.reason} ${event.action ?? ''} ${event.message}` +
    objectString(event.object) +
    objectString(event.related) +
    goMap(event.annotations)
  );
}

function matches(event: RecordedEvent, filter: RecordedEventFilter): boolean {
  if (filter.api !== undefined && event.api !== filter.api) return false;
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (filter.reason !== undefined && event.reason !== filter.reason)
    return false;
  if (filter.action !== undefined && event.action !== filter.action)
    return false;
  if (filter.message !== undefined) {
    if (typeof filter.message === 'string') {
      if (event.message !== filter.message) return false;
    } else {
      filter.message.lastIndex = 0;
      if (!filter.message.test(event.message)) return false;
    }
  }
  if (filter.object !== undefined && event.object !== filter.object)
    return false;
  const ref = event.reference;
  if (filter.kind !== undefined && ref?.kind !== filter.kind) return false;
  if (filter.name !== undefined && ref?.name !== filter.name) return false;
  if (
    filter.namespace !== undefined &&
    (ref?.namespace ?? '') !== filter.namespace
  )
    return false;
  if (
    filter.valid !== undefined &&
    (event.problem === undefined) !== filter.valid
  )
    return false;
  return true;
}

function safeFormat(format: unknown, args: readonly unknown[]): string {
  try {
    return sprintf(
      typeof format === 'string' ? format : String(format),
      ...args,
    );
  } catch (error) {
    return `%!(FORMAT ERROR ${error instanceof Error ? error.message : 'unknown'})`;
  }
}

function copyAnnotations(
  annotations: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (
    annotations === undefined ||
    annotations === null ||
    typeof annotations !== 'object'
  )
    return undefined;
  return { ...annotations };
}

/**
 * A structured fake recorder for tests: it implements both
 * {@link EventRecorder} (core/v1 style) and {@link EventsRecorder}
 * (events.k8s.io style) and records every call as a {@link RecordedEvent}
 * object: the object and its reference, type, reason, action, the formatted
 * message, annotations and time. It answers kubernetes/client-go#1252.
 *
 * Unlike client-go's channel-based fakes it never blocks (recording is a
 * synchronous push; with a `capacity` the oldest calls are dropped and
 * counted) and needs no draining; JavaScript runs one call at a time, so it
 * is safe by construction where client-go's fake was racy
 * (kubernetes/kubernetes#25188). It records even calls a real recorder would
 * drop, marking them with {@link RecordedEvent.problem}, so tests can assert
 * that a controller passes valid input.
 *
 * `eventf` and `annotatedEventf` serve both interfaces; the call style is told
 * by the second argument (a type string in the core/v1 style, a related object
 * or `undefined` in the events.k8s.io style) for `eventf`, and by the third for
 * `annotatedEventf`.
 *
 * @example
 * ```ts
 * const recorder = new FakeRecorder();
 * reconcile(pod, { recorder });
 * expect(recorder.find({ reason: 'Started', kind: 'Pod' })).toHaveLength(1);
 * expect(recorder.strings()).toEqual(['Normal Started Started container web']);
 * ```
 */
export class FakeRecorder implements EventRecorder, EventsRecorder {
  readonly #capacity: number;
  readonly #clock: PassiveClock;
  #events: RecordedEvent[] = [];
  #dropped = 0;
  readonly #waiters = new WaiterSet();

  /**
   * Creates an empty fake recorder.
   * @throws {@link InvalidOptionError} for a capacity that is not a positive integer.
   */
  constructor(options: FakeRecorderOptions = {}) {
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (
      typeof capacity !== 'number' ||
      !(capacity >= 1) ||
      (!Number.isInteger(capacity) && capacity !== Number.POSITIVE_INFINITY)
    ) {
      throw new InvalidOptionError(
        `capacity must be a positive integer or Infinity, got ${String(capacity)}`,
      );
    }
    this.#capacity = capacity;
    this.#clock = options.clock ?? realClock;
  }

  // --- EventRecorder and EventsRecorder --------------------------------------

  /** Records a core/v1-style event; `message` is used as it is. */
  event(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    message: string,
  ): void {
    this.#push(
      'v1',
      'event',
      object,
      undefined,
      undefined,
      type,
      reason,
      undefined,
      message,
      [],
      false,
    );
  }

  /** Records a core/v1-style event with a formatted message. */
  eventf(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
  /** Records an events.k8s.io-style event with a formatted note. */
  eventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void;
  eventf(...all: unknown[]): void {
    const object = all[0] as ReferenceableObject;
    if (typeof all[1] === 'string') {
      this.#push(
        'v1',
        'eventf',
        object,
        undefined,
        undefined,
        all[1],
        all[2],
        undefined,
        all[3],
        all.slice(4),
        true,
      );
    } else {
      this.#push(
        'events.k8s.io/v1',
        'eventf',
        object,
        all[1] as ReferenceableObject | undefined,
        undefined,
        all[2],
        all[3],
        all[4],
        all[5],
        all.slice(6),
        true,
      );
    }
  }

  /** Records a core/v1-style event with annotations and a formatted message. */
  annotatedEventf(
    object: ReferenceableObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
  /** Records an events.k8s.io-style event with annotations and a formatted note. */
  annotatedEventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void;
  annotatedEventf(...all: unknown[]): void {
    const object = all[0] as ReferenceableObject;
    if (typeof all[2] === 'string') {
      this.#push(
        'v1',
        'annotatedEventf',
        object,
        undefined,
        all[1] as Record<string, string> | undefined,
        all[2],
        all[3],
        undefined,
        all[4],
        all.slice(5),
        true,
      );
    } else {
      this.#push(
        'events.k8s.io/v1',
        'annotatedEventf',
        object,
        all[1] as ReferenceableObject | undefined,
        all[2] as Record<string, string> | undefined,
        all[3],
        all[4],
        all[5],
        all[6],
        all.slice(7),
        true,
      );
    }
  }

  #push(
    api: EventApi,
    method: RecordedEvent['method'],
    object: ReferenceableObject,
    related: ReferenceableObject | undefined,
    annotations: Record<string, string> | undefined,
    type: unknown,
    reason: unknown,
    action: unknown,
    format: unknown,
    args: unknown[],
    formatted: boolean,
  ): void {
    try {
      let reference: ObjectReference | undefined;
      let problem: string | undefined;
      try {
        reference = getReference(object);
      } catch (error) {
        problem = `Could not construct reference: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (problem === undefined && !isValidEventType(type)) {
        problem = `Unsupported event type: ${JSON.stringify(String(type))}`;
      }
      const formatText = typeof format === 'string' ? format : String(format);
      const event: RecordedEvent = {
        api,
        method,
        object,
        reference,
        type: String(type),
        reason: String(reason),
        message: formatted ? safeFormat(formatText, args) : formatText,
        format: formatText,
        args,
        at: this.#clock.now(),
      };
      if (api === 'events.k8s.io/v1') {
        event.action = String(action);
        if (related !== undefined && related !== null) {
          event.related = related;
          try {
            event.relatedReference = getReference(related);
          } catch {
            // A real recorder drops only the related reference, not the event.
          }
        }
      }
      const copied = copyAnnotations(annotations);
      if (copied !== undefined) event.annotations = copied;
      if (problem !== undefined) event.problem = problem;
      this.#events.push(event);
      if (this.#events.length > this.#capacity) {
        this.#events.shift();
        this.#dropped++;
      }
      this.#waiters.notify();
    } catch {
      // A fake recorder must never make the code under test throw.
      this.#dropped++;
    }
  }

  /** Returns this recorder, as client-go's fakes do: the fake has no logger. */
  withLogger(_logger: Logger): this {
    return this;
  }

  // --- queries --------------------------------------------------------------

  /** Every call kept, oldest first (a copy of the list). */
  get events(): RecordedEvent[] {
    return [...this.#events];
  }

  /** How many calls were dropped because the capacity was reached. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The calls matching `filter`, oldest first. */
  find(filter: RecordedEventFilter = {}): RecordedEvent[] {
    return this.#events.filter((e) => matches(e, filter));
  }

  /** How many calls match `filter`. */
  count(filter: RecordedEventFilter = {}): number {
    let n = 0;
    for (const e of this.#events) if (matches(e, filter)) n++;
    return n;
  }

  /** The most recent call matching `filter`, or `undefined`. */
  last(filter: RecordedEventFilter = {}): RecordedEvent | undefined {
    for (let i = this.#events.length - 1; i >= 0; i--) {
      const e = this.#events[i] as RecordedEvent;
      if (matches(e, filter)) return e;
    }
    return undefined;
  }

  /**
   * The calls as client-go's fakes render them, such as
   * `'Normal Started some message'`; see {@link formatClientGoString}.
   */
  strings(options?: ClientGoStringOptions): string[] {
    return this.#events.map((e) => formatClientGoString(e, options));
  }

  /**
   * Resolves with the first truthy value `predicate` returns, now or after a
   * later call; rejects with a `TimeoutError` after `timeoutMs` real
   * milliseconds. For code under test that records asynchronously.
   */
  waitFor<T>(
    predicate: (recorder: FakeRecorder) => T,
    options?: WaitForOptions,
  ): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
    return this.#waiters.wait(
      () => predicate(this),
      () =>
        `${this.#events.length} call(s) recorded: ${JSON.stringify(this.strings().slice(-5))}`,
      'FakeRecorder.waitFor',
      options,
    );
  }

  /** Forgets every call and resets {@link FakeRecorder.dropped}. */
  clear(): void {
    this.#events = [];
    this.#dropped = 0;
  }
}
