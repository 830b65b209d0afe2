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
} from './eventObject.js';
import { RequestLog } from './requestLog.js';
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

interface Entry {
  key: string;
  event: Event;
  expiresAt: number;
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

function matchesRef(
  ref: ObjectReference,
  filter: Partial<ObjectReference> | undefined,
): boolean {
  if (filter === undefined) return true;
  for (const key of Object.keys(filter) as Array<keyof ObjectReference>) {
    const want = filter[key];
    if (want !== undefined && (ref[key] ?? '') !== want) return false;
  }
  return true;
}

function truncateInPlace(date: Date | undefined): void {
  if (!(date instanceof Date)) return;
  const ms = date.getTime();
  date.setTime(ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The server's normalisation of a stored core/v1 event, in place. Only ever
 * called on a fresh {@link cloneEvent} copy (which has no apiVersion or kind),
 * so the timestamps it truncates belong to the store.
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
  readonly #maxEvents: number;
  readonly #namespaces: Set<string> | undefined;
  readonly #terminating = new Set<string>();
  readonly #logCapacity: number;
  readonly #validate: boolean;
  #entries = new Map<string, Entry>();
  /**
   * With `maxEvents`, the entries in creation order, oldest from `#oldest`
   * (deleted ones are skipped when met). Taking the oldest key of the Map
   * instead walks over every entry deleted since its last rehash, which made
   * each eviction cost microseconds.
   */
  #order: Entry[] = [];
  #oldest = 0;
  #resourceVersion = 0;
  #calls: Record<EventApi, MemorySinkCalls> = {
    v1: emptyCalls(),
    'events.k8s.io/v1': emptyCalls(),
  };
  readonly #requests: RequestLog;
  #faults: FaultRule[] = [];
  readonly #waiters = new WaiterSet();
  #paused = false;
  #held: Array<() => void> = [];

  constructor(options: MemorySinkOptions) {
    this.clock = options.clock ?? realClock;
    const ttl = options.ttlMs ?? Number.POSITIVE_INFINITY;
    if (typeof ttl !== 'number' || !(ttl > 0)) {
      throw new InvalidOptionError(
        `ttlMs must be a positive number, got ${String(ttl)}`,
      );
    }
    this.#ttlMs = ttl;
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

  // --- requests -----------------------------------------------------------

  /**
   * Answers a request: the stored event (the caller copies it into its view),
   * or a rejection with a SinkError. Unless the sink is paused the work is
   * done at once, and `view` is applied before the promise is made, so a
   * write costs one promise.
   */
  request<T>(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
    view: (stored: Event) => T,
  ): Promise<T> {
    const calls = this.#calls[api];
    calls[method]++;
    calls.total++;
    if (this.#paused) {
      return new Promise<void>((resume) => this.#held.push(resume)).then(() =>
        view(this.#answer(api, method, input, body)),
      );
    }
    try {
      return Promise.resolve(view(this.#answer(api, method, input, body)));
    } catch (error) {
      // #answer throws SinkErrors only.
      return Promise.reject(
        error instanceof Error ? error : new Error(String(error)),
      );
    }
  }

  #answer(
    api: EventApi,
    method: MemorySinkMethod,
    input: Event | EventsV1Event,
    body: string | undefined,
  ): Event {
    const namespace = input?.metadata?.namespace ?? '';
    const name = input?.metadata?.name ?? '';
    try {
      const fault = this.#takeFault(api, method, name);
      if (fault !== undefined) throw fault;
      let stored: Event;
      if (method === 'create') stored = this.#create(api, input);
      else if (method === 'update') stored = this.#update(api, input);
      else stored = this.#patch(api, input, body ?? '');
      this.#log(
        api,
        method,
        namespace,
        name,
        body,
        'ok',
        stored.metadata.resourceVersion,
      );
      return stored;
    } catch (error) {
      // The EventSink contract: reject with a SinkError, whatever went wrong.
      const failure = isSinkError(error)
        ? error
        : new RequestConstructionError(
            `MemorySink could not ${method} event "${name}": ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
      this.#log(api, method, namespace, name, body, failure.code, undefined);
      throw failure;
    } finally {
      this.#notify();
    }
  }

  #create(api: EventApi, input: Event | EventsV1Event): Event {
    const event = this.#toInternal(api, input);
    return this.#insert(api, event);
  }

  #insert(api: EventApi, event: Event): Event {
    const { namespace = '', name = '' } = event.metadata;
    if (this.#validate) {
      const issues = validateEventCreate(event, api);
      if (issues.length > 0) {
        throw new InvalidError(
          `Event "${name}" is invalid: ${issuesText(issues)}`,
          {
            status: 422,
          },
        );
      }
    }
    if (this.#namespaces !== undefined && !this.#namespaces.has(namespace)) {
      throw new NotFoundError(`namespaces "${namespace}" not found`);
    }
    if (this.#terminating.has(namespace)) {
      throw new ForbiddenError(
        `events "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
    const key = `${namespace}/${name}`;
    if (this.#lookup(key) !== undefined) {
      throw new AlreadyExistsError(`events "${name}" already exists`);
    }
    event.metadata.uid = globalThis.crypto.randomUUID();
    const now = this.#nowMs();
    event.metadata.creationTimestamp = new Date(
      now - (((now % 1000) + 1000) % 1000),
    );
    return this.#store(key, event, undefined);
  }

  #update(api: EventApi, input: Event | EventsV1Event): Event {
    const next = this.#toInternal(api, input);
    const { namespace = '', name = '' } = next.metadata;
    const key = `${namespace}/${name}`;
    const previous = this.#lookup(key);
    // The server allows create on update for events.
    if (previous === undefined) return this.#insert(api, next);
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== previous.event.metadata.resourceVersion) {
      throw sinkErrorFromStatus(
        409,
        `Operation cannot be fulfilled on events "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return this.#replace(api, key, next, previous);
  }

  #patch(api: EventApi, input: Event | EventsV1Event, body: string): Event {
    const { namespace = '', name = '' } = input?.metadata ?? {};
    if (name === '') {
      throw new RequestConstructionError('resource name may not be empty');
    }
    const key = `${namespace}/${name}`;
    const previous = this.#lookup(key);
    if (previous === undefined)
      throw new NotFoundError(`events "${name}" not found`);
    let next: Event;
    try {
      const patch = parsePatchBody(body);
      const prev = previous.event;
      if (api === 'v1') {
        // The correlator's count patch takes one copy; anything else merges
        // into a copy, and copying again prunes unknown fields it added.
        next =
          applyCountPatch(prev, patch) ??
          cloneEvent(
            applyMergePatch(
              cloneEvent(prev) as unknown as Record<string, unknown>,
              patch,
            ) as unknown as Event,
          );
      } else {
        const view = applyMergePatch(
          coreV1ToEventsV1(cloneEvent(prev)) as unknown as Record<
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
        `Event "${name}" is invalid: ${issuesText(shape)}`,
        {
          status: 400,
        },
      );
    }
    if (next.metadata.name !== name || next.metadata.namespace !== namespace) {
      throw new InvalidError(
        `the name or namespace of the object does not match the request (events "${name}" in "${namespace}")`,
        { status: 400 },
      );
    }
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== previous.event.metadata.resourceVersion) {
      throw sinkErrorFromStatus(
        409,
        `Operation cannot be fulfilled on events "${name}": the object has been modified`,
      );
    }
    return this.#replace(api, key, next, previous);
  }

  #replace(api: EventApi, key: string, next: Event, entry: Entry): Event {
    const previous = entry.event;
    normalise(next);
    if (this.#validate) {
      const issues = validateEventUpdate(next, previous, api);
      if (issues.length > 0) {
        throw new InvalidError(
          `Event "${previous.metadata.name ?? ''}" is invalid: ${issuesText(issues)}`,
          { status: 422 },
        );
      }
    }
    next.metadata.uid = previous.metadata.uid;
    next.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    return this.#store(key, next, entry);
  }

  /** Stores `event` under `key`: in `entry` (the current one, from #lookup) or a new one. */
  #store(key: string, event: Event, entry: Entry | undefined): Event {
    event.metadata.resourceVersion = String(++this.#resourceVersion);
    const expiresAt =
      this.#ttlMs === Number.POSITIVE_INFINITY
        ? this.#ttlMs
        : this.#nowMs() + this.#ttlMs;
    if (entry !== undefined) {
      // A write to an existing event keeps its place in the listing order.
      entry.event = event;
      entry.expiresAt = expiresAt;
    } else {
      const added: Entry = { key, event, expiresAt };
      this.#entries.set(key, added);
      if (this.#maxEvents !== Number.POSITIVE_INFINITY) {
        this.#order.push(added);
        if (this.#entries.size > this.#maxEvents) this.#evictOldest();
        this.#compactOrder();
      }
    }
    return event;
  }

  /** Deletes the oldest created entry still stored. */
  #evictOldest(): void {
    const order = this.#order;
    while (this.#oldest < order.length) {
      const entry = order[this.#oldest] as Entry;
      order[this.#oldest++] = undefined as unknown as Entry;
      if (this.#entries.get(entry.key) === entry) {
        this.#entries.delete(entry.key);
        break;
      }
    }
  }

  /**
   * Keeps `#order` bounded: drops what eviction took, and the deleted entries
   * (expired, `deleteEvent`) once they outnumber the stored ones.
   */
  #compactOrder(): void {
    if (this.#oldest > 1024 && this.#oldest * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#oldest);
      this.#oldest = 0;
    }
    if (this.#order.length - this.#oldest > 2 * this.#entries.size + 1024) {
      this.#order = this.#order
        .slice(this.#oldest)
        .filter((e) => this.#entries.get(e.key) === e);
      this.#oldest = 0;
    }
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

  // --- queries ------------------------------------------------------------

  /** The clock's time in ms; with the real clock, without making a `Date`. */
  #nowMs(): number {
    return this.clock === realClock ? Date.now() : this.clock.now().getTime();
  }

  #lookup(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (
      entry.expiresAt !== Number.POSITIVE_INFINITY &&
      entry.expiresAt <= this.#nowMs()
    ) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get(namespace: string, name: string): Event | undefined {
    return this.#lookup(`${namespace}/${name}`)?.event;
  }

  list(filter: EventListFilter = {}): Event[] {
    const now = this.clock.now().getTime();
    const ref = filter.involvedObject ?? filter.regarding;
    const out: Event[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) {
        this.#entries.delete(key);
        continue;
      }
      const e = entry.event;
      if (
        filter.namespace !== undefined &&
        e.metadata.namespace !== filter.namespace
      )
        continue;
      if (filter.reason !== undefined && e.reason !== filter.reason) continue;
      if (filter.type !== undefined && e.type !== filter.type) continue;
      if (!matchesRef(e.involvedObject, ref)) continue;
      out.push(e);
    }
    return out;
  }

  delete(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const existed = this.#lookup(key) !== undefined;
    this.#entries.delete(key);
    if (existed) this.#notify();
    return existed;
  }

  calls(api: EventApi | undefined): MemorySinkCalls {
    if (api !== undefined) return { ...this.#calls[api] };
    const a = this.#calls.v1;
    const b = this.#calls['events.k8s.io/v1'];
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

  #log(
    api: EventApi,
    method: MemorySinkMethod,
    namespace: string,
    name: string,
    patch: string | undefined,
    outcome: MemorySinkRequest['outcome'],
    resourceVersion: string | undefined,
  ): void {
    if (this.#logCapacity === 0) return;
    this.#requests.add(
      api,
      method,
      namespace,
      name,
      patch,
      outcome,
      resourceVersion,
      this.#nowMs(),
    );
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
    this.#entries = new Map();
    this.#order = [];
    this.#oldest = 0;
    this.#calls = { v1: emptyCalls(), 'events.k8s.io/v1': emptyCalls() };
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
    return `Calls so far: create ${c.create}, patch ${c.patch}, update ${c.update}; ${this.#entries.size} stored event(s).`;
  }
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

function coreView(event: Event): Event {
  return cloneEvent(event, true);
}

function eventsView(event: Event): EventsV1Event {
  return coreV1ToEventsV1(cloneEvent(event));
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
    return this.#store.list(filter).map(coreView);
  }

  /** The stored event, as a core/v1 event, or `undefined`. */
  get(namespace: string, name: string): Event | undefined {
    const event = this.#store.get(namespace, name);
    return event === undefined ? undefined : coreView(event);
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

  /** Stored events matching `filter`, as events.k8s.io/v1 events. */
  list(filter?: EventListFilter): EventsV1Event[] {
    return this.#store.list(filter).map(eventsView);
  }

  /** The stored event, as an events.k8s.io/v1 event, or `undefined`. */
  get(namespace: string, name: string): EventsV1Event | undefined {
    const event = this.#store.get(namespace, name);
    return event === undefined ? undefined : eventsView(event);
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
