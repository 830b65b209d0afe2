import { formatMicroTime, formatTime, parseTime } from '@event-recorder/core';
import type {
  Event,
  EventMetadata,
  EventSeries,
  EventSource,
  EventsV1Event,
  ObjectReference,
} from '@event-recorder/core';

// The JSON the API server receives and returns. Times are strings here, so the
// client library passes them through untouched: `Date.toISOString()` would give
// three fractional digits, which the server rejects for MicroTime fields.
type Wire = Record<string, unknown>;

function set(out: Wire, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

function metadataToWire(metadata: EventMetadata): Wire {
  const out: Wire = {};
  set(out, 'name', metadata.name);
  set(out, 'namespace', metadata.namespace);
  set(out, 'annotations', metadata.annotations);
  set(out, 'labels', metadata.labels);
  set(out, 'resourceVersion', metadata.resourceVersion || undefined);
  return out;
}

function seriesToWire(series: EventSeries | undefined): Wire | undefined {
  if (series === undefined) return undefined;
  return {
    count: series.count,
    lastObservedTime: formatMicroTime(series.lastObservedTime),
  };
}

// The fields of an ObjectReference, in the order the server's JSON has them.
const referenceKeys = [
  'kind',
  'apiVersion',
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'fieldPath',
] as const;

function refToWire(ref: ObjectReference | undefined): Wire | undefined {
  if (ref === undefined) return undefined;
  const out: Wire = {};
  for (const key of referenceKeys) {
    set(out, key, ref[key]);
  }
  return out;
}

/** A core/v1 event as the JSON body of a request, with wire-format times. */
export function coreEventToWire(event: Event): Wire {
  const out: Wire = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: metadataToWire(event.metadata),
    involvedObject: refToWire(event.involvedObject) ?? {},
  };
  fieldsToWire(out, event, coreEventFields);
  // Go serialises these two without omitempty; send them the same way.
  out['reportingComponent'] = event.reportingComponent ?? '';
  out['reportingInstance'] = event.reportingInstance ?? '';
  return out;
}

/** An events.k8s.io/v1 event as the JSON body of a request. */
export function eventsV1EventToWire(event: EventsV1Event): Wire {
  const out: Wire = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: metadataToWire(event.metadata),
    eventTime: formatMicroTime(event.eventTime),
  };
  fieldsToWire(out, event, eventsV1EventFields);
  return out;
}

// What comes back from the client library: a model instance whose times are
// `Date`s for `Time` fields, and strings or `Date`s for `MicroTime` fields,
// depending on the library's major version. Accept both, and null.
function readTime(value: unknown): Date | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string') return parseTime(value);
  return undefined;
}

function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function readObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function readStringMap(value: unknown): Record<string, string> | undefined {
  const o = readObject(value);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}

function assign<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

function readMetadata(value: unknown): EventMetadata {
  const o = readObject(value) ?? {};
  const out: EventMetadata = {};
  assign(out, 'name', readString(o['name']));
  assign(out, 'namespace', readString(o['namespace']));
  assign(out, 'annotations', readStringMap(o['annotations']));
  assign(out, 'labels', readStringMap(o['labels']));
  assign(out, 'resourceVersion', readString(o['resourceVersion']));
  assign(out, 'uid', readString(o['uid']));
  assign(out, 'creationTimestamp', readTime(o['creationTimestamp']));
  return out;
}

function readRef(value: unknown): ObjectReference | undefined {
  const o = readObject(value);
  if (o === undefined) return undefined;
  const out: ObjectReference = {};
  for (const key of referenceKeys) {
    assign(out, key, readString(o[key]));
  }
  return out;
}

function readSource(value: unknown): EventSource | undefined {
  const o = readObject(value);
  if (o === undefined) return undefined;
  const out: EventSource = {};
  assign(out, 'component', readString(o['component']));
  assign(out, 'host', readString(o['host']));
  return out;
}

function readSeries(value: unknown): EventSeries | undefined {
  const o = readObject(value);
  if (o === undefined) return undefined;
  const count = readNumber(o['count']);
  const lastObservedTime = readTime(o['lastObservedTime']);
  if (count === undefined || lastObservedTime === undefined) return undefined;
  return { count, lastObservedTime };
}

// How one optional field goes to the wire and comes back. `toWire` also gets
// `undefined` (and passes it on, so the field is left out).
interface FieldCodec<T> {
  toWire(value: T | undefined): unknown;
  fromWire(value: unknown): T | undefined;
}

type FieldCodecs<TEvent> = { [K in keyof TEvent]?: FieldCodec<TEvent[K]> };

const asString: FieldCodec<string> = {
  toWire: (value) => value,
  fromWire: readString,
};
const asNumber: FieldCodec<number> = {
  toWire: (value) => value,
  fromWire: readNumber,
};
const asTime: FieldCodec<Date> = {
  toWire: (value) => value && formatTime(value),
  fromWire: readTime,
};
const asMicroTime: FieldCodec<Date> = {
  toWire: (value) => value && formatMicroTime(value),
  fromWire: readTime,
};
const asSource: FieldCodec<EventSource> = {
  toWire: (value) => value,
  fromWire: readSource,
};
const asRef: FieldCodec<ObjectReference> = {
  toWire: refToWire,
  fromWire: readRef,
};
const asSeries: FieldCodec<EventSeries> = {
  toWire: seriesToWire,
  fromWire: readSeries,
};

// The optional fields after the required ones, in wire order. The reporting
// fields of core/v1 are not here: they go out even when empty.
const coreEventFields: FieldCodecs<Event> = {
  reason: asString,
  message: asString,
  source: asSource,
  firstTimestamp: asTime,
  lastTimestamp: asTime,
  count: asNumber,
  type: asString,
  eventTime: asMicroTime,
  series: asSeries,
  action: asString,
  related: asRef,
};

const eventsV1EventFields: FieldCodecs<EventsV1Event> = {
  series: asSeries,
  reportingController: asString,
  reportingInstance: asString,
  action: asString,
  reason: asString,
  regarding: asRef,
  related: asRef,
  note: asString,
  type: asString,
  deprecatedSource: asSource,
  deprecatedFirstTimestamp: asTime,
  deprecatedLastTimestamp: asTime,
  deprecatedCount: asNumber,
};

function fieldsToWire<TEvent extends object>(
  out: Wire,
  event: TEvent,
  fields: FieldCodecs<TEvent>,
): void {
  for (const key of Object.keys(fields) as (keyof TEvent & string)[]) {
    set(out, key, fields[key]!.toWire(event[key]));
  }
}

function fieldsFromWire<TEvent extends object>(
  out: TEvent,
  o: Record<string, unknown>,
  fields: FieldCodecs<TEvent>,
): void {
  for (const key of Object.keys(fields) as (keyof TEvent & string)[]) {
    assign(out, key, fields[key]!.fromWire(o[key]));
  }
}

/** The server's core/v1 event (a client-library model or plain JSON) as core's {@link Event}. */
export function coreEventFromWire(value: unknown): Event {
  const o = readObject(value) ?? {};
  const out: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: readMetadata(o['metadata']),
    involvedObject: readRef(o['involvedObject']) ?? {},
  };
  fieldsFromWire(out, o, coreEventFields);
  assign(out, 'reportingComponent', readString(o['reportingComponent']));
  assign(out, 'reportingInstance', readString(o['reportingInstance']));
  return out;
}

/** The server's events.k8s.io/v1 event as core's {@link EventsV1Event}. */
export function eventsV1EventFromWire(value: unknown): EventsV1Event {
  const o = readObject(value) ?? {};
  const out: EventsV1Event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: readMetadata(o['metadata']),
    eventTime: readTime(o['eventTime']) ?? new Date(0),
  };
  fieldsFromWire(out, o, eventsV1EventFields);
  return out;
}
