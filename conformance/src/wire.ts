import type { Event, ObjectReference } from '@event-recorder/core';

/**
 * The neutral JSON form of an {@link ObjectReference} exchanged with the Go
 * harness. Empty strings are omitted.
 */
export interface WireRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/**
 * The neutral JSON form of a core/v1 {@link Event} exchanged with the Go
 * harness: core's field names, timestamps as ISO 8601 strings with
 * millisecond precision. Empty strings, zero counts and absent times are
 * omitted so that "unset" and "zero" compare equal, as they do on the wire.
 */
export interface WireEvent {
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  involvedObject: WireRef;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  type?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  action?: string;
  related?: WireRef;
  reportingComponent?: string;
  reportingInstance?: string;
}

function str(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function time(value: Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date)) return `not a Date: ${JSON.stringify(value)}`;
  if (Number.isNaN(value.getTime())) return 'Invalid Date';
  // Go's zero time is "unset"; JavaScript has no zero time, but the epoch of
  // year 1 is what a port would use to stand for it.
  if (value.getTime() === -62135596800000) return undefined;
  return value.toISOString();
}

function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

function refToWire(ref: ObjectReference | undefined): WireRef {
  if (ref === undefined) return {};
  return compact({
    kind: str(ref.kind),
    namespace: str(ref.namespace),
    name: str(ref.name),
    uid: str(ref.uid),
    apiVersion: str(ref.apiVersion),
    resourceVersion: str(ref.resourceVersion),
    fieldPath: str(ref.fieldPath),
  });
}

/** Converts a core {@link Event} to its normalised wire form. */
export function eventToWire(event: Event): WireEvent {
  const annotations =
    event.metadata.annotations !== undefined &&
    Object.keys(event.metadata.annotations).length > 0
      ? event.metadata.annotations
      : undefined;
  const source =
    str(event.source?.component) !== undefined ||
    str(event.source?.host) !== undefined
      ? compact({
          component: str(event.source?.component),
          host: str(event.source?.host),
        })
      : undefined;
  return compact({
    metadata: compact({
      name: str(event.metadata.name),
      namespace: str(event.metadata.namespace),
      resourceVersion: str(event.metadata.resourceVersion),
      annotations,
    }),
    involvedObject: refToWire(event.involvedObject),
    reason: str(event.reason),
    message: str(event.message),
    source,
    firstTimestamp: time(event.firstTimestamp),
    lastTimestamp: time(event.lastTimestamp),
    count: event.count === 0 ? undefined : event.count,
    type: str(event.type),
    eventTime: time(event.eventTime),
    series:
      event.series === undefined
        ? undefined
        : compact({
            count: event.series.count === 0 ? undefined : event.series.count,
            lastObservedTime: time(event.series.lastObservedTime),
          }),
    action: str(event.action),
    related: event.related === undefined ? undefined : refToWire(event.related),
    reportingComponent: str(event.reportingComponent),
    reportingInstance: str(event.reportingInstance),
  });
}

function parse(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/** Converts a wire event to a fresh core {@link Event} (new objects every call). */
export function eventFromWire(wire: WireEvent): Event {
  const event: Event = {
    metadata: compact({
      name: wire.metadata.name,
      namespace: wire.metadata.namespace,
      resourceVersion: wire.metadata.resourceVersion,
      annotations:
        wire.metadata.annotations === undefined
          ? undefined
          : { ...wire.metadata.annotations },
    }),
    involvedObject: { ...wire.involvedObject },
  };
  if (wire.reason !== undefined) event.reason = wire.reason;
  if (wire.message !== undefined) event.message = wire.message;
  if (wire.source !== undefined) event.source = { ...wire.source };
  const first = parse(wire.firstTimestamp);
  if (first !== undefined) event.firstTimestamp = first;
  const last = parse(wire.lastTimestamp);
  if (last !== undefined) event.lastTimestamp = last;
  // Go's int32 zero and "absent" are the same thing.
  event.count = wire.count ?? 0;
  if (wire.type !== undefined) event.type = wire.type;
  const eventTime = parse(wire.eventTime);
  if (eventTime !== undefined) event.eventTime = eventTime;
  if (wire.series !== undefined) {
    event.series = {
      count: wire.series.count ?? 0,
      lastObservedTime: parse(wire.series.lastObservedTime) ?? new Date(0),
    };
  }
  if (wire.action !== undefined) event.action = wire.action;
  if (wire.related !== undefined) event.related = { ...wire.related };
  if (wire.reportingComponent !== undefined)
    event.reportingComponent = wire.reportingComponent;
  if (wire.reportingInstance !== undefined)
    event.reportingInstance = wire.reportingInstance;
  return event;
}
