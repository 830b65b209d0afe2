import {
  AlreadyExistsError,
  ForbiddenError,
  InvalidError,
  InvalidOptionError,
  NotFoundError,
  RequestConstructionError,
  ServerError,
  TooManyRequestsError,
  TransportError,
  coreV1ToEventsV1,
  eventsV1ToCoreV1,
  isSinkError,
  realClock,
  sinkErrorFromStatus,
  validateEventCreate,
  validateEventUpdate,
} from '@event-recorder/core';
import type {
  Event,
  EventApi,
  EventSink,
  EventsV1Event,
  ObjectReference,
  PassiveClock,
  SinkError,
  SinkErrorCode,
  ValidationIssue,
} from '@event-recorder/core';
import {
  PatchBodyError,
  applyCountPatch,
  applyMergePatch,
  checkShape,
  cloneEvent,
  parsePatchBody,
  parseTimeMs,
  isPlainObject,
  readCountPatch,
  readSeriesPatch,
} from './eventObject.js';
import {
  NO_SLOT,
  ReusedReply,
  SOURCE_OTHER,
  StoredEvents,
} from './storedEvents.js';
import { RequestLog } from './requestLog.js';
import { SlotIndex } from './slotIndex.js';
import type { MemorySinkMethod, MemorySinkRequest } from './requestLog.js';
import { WaiterSet } from './waiters.js';
import type { WaitForOptions } from './waiters.js';

/** Calls made to a memory sink, by method. */
export interface MemorySinkCalls {
  /** `create` calls, failed ones included. */
  create: number;
  /** `update` calls, failed ones included. */
  update: number;
  /** `patch` calls, failed ones included. */
  patch: number;
  /** All calls. */
  total: number;
}

/**
 * Which stored events {@link MemorySink.list} returns. Every field given must
 * match; the others match anything.
 */
export interface EventListFilter {
  /** The event's namespace. */
  namespace?: string;
  /**
   * Fields of the object the event is about (`involvedObject` in core/v1,
   * `regarding` in events.k8s.io/v1), such as `{ kind: 'Pod', name: 'web-1' }`.
   */
  involvedObject?: Partial<ObjectReference>;
  /** Alias of {@link EventListFilter.involvedObject}, for events.k8s.io users. */
  regarding?: Partial<ObjectReference>;
  /** The event's reason. */
  reason?: string;
  /** The event's type, `Normal` or `Warning`. */
  type?: string;
}

/** Options for {@link MemorySink.failNext}. */
export interface FailNextOptions {
  /**
   * The methods that fail; calls to other methods pass and do not use up the
   * failures.
   * @defaultValue every method
   */
  methods?: readonly MemorySinkMethod[];
  /**
   * The API whose calls fail.
   * @defaultValue both
   */
  api?: EventApi;
  /** `retryAfterMs` of the errors made from a code (for `TooManyRequests`). */
  retryAfterMs?: number;
}

/** Options for {@link MemorySink}. */
export interface MemorySinkOptions {
  /**
   * Where `creationTimestamp`, expiry and request times come from.
   * @defaultValue {@link realClock}
   */
  clock?: PassiveClock;
  /**
   * How long an event lives after its last write, as kube-apiserver's
   * `--event-ttl` (1 h there). Expired events disappear, so a later patch gets
   * NotFound.
   * @defaultValue `Infinity` (events never expire)
   */
  ttlMs?: number;
  /**
   * The most events kept. When a create would exceed it, the oldest created
   * event is evicted (as if its TTL had run out), so that long benchmarks keep
   * a bounded heap.
   * @defaultValue `Infinity`
   */
  maxEvents?: number;
  /**
   * The namespaces that exist. When given, a create in any other namespace
   * fails with NotFound (`namespaces "x" not found`), as on a real server.
   * @defaultValue every namespace exists
   */
  namespaces?: Iterable<string>;
  /**
   * How many requests {@link MemorySink.requests} keeps (oldest dropped).
   * The counters in {@link MemorySink.calls} are always exact.
   * @defaultValue `10000`
   */
  requestLogCapacity?: number;
  /**
   * Whether to run the API server's validation (`validateEventCreate`,
   * `validateEventUpdate`) and answer Invalid as the server would.
   * @defaultValue `true`
   */
  validate?: boolean;
}

interface FaultRule {
  remaining: number;
  make: (method: MemorySinkMethod, name: string) => SinkError;
  methods: ReadonlySet<MemorySinkMethod> | undefined;
  api: EventApi | undefined;
}

function emptyCalls(): MemorySinkCalls {
  return { create: 0, update: 0, patch: 0, total: 0 };
}

function errorForCode(
  code: SinkErrorCode,
  method: MemorySinkMethod,
  name: string,
  retryAfterMs: number | undefined,
): SinkError {
  const what = `injected ${code} on ${method} of event "${name}"`;
  const options = retryAfterMs === undefined ? {} : { retryAfterMs };
  switch (code) {
    case 'NotFound':
      return new NotFoundError(`events "${name}" not found (${what})`, options);
    case 'AlreadyExists':
      return new AlreadyExistsError(
        `events "${name}" already exists (${what})`,
        options,
      );
    case 'Invalid':
      return new InvalidError(what, { status: 422, ...options });
    case 'Forbidden':
      return new ForbiddenError(what, options);
    case 'TooManyRequests':
      return new TooManyRequestsError(what, options);
    case 'ServerError':
      return new ServerError(what, { status: 500, ...options });
    case 'Transport':
      return new TransportError(what, options);
    case 'RequestConstruction':
      return new RequestConstructionError(what, options);
  }
}

function issuesText(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join(', ');
}

/** A stored event's `involvedObject` field named `key`. */
function refField(events: StoredEvents, slot: number, key: string): unknown {
  switch (key) {
    case 'kind':
      return events.kind[slot];
    case 'apiVersion':
      return events.apiVersion[slot];
    case 'name':
      return events.objectName[slot];
    case 'namespace':
      return events.objectNamespace[slot];
    case 'uid':
      return events.objectUid[slot];
    case 'resourceVersion':
      return events.objectResourceVersion[slot];
    case 'fieldPath':
      return events.fieldPath[slot];
    default:
      return undefined;
  }
}

function matchesRef(
  events: StoredEvents,
  slot: number,
  filter: Partial<ObjectReference> | undefined,
): boolean {
  if (filter === undefined) return true;
  for (const key of Object.keys(filter) as Array<keyof ObjectReference>) {
    const want = filter[key];
    if (want !== undefined && (refField(events, slot, key) ?? '') !== want)
      return false;
  }
  return true;
}

/**
 * A name or namespace as an index key and in messages: `''` when absent,
 * otherwise the value as `String` shows it (a request may carry anything), or
 * its type when it has no string form. Never throws.
 */
function keyOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value a request carries, shown as String shows it
    return String(value);
  } catch {
    // An object whose toString throws or is not a function.
    return `[${typeof value}]`;
  }
}

/** The message of a thrown value, whatever was thrown. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : keyOf(error);
}

function truncateInPlace(date: Date | undefined): void {
  if (!(date instanceof Date)) return;
  const ms = date.getTime();
  date.setTime(ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The server's normalisation of a stored core/v1 event, in place. Only ever
 * called on a fresh copy (which has no apiVersion or kind), so the timestamps
 * it truncates belong to the store.
 */
function normalise(event: Event): Event {
  // Core timestamps have seconds precision on the wire.
  truncateInPlace(event.firstTimestamp);
  truncateInPlace(event.lastTimestamp);
  // core/v1 always serialises these two, possibly as "".
  event.reportingComponent ??= '';
  event.reportingInstance ??= '';
  return event;
}

/**
 * The store behind both views: one set of internal (core/v1) objects, as the
 * API server keeps one object readable through both APIs.
 */
class EventStore {
  readonly clock: PassiveClock;
  readonly #ttlMs: number;
  /** Whether events expire (`ttlMs` is finite). */
  readonly #expires: boolean;
  readonly #maxEvents: number;
  readonly #namespaces: Set<string> | undefined;
  readonly #terminating = new Set<string>();
  readonly #logCapacity: number;
  readonly #validate: boolean;
  /**
   * Uids are this random RFC 4122 (version 4) prefix, the same for the whole
   * sink, and a counter as the last 12 hex digits: unique within a sink, and
   * across sinks by the prefix. Stored events keep only the counter.
   */
  readonly #uidPrefix = globalThis.crypto.randomUUID().slice(0, 24);
  #uids = 0;
  /** The stored events; the store refers to one by its slot. */
  readonly #events = new StoredEvents();
  /** The slots of the stored events by namespace and name. */
  readonly #index = new SlotIndex();
  #size = 0;
  /**
   * The ends of the list of stored events in creation order, linked through
   * their slots: the listing order, and eviction takes the oldest in O(1).
   */
  #oldest = NO_SLOT;
  #newest = NO_SLOT;
  #resourceVersion = 0;
  #callsV1 = emptyCalls();
  #callsEventsV1 = emptyCalls();
  readonly #requests: RequestLog;
  #faults: FaultRule[] = [];
  readonly #waiters = new WaiterSet();
  #paused = false;
  #held: Array<() => void> = [];
  /**
   * The reply answers at once are made in, and whether it is lent out: made
   * for a request whose caller has not had it yet. A request made meanwhile
   * (by a waiter, while the sink wakes them) gets a copy of its own.
   */
  readonly #reply = new ReusedReply();
  #replyLent = false;

  constructor(options: MemorySinkOptions) {
    this.clock = options.clock ?? realClock;
    const ttl = options.ttlMs ?? Number.POSITIVE_INFINITY;
    if (typeof ttl !== 'number' || !(ttl > 0)) {
      throw new InvalidOptionError(
        `ttlMs must be a positive number, got ${String(ttl)}`,
      );
    }
    this.#ttlMs = ttl;
    this.#expires = ttl !== Number.POSITIVE_INFINITY;
    const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    if (typeof maxEvents !== 'number' || !(maxEvents >= 1)) {
      throw new InvalidOptionError(
        `maxEvents must be a number >= 1, got ${String(maxEvents)}`,
      );
    }
    this.#maxEvents = maxEvents;
    this.#namespaces =
      options.namespaces === undefined
        ? undefined
        : new Set(options.namespaces);
    const capacity = options.requestLogCapacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new InvalidOptionError(
        `requestLogCapacity must be a non-negative integer, got ${String(capacity)}`,
      );
    }
    this.#logCapacity = capacity;
    this.#requests = new RequestLog(capacity);
    this.#validate = options.validate ?? true;
  }

  // --- views ----------------------------------------------------------------

  #uid(slot: number): string {
    const hex = (this.#events.uid[slot] as number).toString(16);
    return this.#uidPrefix + '000000000000'.slice(hex.length) + hex;
  }

  /** A copy of a stored event as the internal core/v1 object (no type meta). */
  #toEvent(slot: number): Event {
    return this.#events.toEvent(slot, this.#uid(slot), false);
  }

  /** The core/v1 reply: a copy of the stored event, with type meta. */
  coreView(slot: number): Event {
    return this.#events.toEvent(slot, this.#uid(slot), true);
  }

  /**
   * The core/v1 reply to an answer at once: the stored event in the reused
   * reply when it has the usual shape and the reply is not lent out, else a
   * copy.
   */
  coreNowView(slot: number): Event {
    if (
      this.#replyLent ||
      !this.#reply.fill(this.#events, slot, this.#uid(slot))
    ) {
      return this.coreView(slot);
    }
    this.#replyLent = true;
    return this.#reply.event as unknown as Event;
  }

  /** The events.k8s.io/v1 reply: a copy of the stored event in that shape. */
  eventsView(slot: number): EventsV1Event {
    return coreV1ToEventsV1(this.#toEvent(slot));
  }

  // --- requests -----------------------------------------------------------

  /**
   * Answers a request: the stored event (which `view` copies), or a rejection
   * with a SinkError. Unless the sink is paused the work is done at once, and
   * `view` is applied before the promise is made, so a write costs one
   * promise.
   */
  request<T>(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
    view: (store: EventStore, slot: number) => T,
  ): Promise<T> {
    if (this.#paused) {
      this.#count(api, method);
      return new Promise<void>((resume) => this.#held.push(resume)).then(() =>
        this.#respond(api, method, input, body, view),
      );
    }
    let reply: T;
    try {
      reply = this.requestNow(api, method, input, body, view) as T;
    } catch (error) {
      // requestNow throws SinkErrors only.
      const failure: SinkError = error as SinkError;
      return Promise.reject(failure);
    }
    return Promise.resolve(reply);
  }

  /**
   * {@link EventStore.request}, synchronously: the reply, or throws the
   * SinkError to reject with; `undefined`, with nothing done or counted,
   * while the sink is paused.
   */
  requestNow<T>(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
    view: (store: EventStore, slot: number) => T,
  ): T | undefined {
    if (this.#paused) return undefined;
    this.#count(api, method);
    // The reused reply, if this request's view takes it, stays lent out
    // while the waiters run; whatever a request made meanwhile did.
    const lent = this.#replyLent;
    // #respond, without its frame on the hot path.
    let reply: T;
    try {
      reply = view(this, this.#answer(api, method, input, body));
    } catch (error) {
      throw this.#rejected(error);
    }
    try {
      this.#notify();
    } finally {
      this.#replyLent = lent;
    }
    return reply;
  }

  #count(api: EventApi, method: MemorySinkMethod): void {
    const calls = api === 'v1' ? this.#callsV1 : this.#callsEventsV1;
    if (method === 'create') calls.create++;
    else if (method === 'patch') calls.patch++;
    else calls.update++;
    calls.total++;
  }

  /**
   * Does a request and makes its reply, then wakes the waiters: a predicate
   * may write, and a write may reuse the slot the reply is made from, so the
   * reply is made first. Throws SinkErrors only.
   */
  #respond<T>(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
    view: (store: EventStore, slot: number) => T,
  ): T {
    let reply: T;
    try {
      reply = view(this, this.#answer(api, method, input, body));
    } catch (error) {
      throw this.#rejected(error);
    }
    this.#notify();
    return reply;
  }

  /**
   * Wakes the waiters after a failed request and gives the SinkError to
   * reject with: the one `#answer` threw (it throws SinkErrors only), or a
   * ServerError for a reply that could not be made.
   */
  #rejected(error: unknown): SinkError {
    this.#notify();
    return isSinkError(error)
      ? error
      : new ServerError(
          `MemorySink could not make the reply: ${errorText(error)}`,
          { status: 500, cause: error },
        );
  }

  #answer(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
  ): number {
    let namespace = '';
    let name = '';
    // One reading of the clock serves the whole request.
    const now = this.#nowMs();
    let slot: number;
    try {
      // Read in here: a getter may throw, and the request is still logged.
      const metadata = input?.metadata;
      namespace = keyOf(metadata?.namespace);
      name = keyOf(metadata?.name);
      if (this.#faults.length > 0) {
        const fault = this.#takeFault(api, method, name);
        if (fault !== undefined) throw fault;
      }
      if (method === 'create') slot = this.#create(api, input, now);
      else if (method === 'update') slot = this.#update(api, input, now);
      else slot = this.#patch(api, input, body ?? '', now);
    } catch (error) {
      throw this.#failed(api, method, namespace, name, body, now, error);
    }
    if (this.#logCapacity > 0) {
      this.#requests.add(
        api,
        method,
        namespace,
        name,
        body,
        'ok',
        this.#events.resourceVersion[slot] as number,
        now,
      );
    }
    return slot;
  }

  /**
   * Logs a failed request, as for a success (kept out of
   * {@link EventStore.#answer} so that its optimised code stays small).
   * Returns the SinkError to reject with.
   */
  #failed(
    api: EventApi,
    method: MemorySinkMethod,
    namespace: string,
    name: string,
    body: string | undefined,
    now: number,
    error: unknown,
  ): SinkError {
    // The EventSink contract: reject with a SinkError, whatever went wrong.
    const failure = isSinkError(error)
      ? error
      : new RequestConstructionError(
          `MemorySink could not ${method} event "${name}": ${errorText(error)}`,
          { cause: error },
        );
    if (this.#logCapacity > 0) {
      this.#requests.add(
        api,
        method,
        namespace,
        name,
        body,
        failure.code,
        0,
        now,
      );
    }
    return failure;
  }

  #create(api: EventApi, input: Event | EventsV1Event, now: number): number {
    if (
      api === 'v1' &&
      typeof input === 'object' &&
      input !== null &&
      typeof input.metadata === 'object' &&
      input.metadata !== null
    ) {
      // The common core/v1 create, read once straight into the stored form,
      // which is what is validated and stored (anything else takes the
      // generic path below).
      const event = this.#events.readInput(input as Event);
      if (event !== undefined) {
        const slot = this.#events.alloc();
        this.#events.fillRead(slot, event);
        return this.#insert(slot, api, event, now);
      }
    }
    return this.#insertEvent(api, this.#toInternal(api, input), now);
  }

  #checkCreate(event: Event, api: EventApi): void {
    const issues = validateEventCreate(event, api);
    if (issues.length > 0) {
      throw new InvalidError(
        `Event "${keyOf(event.metadata.name)}" is invalid: ${issuesText(issues)}`,
        {
          status: 422,
        },
      );
    }
  }

  /** Creates an event from an internal object (a fresh copy it takes over). */
  #insertEvent(api: EventApi, event: Event, now: number): number {
    const slot = this.#events.alloc();
    this.#events.fill(slot, event);
    return this.#insert(slot, api, event, now);
  }

  /**
   * Stores the event just written into a fresh slot, unless the server would
   * refuse it (then the slot is freed). `event` is what validation checks.
   */
  #insert(slot: number, api: EventApi, event: Event, now: number): number {
    const events = this.#events;
    try {
      if (this.#validate) this.#checkCreate(event, api);
      const rawNamespace = events.namespace[slot];
      const namespace = keyOf(rawNamespace);
      const name = keyOf(events.name[slot]);
      if (
        this.#namespaces !== undefined &&
        !this.#namespaces.has(rawNamespace as string)
      ) {
        throw new NotFoundError(`namespaces "${namespace}" not found`);
      }
      if (this.#terminating.has(rawNamespace as string)) {
        throw new ForbiddenError(
          `events "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        );
      }
      if (this.#lookup(namespace, name, now) !== NO_SLOT) {
        throw new AlreadyExistsError(`events "${name}" already exists`);
      }
    } catch (error) {
      events.release(slot);
      throw error;
    }
    events.uid[slot] = ++this.#uids;
    events.creationSeconds[slot] = Math.floor(now / 1000);
    this.#touch(slot, now);
    this.#add(slot);
    return slot;
  }

  #update(api: EventApi, input: Event | EventsV1Event, now: number): number {
    const next = this.#toInternal(api, input);
    const name = keyOf(next.metadata.name);
    const previous = this.#lookup(keyOf(next.metadata.namespace), name, now);
    // The server allows create on update for events.
    if (previous === NO_SLOT) return this.#insertEvent(api, next, now);
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== String(this.#events.resourceVersion[previous])) {
      throw sinkErrorFromStatus(
        409,
        `Operation cannot be fulfilled on events "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return this.#replace(api, next, previous, this.#toEvent(previous), now);
  }

  #patch(
    api: EventApi,
    input: Event | EventsV1Event,
    body: string,
    now: number,
  ): number {
    const { namespace = '', name = '' } = input?.metadata ?? {};
    if (name === '') {
      throw new RequestConstructionError('resource name may not be empty');
    }
    const previous = this.#lookup(keyOf(namespace), keyOf(name), now);
    if (previous === NO_SLOT)
      throw new NotFoundError(`events "${keyOf(name)}" not found`);
    // The fast paths leave the name and namespace as stored; when those are
    // not the request's (with validate off, an event stored without a
    // namespace), the generic path answers Invalid.
    if (!this.#isNamed(previous, namespace, name)) {
      return this.#mergePatch(api, namespace, name, previous, body, now);
    }
    if (api === 'v1') {
      const fast = readCountPatch(body);
      if (
        fast !== undefined &&
        this.#applyCount(previous, fast.count, fast.message, fast.lastMs, now)
      )
        return previous;
    } else {
      const fast = readSeriesPatch(body);
      if (
        fast !== undefined &&
        this.#applySeries(previous, fast.count, fast.lastMs, now)
      )
        return previous;
    }
    return this.#mergePatch(api, namespace, name, previous, body, now);
  }

  /** Whether a stored event's name and namespace are exactly the request's. */
  #isNamed(slot: number, namespace: unknown, name: unknown): boolean {
    const events = this.#events;
    return events.name[slot] === name && events.namespace[slot] === namespace;
  }

  /** Any patch but the correlator's: merged into a copy, checked, stored. */
  #mergePatch(
    api: EventApi,
    namespace: string,
    name: string,
    previous: number,
    body: string,
    now: number,
  ): number {
    let next: Event;
    let prev: Event;
    try {
      const patch = parsePatchBody(body);
      if (
        api === 'v1' &&
        this.#isNamed(previous, namespace, name) &&
        this.#countPatch(previous, patch, now)
      )
        return previous;
      prev = this.#toEvent(previous);
      if (api === 'v1') {
        // Anything but the correlator's count patch merges into a copy, and
        // copying again prunes unknown fields it added.
        next =
          applyCountPatch(prev, patch) ??
          cloneEvent(
            applyMergePatch(
              this.#toEvent(previous) as unknown as Record<string, unknown>,
              patch,
            ) as unknown as Event,
          );
      } else {
        const view = applyMergePatch(
          coreV1ToEventsV1(this.#toEvent(previous)) as unknown as Record<
            string,
            unknown
          >,
          patch,
        ) as unknown as EventsV1Event;
        next = cloneEvent(eventsV1ToCoreV1(view));
        // A legacy event has no eventTime; its events.k8s.io view shows
        // firstTimestamp instead. Keep it absent if the patch left it alone.
        if (
          prev.eventTime === undefined &&
          next.eventTime?.getTime() ===
            (prev.firstTimestamp ?? new Date(0)).getTime()
        ) {
          delete next.eventTime;
        }
      }
    } catch (error) {
      if (error instanceof PatchBodyError) {
        throw new InvalidError(error.message, { status: 400, cause: error });
      }
      throw error;
    }
    const shape = checkShape(next as unknown as Record<string, unknown>);
    if (shape.length > 0) {
      throw new InvalidError(
        `Event "${keyOf(name)}" is invalid: ${issuesText(shape)}`,
        {
          status: 400,
        },
      );
    }
    if (next.metadata.name !== name || next.metadata.namespace !== namespace) {
      throw new InvalidError(
        `the name or namespace of the object does not match the request (events "${keyOf(name)}" in "${keyOf(namespace)}")`,
        { status: 400 },
      );
    }
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== String(this.#events.resourceVersion[previous])) {
      throw sinkErrorFromStatus(
        409,
        `Operation cannot be fulfilled on events "${keyOf(name)}": the object has been modified`,
      );
    }
    return this.#replace(api, next, previous, prev, now);
  }

  /**
   * Applies the core/v1 correlator's patch, `{"count","lastTimestamp",
   * "message"}` (keys in any order), to the stored event in place, when it is
   * one and the generic path would accept it: the same event, without the
   * copies. Returns whether it did.
   */
  #countPatch(
    slot: number,
    patch: Record<string, unknown>,
    now: number,
  ): boolean {
    let keys = 0;
    for (const key in patch) {
      if (key !== 'count' && key !== 'lastTimestamp' && key !== 'message')
        return false;
      keys++;
    }
    if (keys !== 3) return false;
    const count = patch['count'];
    const message = patch['message'];
    const last = patch['lastTimestamp'];
    if (
      !Number.isSafeInteger(count) ||
      typeof message !== 'string' ||
      typeof last !== 'string'
    )
      return false;
    const lastMs = parseTimeMs(last);
    if (lastMs === undefined) return false;
    return this.#applyCount(slot, count as number, message, lastMs, now);
  }

  /**
   * Sets the three fields of a count patch in place, unless the generic path
   * has to decide. Returns whether it did.
   */
  #applyCount(
    slot: number,
    count: number,
    message: string,
    lastMs: number,
    now: number,
  ): boolean {
    const events = this.#events;
    // A stored event passed the legacy validation, which reads none of these
    // three fields unless eventTime is set (then the message length counts):
    // without eventTime its answer cannot change.
    if (this.#validate && !Number.isNaN(events.eventTimeMs[slot])) return false;
    events.count[slot] = count;
    // Keep the stored string when the message repeats (it usually does).
    if (message !== events.message[slot]) events.message[slot] = message;
    events.lastSeconds[slot] = Math.floor(lastMs / 1000);
    this.#touch(slot, now);
    return true;
  }

  /**
   * Sets the series of an event in place for the events.k8s.io/v1 series
   * patch, unless the generic path has to decide. Returns whether it did.
   *
   * Through that API the merge round-trips every other field unchanged, so
   * the immutability checks pass, and the legacy validation the stored event
   * passed reads no series: only the new series is left to check. A `source`
   * or `related` that is not an object does not survive the round trip (the
   * view copies it into an object), so those take the generic path.
   */
  #applySeries(
    slot: number,
    count: number,
    lastMs: number,
    now: number,
  ): boolean {
    const events = this.#events;
    if (this.#validate && count < 2) return false;
    const related = events.related[slot];
    if (
      events.source[slot] === SOURCE_OTHER ||
      (related !== undefined && !isPlainObject(related))
    )
      return false;
    events.series[slot] = { count, lastObservedTime: new Date(lastMs) };
    this.#touch(slot, now);
    return true;
  }

  /** Replaces a stored event (`prev` is a copy of it) with `next`. */
  #replace(
    api: EventApi,
    next: Event,
    slot: number,
    prev: Event,
    now: number,
  ): number {
    normalise(next);
    if (this.#validate) {
      const issues = validateEventUpdate(next, prev, api);
      if (issues.length > 0) {
        throw new InvalidError(
          `Event "${prev.metadata.name ?? ''}" is invalid: ${issuesText(issues)}`,
          { status: 422 },
        );
      }
    }
    // uid and creationTimestamp stay; the place in the listing order too.
    this.#events.fill(slot, next);
    this.#touch(slot, now);
    return slot;
  }

  /** Gives a write its resourceVersion and, with a TTL, its expiry. */
  #touch(slot: number, now: number): void {
    this.#events.resourceVersion[slot] = ++this.#resourceVersion;
    if (this.#expires) this.#events.expiresAt[slot] = now + this.#ttlMs;
  }

  #toInternal(api: EventApi, input: Event | EventsV1Event): Event {
    if (typeof input !== 'object' || input === null) {
      throw new RequestConstructionError('the event must be an object');
    }
    if (typeof input.metadata !== 'object' || input.metadata === null) {
      throw new InvalidError('metadata: Required value', { status: 422 });
    }
    const event = cloneEvent(
      api === 'v1'
        ? (input as Event)
        : eventsV1ToCoreV1(input as EventsV1Event),
    );
    if (
      api === 'v1' &&
      (typeof event.involvedObject !== 'object' ||
        event.involvedObject === null)
    ) {
      event.involvedObject = {};
    }
    const shape = checkShape(event as unknown as Record<string, unknown>);
    if (shape.length > 0) {
      throw new InvalidError(`Event is invalid: ${issuesText(shape)}`, {
        status: 400,
      });
    }
    return normalise(event);
  }

  // --- the index ----------------------------------------------------------

  /** Adds a new event as the newest, evicting the oldest beyond maxEvents. */
  #add(slot: number): void {
    const events = this.#events;
    this.#index.add(
      keyOf(events.namespace[slot]),
      keyOf(events.name[slot]),
      slot,
    );
    const newest = this.#newest;
    events.prev[slot] = newest;
    events.next[slot] = NO_SLOT;
    if (newest === NO_SLOT) this.#oldest = slot;
    else events.next[newest] = slot;
    this.#newest = slot;
    if (++this.#size > this.#maxEvents) this.#remove(this.#oldest);
  }

  /** Deletes a stored event and frees its slot. */
  #remove(slot: number): void {
    const events = this.#events;
    this.#index.remove(slot);
    const prev = events.prev[slot] as number;
    const next = events.next[slot] as number;
    if (prev === NO_SLOT) this.#oldest = next;
    else events.next[prev] = next;
    if (next === NO_SLOT) this.#newest = prev;
    else events.prev[next] = prev;
    events.release(slot);
    this.#size--;
  }

  // --- queries ------------------------------------------------------------

  /** The clock's time in ms; with the real clock, without making a `Date`. */
  #nowMs(): number {
    return this.clock === realClock ? Date.now() : this.clock.now().getTime();
  }

  /** The slot of the stored event, unless it has expired (then it is deleted). */
  #lookup(namespace: string, name: string, now: number): number {
    const slot = this.#index.get(namespace, name);
    if (slot === NO_SLOT) return NO_SLOT;
    if (this.#expires && (this.#events.expiresAt[slot] as number) <= now) {
      this.#remove(slot);
      return NO_SLOT;
    }
    return slot;
  }

  /** The slot of a stored event, or {@link NO_SLOT}. */
  get(namespace: string, name: string): number {
    return this.#lookup(
      keyOf(namespace),
      keyOf(name),
      this.#expires ? this.#nowMs() : 0,
    );
  }

  /** The slots of the stored events matching `filter`, oldest created first. */
  list(filter: EventListFilter = {}): number[] {
    const now = this.clock.now().getTime();
    const ref = filter.involvedObject ?? filter.regarding;
    const events = this.#events;
    const out: number[] = [];
    for (let slot = this.#oldest; slot !== NO_SLOT;) {
      const current = slot;
      slot = events.next[slot] as number;
      if (this.#expires && (events.expiresAt[current] as number) <= now) {
        this.#remove(current);
        continue;
      }
      if (
        filter.namespace !== undefined &&
        events.namespace[current] !== filter.namespace
      )
        continue;
      if (
        filter.reason !== undefined &&
        events.reason[current] !== filter.reason
      )
        continue;
      if (filter.type !== undefined && events.type[current] !== filter.type)
        continue;
      if (!matchesRef(events, current, ref)) continue;
      out.push(current);
    }
    return out;
  }

  delete(namespace: string, name: string): boolean {
    const slot = this.#lookup(
      keyOf(namespace),
      keyOf(name),
      this.#expires ? this.#nowMs() : 0,
    );
    if (slot === NO_SLOT) return false;
    this.#remove(slot);
    this.#notify();
    return true;
  }

  calls(api: EventApi | undefined): MemorySinkCalls {
    if (api !== undefined)
      return { ...(api === 'v1' ? this.#callsV1 : this.#callsEventsV1) };
    const a = this.#callsV1;
    const b = this.#callsEventsV1;
    return {
      create: a.create + b.create,
      update: a.update + b.update,
      patch: a.patch + b.patch,
      total: a.total + b.total,
    };
  }

  requests(api: EventApi | undefined): MemorySinkRequest[] {
    return this.#requests.read(api);
  }

  // --- faults and flow control -------------------------------------------

  failNext(
    count: number,
    error: SinkErrorCode | SinkError,
    options: FailNextOptions = {},
  ): void {
    if (
      !(count >= 0) ||
      (!Number.isInteger(count) && count !== Number.POSITIVE_INFINITY)
    ) {
      throw new InvalidOptionError(
        `failNext needs a whole count or Infinity, got ${String(count)}`,
      );
    }
    let make: FaultRule['make'];
    if (typeof error === 'string') {
      const retryAfterMs = options.retryAfterMs;
      make = (method, name) => errorForCode(error, method, name, retryAfterMs);
    } else if (isSinkError(error)) {
      make = () => error;
    } else {
      throw new InvalidOptionError(
        'failNext needs a SinkErrorCode or a SinkError',
      );
    }
    if (count === 0) return;
    this.#faults.push({
      remaining: count,
      make,
      methods:
        options.methods === undefined ? undefined : new Set(options.methods),
      api: options.api,
    });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  pendingFaults(): number {
    return this.#faults.reduce((n, f) => n + f.remaining, 0);
  }

  #takeFault(
    api: EventApi,
    method: MemorySinkMethod,
    name: string,
  ): SinkError | undefined {
    for (let i = 0; i < this.#faults.length; i++) {
      const rule = this.#faults[i] as FaultRule;
      if (rule.methods !== undefined && !rule.methods.has(method)) continue;
      if (rule.api !== undefined && rule.api !== api) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.#faults.splice(i, 1);
      return rule.make(method, name);
    }
    return undefined;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const held = this.#held;
    this.#held = [];
    for (const release of held) release();
  }

  get held(): number {
    return this.#held.length;
  }

  terminateNamespace(namespace: string): void {
    this.#terminating.add(namespace);
  }

  reset(): void {
    this.#events.clear();
    this.#index.clear();
    this.#size = 0;
    this.#oldest = NO_SLOT;
    this.#newest = NO_SLOT;
    this.#callsV1 = emptyCalls();
    this.#callsEventsV1 = emptyCalls();
    this.#requests.clear();
    this.#faults = [];
    this.#terminating.clear();
    this.resume();
    this.#notify();
  }

  // --- waiting ------------------------------------------------------------

  waitFor<T>(
    evaluate: () => T,
    describeState: () => string,
    options: WaitForOptions,
  ): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
    return this.#waiters.wait(
      evaluate,
      describeState,
      'MemorySink.waitFor',
      options,
    );
  }

  #notify(): void {
    this.#waiters.notify();
  }

  describe(api: EventApi | undefined): string {
    const c = this.calls(api);
    return `Calls so far: create ${c.create}, patch ${c.patch}, update ${c.update}; ${this.#size} stored event(s).`;
  }
}

// The views requests answer with. Module functions rather than closures per
// sink: optimised code that inlines a sink's own closure is thrown away when
// that sink is collected.
function coreView(store: EventStore, slot: number): Event {
  return store.coreView(slot);
}

function coreNowView(store: EventStore, slot: number): Event {
  return store.coreNowView(slot);
}

function eventsView(store: EventStore, slot: number): EventsV1Event {
  return store.eventsView(slot);
}

// The store of each sink, shared with its events.k8s.io/v1 view without
// exposing it on either public class.
const stores = new WeakMap<MemorySink, EventStore>();

function storeOf(sink: MemorySink): EventStore {
  const store = stores.get(sink);
  if (store === undefined) {
    throw new InvalidOptionError('MemoryEventsV1Sink needs a MemorySink');
  }
  return store;
}

/**
 * An in-memory {@link EventSink} with the API server's semantics, for tests,
 * examples and benchmarks:
 *
 * - names are unique per namespace (a second create fails with AlreadyExists);
 * - every write gets a higher `resourceVersion`, and a `uid` and
 *   `creationTimestamp` on create;
 * - `patch` applies the strategic-merge JSON body (for Events: a JSON merge
 *   patch where `null` deletes) and fails with NotFound when the event does
 *   not exist (or has expired, with `ttlMs`);
 * - validation is the server's (`validateEventCreate`, `validateEventUpdate`),
 *   answered with Invalid; through events.k8s.io/v1 only `series` and
 *   metadata can change;
 * - core/v1 timestamps come back truncated to seconds, as over the wire.
 *
 * One store, two views: the `MemorySink` itself is the core/v1 API
 * (`EventSink<Event>`), and {@link MemorySink.eventsV1} returns the
 * events.k8s.io/v1 API (`EventSink<EventsV1Event>`) over the same objects, as
 * the API server serves one object through both. Counters, the request log,
 * fault injection and `waitFor` are there for tests.
 *
 * Everything returned is a copy: changing it does not change the store.
 *
 * @example
 * ```ts
 * const sink = new MemorySink();
 * broadcaster.startRecordingToSink(sink);
 * recorder.eventf(pod, 'Normal', 'Started', 'Started container %s', 'web');
 * const [event] = await sink.waitFor((s) => s.list({ reason: 'Started' }).length > 0 && s.list());
 * ```
 */
export class MemorySink implements EventSink<Event> {
  readonly #store: EventStore;
  #events: MemoryEventsV1Sink | undefined;
  #closed = false;

  /**
   * Creates an empty sink.
   * @throws {@link InvalidOptionError} for a bad `ttlMs` or `requestLogCapacity`.
   */
  constructor(options: MemorySinkOptions = {}) {
    this.#store = new EventStore(options);
    stores.set(this, this.#store);
  }

  // --- EventSink (core/v1 API) --------------------------------------------

  /** Creates an event through the core/v1 API. */
  create(event: Event): Promise<Event> {
    return this.#store.request('v1', 'create', event, undefined, coreView);
  }

  /** Replaces (or creates) an event through the core/v1 API. */
  update(event: Event): Promise<Event> {
    return this.#store.request('v1', 'update', event, undefined, coreView);
  }

  /** Applies a strategic-merge patch through the core/v1 API. */
  patch(event: Event, patch: string): Promise<Event> {
    return this.#store.request('v1', 'patch', event, patch, coreView);
  }

  /**
   * {@link MemorySink.create}, synchronously (see `EventSink.createNow`):
   * the reply, or throws the SinkError; `undefined` while the sink is
   * {@link MemorySink.pause | paused}. The reply is one object that the
   * sink's next answer at once refills: read it before calling the sink
   * again, and use {@link MemorySink.create} for a copy to keep.
   */
  createNow(event: Event): Event | undefined {
    return this.#store.requestNow(
      'v1',
      'create',
      event,
      undefined,
      coreNowView,
    );
  }

  /** {@link MemorySink.patch}, synchronously, as {@link MemorySink.createNow}. */
  patchNow(event: Event, patch: string): Event | undefined {
    return this.#store.requestNow('v1', 'patch', event, patch, coreNowView);
  }

  /**
   * Marks the sink as closed, as a broadcaster's `shutdown` does with the
   * sinks it writes to; {@link MemorySink.closed} tells a test it happened.
   * A memory sink holds nothing to release, so it keeps answering afterwards.
   */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Whether {@link MemorySink.close} (or the events view's) was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // --- views ----------------------------------------------------------------

  /** This sink: the core/v1 view. For symmetry with {@link MemorySink.eventsV1}. */
  coreV1(): MemorySink {
    return this;
  }

  /**
   * The events.k8s.io/v1 view of the same store: an
   * `EventSink<EventsV1Event>` with the stricter validation and immutability
   * of that API. Always the same object.
   */
  eventsV1(): MemoryEventsV1Sink {
    this.#events ??= new MemoryEventsV1Sink(this);
    return this.#events;
  }

  // --- queries --------------------------------------------------------------

  /** Stored events matching `filter`, oldest created first, as core/v1 events. */
  list(filter?: EventListFilter): Event[] {
    return this.#store.list(filter).map((e) => this.#store.coreView(e));
  }

  /** The stored event, as a core/v1 event, or `undefined`. */
  get(namespace: string, name: string): Event | undefined {
    const slot = this.#store.get(namespace, name);
    return slot === NO_SLOT ? undefined : this.#store.coreView(slot);
  }

  /** How many events are stored (expired ones not yet swept may count). */
  get size(): number {
    return this.#store.list().length;
  }

  /** Calls made through both APIs, by method. A fresh object each time. */
  get calls(): MemorySinkCalls {
    return this.#store.calls(undefined);
  }

  /** The latest requests through both APIs (see `requestLogCapacity`). */
  get requests(): MemorySinkRequest[] {
    return this.#store.requests(undefined);
  }

  /**
   * Resolves with the first truthy value `predicate` returns: now, or right
   * after the write that makes it truthy (any create, update, patch, failure
   * or `deleteEvent`). Rejects with a `TimeoutError` that describes the calls
   * made so far if that does not happen within `timeoutMs` real milliseconds.
   *
   * Drive it with writes, not with time: the timeout is a safety net.
   *
   * @example
   * ```ts
   * await sink.waitFor((s) => s.calls.patch >= 24);
   * const event = await sink.waitFor((s) => s.get('shop', name));
   * ```
   */
  waitFor<T>(
    predicate: (sink: MemorySink) => T,
    options: WaitForOptions = {},
  ): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
    return this.#store.waitFor(
      () => predicate(this),
      () => this.#store.describe(undefined),
      options,
    );
  }

  // --- test controls --------------------------------------------------------

  /**
   * Makes the next `count` calls (through either API, unless `options.api` is
   * given) fail with `error`: a {@link SinkErrorCode}, from which a matching
   * error is made for each call, or a {@link SinkError} thrown as it is.
   * `Infinity` keeps failing until {@link MemorySink.clearFaults}. Several
   * calls queue up, first in first out.
   *
   * @example
   * ```ts
   * sink.failNext(3, 'Transport');
   * sink.failNext(1, 'TooManyRequests', { methods: ['patch'], retryAfterMs: 2000 });
   * ```
   */
  failNext(
    count: number,
    error: SinkErrorCode | SinkError,
    options?: FailNextOptions,
  ): void {
    this.#store.failNext(count, error, options);
  }

  /** Cancels every pending injected failure. */
  clearFaults(): void {
    this.#store.clearFaults();
  }

  /** How many injected failures are still pending. */
  get pendingFaults(): number {
    return this.#store.pendingFaults();
  }

  /**
   * Holds every call from now on until {@link MemorySink.resume}: a stalled
   * server. Held calls are counted at once and answered in order on resume.
   */
  pause(): void {
    this.#store.pause();
  }

  /** Answers the held calls and stops holding new ones. */
  resume(): void {
    this.#store.resume();
  }

  /** How many calls are held by {@link MemorySink.pause}. */
  get held(): number {
    return this.#store.held;
  }

  /**
   * Deletes an event, as kube-apiserver's TTL expiry does: a later patch of it
   * fails with NotFound. Returns whether it existed.
   */
  deleteEvent(namespace: string, name: string): boolean {
    return this.#store.delete(namespace, name);
  }

  /**
   * Marks a namespace as terminating: creates in it fail with Forbidden, as
   * on a real server while the namespace is being deleted.
   */
  terminateNamespace(namespace: string): void {
    this.#store.terminateNamespace(namespace);
  }

  /**
   * Forgets every event, counter, logged request, injected failure and
   * terminating namespace, and answers held calls. The resourceVersion keeps
   * increasing across resets.
   */
  reset(): void {
    this.#store.reset();
  }
}

/**
 * The events.k8s.io/v1 view of a {@link MemorySink}: an
 * `EventSink<EventsV1Event>` over the same store. Obtain it with
 * {@link MemorySink.eventsV1}. Its `calls` and `requests` count only
 * events.k8s.io/v1 requests; faults, pause and reset act on the whole store.
 */
export class MemoryEventsV1Sink implements EventSink<EventsV1Event> {
  readonly #store: EventStore;
  /** The sink this is a view of (the core/v1 view and the test controls). */
  readonly store: MemorySink;

  /**
   * Creates the events.k8s.io/v1 view of `sink`; {@link MemorySink.eventsV1}
   * returns one such view, made once.
   */
  constructor(sink: MemorySink) {
    this.#store = storeOf(sink);
    this.store = sink;
  }

  /** Creates an event through the events.k8s.io/v1 API. */
  create(event: EventsV1Event): Promise<EventsV1Event> {
    return this.#store.request(
      'events.k8s.io/v1',
      'create',
      event,
      undefined,
      eventsView,
    );
  }

  /** Replaces (or creates) an event through the events.k8s.io/v1 API. */
  update(event: EventsV1Event): Promise<EventsV1Event> {
    return this.#store.request(
      'events.k8s.io/v1',
      'update',
      event,
      undefined,
      eventsView,
    );
  }

  /** Applies a strategic-merge patch through the events.k8s.io/v1 API. */
  patch(event: EventsV1Event, patch: string): Promise<EventsV1Event> {
    return this.#store.request(
      'events.k8s.io/v1',
      'patch',
      event,
      patch,
      eventsView,
    );
  }

  /** {@link MemoryEventsV1Sink.create}, synchronously, as `MemorySink.createNow`. */
  createNow(event: EventsV1Event): EventsV1Event | undefined {
    return this.#store.requestNow(
      'events.k8s.io/v1',
      'create',
      event,
      undefined,
      eventsView,
    );
  }

  /** {@link MemoryEventsV1Sink.patch}, synchronously, as `MemorySink.createNow`. */
  patchNow(event: EventsV1Event, patch: string): EventsV1Event | undefined {
    return this.#store.requestNow(
      'events.k8s.io/v1',
      'patch',
      event,
      patch,
      eventsView,
    );
  }

  /** Stored events matching `filter`, as events.k8s.io/v1 events. */
  list(filter?: EventListFilter): EventsV1Event[] {
    return this.#store.list(filter).map((e) => this.#store.eventsView(e));
  }

  /** The stored event, as an events.k8s.io/v1 event, or `undefined`. */
  get(namespace: string, name: string): EventsV1Event | undefined {
    const slot = this.#store.get(namespace, name);
    return slot === NO_SLOT ? undefined : this.#store.eventsView(slot);
  }

  /** Calls made through events.k8s.io/v1, by method. */
  get calls(): MemorySinkCalls {
    return this.#store.calls('events.k8s.io/v1');
  }

  /** The latest requests made through events.k8s.io/v1. */
  get requests(): MemorySinkRequest[] {
    return this.#store.requests('events.k8s.io/v1');
  }

  /** As {@link MemorySink.waitFor}, with this view passed to `predicate`. */
  waitFor<T>(
    predicate: (sink: MemoryEventsV1Sink) => T,
    options: WaitForOptions = {},
  ): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
    return this.#store.waitFor(
      () => predicate(this),
      () => this.#store.describe('events.k8s.io/v1'),
      options,
    );
  }

  /** As {@link MemorySink.failNext}; failures apply to both APIs unless `options.api` says otherwise. */
  failNext(
    count: number,
    error: SinkErrorCode | SinkError,
    options?: FailNextOptions,
  ): void {
    this.#store.failNext(count, error, options);
  }

  /** Marks the sink this is a view of as closed; see {@link MemorySink.close}. */
  close(): Promise<void> {
    return this.store.close();
  }

  /** As {@link MemorySink.deleteEvent}. */
  deleteEvent(namespace: string, name: string): boolean {
    return this.#store.delete(namespace, name);
  }
}
