/**
 * The two valid event types. Kubernetes accepts only these on events.k8s.io/v1,
 * and client-go refuses every other value before an event is created.
 */
export type EventType = 'Normal' | 'Warning';

/**
 * The event type constants, spelled as in client-go (`v1.EventTypeNormal`,
 * `v1.EventTypeWarning`).
 */
export const EventTypes = {
  /** Information: nothing is wrong. */
  Normal: 'Normal',
  /** Something may be wrong and deserves attention. */
  Warning: 'Warning',
} as const satisfies Record<EventType, EventType>;

/**
 * Tells whether a value is a valid {@link EventType}: exactly `Normal` or
 * `Warning`, case-sensitive, as client-go's `ValidateEventType`.
 */
export function isValidEventType(value: unknown): value is EventType {
  return value === 'Normal' || value === 'Warning';
}

/**
 * A reference to an object that an event is about, as in core/v1
 * `ObjectReference`. JSON-compatible with `@kubernetes/client-node`'s
 * `V1ObjectReference`.
 */
export interface ObjectReference {
  /** Kind of the referent, such as `Pod`. */
  kind?: string;
  /** API version of the referent: `group/version`, or `version` for the core group. */
  apiVersion?: string;
  /** Name of the referent. */
  name?: string;
  /** Namespace of the referent; empty or absent for cluster-scoped objects. */
  namespace?: string;
  /** UID of the referent. */
  uid?: string;
  /** The referent's resourceVersion when the reference was made. */
  resourceVersion?: string;
  /** A path to a part of the object, such as `spec.containers{web}`. */
  fieldPath?: string;
}

/** The component that reports an event, as in core/v1 `EventSource`. */
export interface EventSource {
  /** The component name, such as `kubelet` or `my-controller`. */
  component?: string;
  /** The host (node) the component runs on. */
  host?: string;
}

/** A series of repeated events (both core/v1 and events.k8s.io/v1). */
export interface EventSeries {
  /** How many times the event has occurred; the server requires at least 2. */
  count: number;
  /** When the last occurrence was observed; sent as a MicroTime. */
  lastObservedTime: Date;
}

/** The metadata an event carries. A subset of `V1ObjectMeta`. */
export interface EventMetadata {
  /** The event's name, unique within its namespace. */
  name?: string;
  /** The namespace the event is stored in. */
  namespace?: string;
  /** Free-form annotations. */
  annotations?: Record<string, string>;
  /** Labels. */
  labels?: Record<string, string>;
  /** The server's resourceVersion for this event. */
  resourceVersion?: string;
  /** The server-assigned UID. */
  uid?: string;
  /** When the server created the event. */
  creationTimestamp?: Date;
}

/**
 * A core/v1 Event, as written by client-go's `tools/record`.
 *
 * Timestamps are `Date` objects, as in `@kubernetes/client-node`'s
 * `CoreV1Event`, so its models can be passed in as they are. On the wire
 * `firstTimestamp`/`lastTimestamp` have seconds precision and `eventTime`
 * microseconds (see {@link formatMicroTime}).
 */
export interface Event {
  /** Always `v1` when set. */
  apiVersion?: string;
  /** Always `Event` when set. */
  kind?: string;
  /** Name, namespace, annotations and resourceVersion. */
  metadata: EventMetadata;
  /** The object this event is about. */
  involvedObject: ObjectReference;
  /** A short, machine-understandable reason, in UpperCamelCase. */
  reason?: string;
  /** A human-readable description. */
  message?: string;
  /** The component that reported the event. */
  source?: EventSource;
  /** When the event was first recorded. */
  firstTimestamp?: Date;
  /** When the most recent occurrence was recorded. */
  lastTimestamp?: Date;
  /** How many times the event has occurred. */
  count?: number;
  /** `Normal` or `Warning`; other values are rejected before recording. */
  type?: string;
  /** When the event was first observed, in microseconds (new-style events only). */
  eventTime?: Date;
  /** Series data for repeated new-style events. */
  series?: EventSeries;
  /** What action was taken or failed. */
  action?: string;
  /** A secondary object. */
  related?: ObjectReference;
  /** The controller that emitted the event (Go field `ReportingController`). */
  reportingComponent?: string;
  /** The instance of the controller that emitted the event. */
  reportingInstance?: string;
}

/**
 * An events.k8s.io/v1 Event, as written by client-go's `tools/events`.
 * JSON-compatible with `@kubernetes/client-node`'s `EventsV1Event`.
 */
export interface EventsV1Event {
  /** Always `events.k8s.io/v1` when set. */
  apiVersion?: string;
  /** Always `Event` when set. */
  kind?: string;
  /** Name, namespace, annotations and resourceVersion. */
  metadata: EventMetadata;
  /** When the event was first observed; required, sent with 6 fractional digits. */
  eventTime: Date;
  /** Series data, present from the second occurrence on. */
  series?: EventSeries;
  /** The controller that emitted the event, such as `example.com/my-controller`. */
  reportingController?: string;
  /** The instance of the controller, such as `my-controller-host-1`. */
  reportingInstance?: string;
  /** What action was taken or failed. */
  action?: string;
  /** Why the action was taken. */
  reason?: string;
  /** The object this event is about. */
  regarding?: ObjectReference;
  /** A secondary object. */
  related?: ObjectReference;
  /** A human-readable description, at most 1024 bytes. */
  note?: string;
  /** `Normal` or `Warning`. */
  type?: string;
  /** Legacy source; must be unset on create through events.k8s.io/v1. */
  deprecatedSource?: EventSource;
  /** Legacy first timestamp; must be unset on create through events.k8s.io/v1. */
  deprecatedFirstTimestamp?: Date;
  /** Legacy last timestamp; must be unset on create through events.k8s.io/v1. */
  deprecatedLastTimestamp?: Date;
  /** Legacy count; must be unset on create through events.k8s.io/v1. */
  deprecatedCount?: number;
}

/**
 * A shallow copy of a record, as `{ ...record }` makes, to which fields can
 * be added quickly: in V8 11 (node 20) a field added to a spread copy takes a
 * slow path, as the copy's map has no transitions (`npm run bench -- copies`
 * measures it), while a fresh object filled by `Object.assign` takes them
 * cheaply. A record with its own `__proto__` field is spread, since assigning
 * that field would set the prototype; `null` or a scalar gives what spreading
 * it gives.
 *
 * @example
 * ```ts
 * const metadata = copyRecord(event.metadata);
 * metadata.resourceVersion = '7'; // cheap, and the input is untouched
 * ```
 */
export function copyRecord<T extends object>(record: T): T {
  // Untyped input may hold null or a scalar here: spread semantics ({}).
  return typeof record === 'object' &&
    record !== null &&
    Object.hasOwn(record, '__proto__')
    ? { ...record }
    : Object.assign({}, record);
}

/**
 * Converts an events.k8s.io/v1 event to its core/v1 view. Both APIs read and
 * write the same stored object; this is the server's field mapping
 * (regarding ↔ involvedObject, note ↔ message, deprecated* ↔ the legacy fields).
 */
export function eventsV1ToCoreV1(event: EventsV1Event): Event {
  const out: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: copyRecord(event.metadata),
    involvedObject: copyRecord(event.regarding ?? {}),
    eventTime: event.eventTime,
    reportingComponent: event.reportingController ?? '',
    reportingInstance: event.reportingInstance ?? '',
  };
  if (event.series !== undefined) out.series = copyRecord(event.series);
  if (event.related !== undefined) out.related = copyRecord(event.related);
  if (event.action !== undefined) out.action = event.action;
  if (event.reason !== undefined) out.reason = event.reason;
  if (event.note !== undefined) out.message = event.note;
  if (event.type !== undefined) out.type = event.type;
  if (event.deprecatedSource !== undefined)
    out.source = copyRecord(event.deprecatedSource);
  if (event.deprecatedFirstTimestamp !== undefined)
    out.firstTimestamp = event.deprecatedFirstTimestamp;
  if (event.deprecatedLastTimestamp !== undefined)
    out.lastTimestamp = event.deprecatedLastTimestamp;
  if (event.deprecatedCount !== undefined) out.count = event.deprecatedCount;
  return out;
}

/**
 * Converts a core/v1 event to its events.k8s.io/v1 view: the inverse of
 * {@link eventsV1ToCoreV1}. A core event without `eventTime` gets its
 * `firstTimestamp` (or the epoch) as `eventTime`, so the result is well-formed.
 */
export function coreV1ToEventsV1(event: Event): EventsV1Event {
  const out: EventsV1Event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: copyRecord(event.metadata),
    eventTime: event.eventTime ?? event.firstTimestamp ?? new Date(0),
    regarding: copyRecord(event.involvedObject),
  };
  if (event.series !== undefined) out.series = copyRecord(event.series);
  if (event.related !== undefined) out.related = copyRecord(event.related);
  if (event.action !== undefined) out.action = event.action;
  if (event.reason !== undefined) out.reason = event.reason;
  if (event.message !== undefined) out.note = event.message;
  if (event.type !== undefined) out.type = event.type;
  if (event.reportingComponent)
    out.reportingController = event.reportingComponent;
  if (event.reportingInstance) out.reportingInstance = event.reportingInstance;
  if (event.source !== undefined)
    out.deprecatedSource = copyRecord(event.source);
  if (event.firstTimestamp !== undefined)
    out.deprecatedFirstTimestamp = event.firstTimestamp;
  if (event.lastTimestamp !== undefined)
    out.deprecatedLastTimestamp = event.lastTimestamp;
  if (event.count !== undefined) out.deprecatedCount = event.count;
  return out;
}

/**
 * Tells whether an event is an events.k8s.io/v1 event (it has `regarding`,
 * `note` or `reportingController`, or that apiVersion) rather than a core/v1
 * one (which has `involvedObject`).
 */
export function isEventsV1Event(
  event: Event | EventsV1Event,
): event is EventsV1Event {
  if (event.apiVersion === 'events.k8s.io/v1') return true;
  if (event.apiVersion === 'v1') return false;
  return !('involvedObject' in event);
}
