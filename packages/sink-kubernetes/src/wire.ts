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

function refToWire(ref: ObjectReference | undefined): Wire | undefined {
  if (ref === undefined) return undefined;
  const out: Wire = {};
  for (const key of [
    'kind',
    'apiVersion',
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'fieldPath',
  ] as const) {
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
  set(out, 'reason', event.reason);
  set(out, 'message', event.message);
  set(out, 'source', event.source);
  set(
    out,
    'firstTimestamp',
    event.firstTimestamp && formatTime(event.firstTimestamp),
  );
  set(
    out,
    'lastTimestamp',
    event.lastTimestamp && formatTime(event.lastTimestamp),
  );
  set(out, 'count', event.count);
  set(out, 'type', event.type);
  set(out, 'eventTime', event.eventTime && formatMicroTime(event.eventTime));
  set(out, 'series', seriesToWire(event.series));
  set(out, 'action', event.action);
  set(out, 'related', refToWire(event.related));
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
  set(out, 'series', seriesToWire(event.series));
  set(out, 'reportingController', event.reportingController);
  set(out, 'reportingInstance', event.reportingInstance);
  set(out, 'action', event.action);
  set(out, 'reason', event.reason);
  set(out, 'regarding', refToWire(event.regarding));
  set(out, 'related', refToWire(event.related));
  set(out, 'note', event.note);
  set(out, 'type', event.type);
  set(out, 'deprecatedSource', event.deprecatedSource);
  set(
    out,
    'deprecatedFirstTimestamp',
    event.deprecatedFirstTimestamp &&
      formatTime(event.deprecatedFirstTimestamp),
  );
  set(
    out,
    'deprecatedLastTimestamp',
    event.deprecatedLastTimestamp && formatTime(event.deprecatedLastTimestamp),
  );
  set(out, 'deprecatedCount', event.deprecatedCount);
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
  for (const key of [
    'kind',
    'apiVersion',
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'fieldPath',
  ] as const) {
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

/** The server's core/v1 event (a client-library model or plain JSON) as core's {@link Event}. */
export function coreEventFromWire(value: unknown): Event {
  const o = readObject(value) ?? {};
  const out: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: readMetadata(o['metadata']),
    involvedObject: readRef(o['involvedObject']) ?? {},
  };
  assign(out, 'reason', readString(o['reason']));
  assign(out, 'message', readString(o['message']));
  assign(out, 'source', readSource(o['source']));
  assign(out, 'firstTimestamp', readTime(o['firstTimestamp']));
  assign(out, 'lastTimestamp', readTime(o['lastTimestamp']));
  assign(out, 'count', readNumber(o['count']));
  assign(out, 'type', readString(o['type']));
  assign(out, 'eventTime', readTime(o['eventTime']));
  assign(out, 'series', readSeries(o['series']));
  assign(out, 'action', readString(o['action']));
  assign(out, 'related', readRef(o['related']));
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
  assign(out, 'series', readSeries(o['series']));
  assign(out, 'reportingController', readString(o['reportingController']));
  assign(out, 'reportingInstance', readString(o['reportingInstance']));
  assign(out, 'action', readString(o['action']));
  assign(out, 'reason', readString(o['reason']));
  assign(out, 'regarding', readRef(o['regarding']));
  assign(out, 'related', readRef(o['related']));
  assign(out, 'note', readString(o['note']));
  assign(out, 'type', readString(o['type']));
  assign(out, 'deprecatedSource', readSource(o['deprecatedSource']));
  assign(
    out,
    'deprecatedFirstTimestamp',
    readTime(o['deprecatedFirstTimestamp']),
  );
  assign(
    out,
    'deprecatedLastTimestamp',
    readTime(o['deprecatedLastTimestamp']),
  );
  assign(out, 'deprecatedCount', readNumber(o['deprecatedCount']));
  return out;
}
