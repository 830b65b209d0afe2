import type { Event } from '@event-recorder/core';
import {
  cloneRef,
  cloneSeries,
  copyStrings,
  isPlainObject,
} from './eventObject.js';

type Loose = Record<string, unknown>;

// `source` of a stored event: absent, an object (its two fields flattened),
// or a value of another type kept as it is (in `sourceComponent`).
const SOURCE_ABSENT = 0;
const SOURCE_OBJECT = 1;
const SOURCE_OTHER = 2;

/**
 * A stored event: the internal (core/v1) object the server keeps, in one flat
 * object. The sink keeps thousands of these alive across garbage
 * collections, so each costs one allocation: metadata, `involvedObject` and
 * `source` are flattened into it, timestamps are numbers (first/last and
 * creation in whole seconds, which they are once stored), and the uid and
 * resourceVersion are numbers formatted only in the copies handed out. It
 * is also the store's index entry and a link of its creation-order list.
 *
 * Nothing outside the store ever holds one: readers get copies made by
 * {@link storedToEvent}, so the store may change it in place.
 */
export class StoredEvent {
  /** The previous and next entry in creation order. */
  prev: StoredEvent | undefined = undefined;
  next: StoredEvent | undefined = undefined;
  /** When it expires (ms), with a TTL. */
  expiresAt = 0;
  /** The index keys, as the name and namespace strings. */
  key = '';
  namespaceKey = '';
  // metadata
  name: unknown = undefined;
  namespace: unknown = undefined;
  annotations: unknown = undefined;
  labels: unknown = undefined;
  resourceVersion = 0;
  uid = 0;
  creationSeconds = 0;
  // involvedObject, always an object once stored
  kind: unknown = undefined;
  apiVersion: unknown = undefined;
  objectName: unknown = undefined;
  objectNamespace: unknown = undefined;
  objectUid: unknown = undefined;
  objectResourceVersion: unknown = undefined;
  fieldPath: unknown = undefined;
  reason: unknown = undefined;
  message: unknown = undefined;
  source = SOURCE_ABSENT;
  sourceComponent: unknown = undefined;
  sourceHost: unknown = undefined;
  /** `firstTimestamp` in seconds (stored core timestamps are whole seconds). */
  firstSeconds: number | undefined = undefined;
  lastSeconds: number | undefined = undefined;
  count: unknown = undefined;
  type: unknown = undefined;
  /** `eventTime` in ms. */
  eventTimeMs: number | undefined = undefined;
  series: unknown = undefined;
  action: unknown = undefined;
  related: unknown = undefined;
  reportingComponent: unknown = undefined;
  reportingInstance: unknown = undefined;
}

function seconds(date: unknown): number | undefined {
  return date === undefined
    ? undefined
    : Math.floor((date as Date).getTime() / 1000);
}

function setSource(stored: StoredEvent, source: unknown): void {
  if (source === undefined) {
    stored.source = SOURCE_ABSENT;
    stored.sourceComponent = undefined;
    stored.sourceHost = undefined;
  } else if (isPlainObject(source)) {
    stored.source = SOURCE_OBJECT;
    stored.sourceComponent = source['component'];
    stored.sourceHost = source['host'];
  } else {
    stored.source = SOURCE_OTHER;
    stored.sourceComponent = source;
    stored.sourceHost = undefined;
  }
}

function setObject(stored: StoredEvent, ref: Loose): void {
  stored.kind = ref['kind'];
  stored.apiVersion = ref['apiVersion'];
  stored.objectName = ref['name'];
  stored.objectNamespace = ref['namespace'];
  stored.objectUid = ref['uid'];
  stored.objectResourceVersion = ref['resourceVersion'];
  stored.fieldPath = ref['fieldPath'];
}

/**
 * Sets every field of `stored` but the server's (uid, creationTimestamp,
 * resourceVersion) from an internal event: a fresh copy, already checked by
 * `checkShape` and normalised (timestamps truncated), whose objects the store
 * takes over.
 */
export function fillStored(stored: StoredEvent, event: Event): void {
  const e = event as unknown as Loose;
  const m = e['metadata'] as Loose;
  stored.name = m['name'];
  stored.namespace = m['namespace'];
  stored.annotations = m['annotations'];
  stored.labels = m['labels'];
  setObject(stored, e['involvedObject'] as Loose);
  stored.reason = e['reason'];
  stored.message = e['message'];
  setSource(stored, e['source']);
  stored.firstSeconds = seconds(e['firstTimestamp']);
  stored.lastSeconds = seconds(e['lastTimestamp']);
  stored.count = e['count'];
  stored.type = e['type'];
  const eventTime = e['eventTime'];
  stored.eventTimeMs =
    eventTime === undefined ? undefined : (eventTime as Date).getTime();
  stored.series = e['series'];
  stored.action = e['action'];
  stored.related = e['related'];
  stored.reportingComponent = e['reportingComponent'];
  stored.reportingInstance = e['reportingInstance'];
}

function isTime(value: unknown): boolean {
  return (
    value === undefined ||
    (value instanceof Date && !Number.isNaN(value.getTime()))
  );
}

function isText(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/**
 * The stored event for a core/v1 create, read straight from the caller's
 * object: what copying it, checking its shape and normalising it gives, in
 * one pass. Returns `undefined` for anything off the common path (no
 * `involvedObject`, annotations, a field of the wrong type), which then takes
 * the generic path and its errors.
 */
export function storedFromInput(input: Event): StoredEvent | undefined {
  const e = input as unknown as Loose;
  const m = e['metadata'];
  const ref = e['involvedObject'];
  if (!isPlainObject(m) || !isPlainObject(ref)) return undefined;
  if (m['annotations'] !== undefined) return undefined;
  const reason = e['reason'];
  const message = e['message'];
  const type = e['type'];
  const action = e['action'];
  const component = e['reportingComponent'];
  const instance = e['reportingInstance'];
  const first = e['firstTimestamp'];
  const last = e['lastTimestamp'];
  const eventTime = e['eventTime'];
  const count = e['count'];
  const series = e['series'];
  if (
    !isText(reason) ||
    !isText(message) ||
    !isText(type) ||
    !isText(action) ||
    !isText(component) ||
    !isText(instance) ||
    !isTime(first) ||
    !isTime(last) ||
    !isTime(eventTime) ||
    (count !== undefined && !Number.isSafeInteger(count)) ||
    (series !== undefined &&
      !(isPlainObject(series) && Number.isSafeInteger(series['count'])))
  ) {
    return undefined;
  }
  const stored = new StoredEvent();
  stored.name = m['name'];
  stored.namespace = m['namespace'];
  stored.labels =
    m['labels'] === undefined ? undefined : copyStrings(m['labels']);
  setObject(stored, ref);
  stored.reason = reason;
  stored.message = message;
  setSource(stored, e['source']);
  stored.firstSeconds = seconds(first);
  stored.lastSeconds = seconds(last);
  stored.count = count;
  stored.type = type;
  stored.eventTimeMs =
    eventTime === undefined ? undefined : (eventTime as Date).getTime();
  stored.series = series === undefined ? undefined : cloneSeries(series);
  stored.action = action;
  const related = e['related'];
  stored.related = related === undefined ? undefined : cloneRef(related);
  stored.reportingComponent = component ?? '';
  stored.reportingInstance = instance ?? '';
  return stored;
}

/**
 * A copy of a stored event as a core/v1 `Event`, with `apiVersion: 'v1'` and
 * `kind: 'Event'` first when `typeMeta` is set: the same object, field for
 * field and in the same order, as {@link cloneEvent} of the event it stands
 * for. Builds each object by adding known fields in a fixed order, which V8
 * does far faster than spreading.
 */
export function storedToEvent(
  s: StoredEvent,
  uid: string,
  typeMeta: boolean,
): Event {
  const metadata: Loose = {};
  if (s.name !== undefined) metadata['name'] = s.name;
  if (s.namespace !== undefined) metadata['namespace'] = s.namespace;
  if (s.annotations !== undefined)
    metadata['annotations'] = copyStrings(s.annotations);
  if (s.labels !== undefined) metadata['labels'] = copyStrings(s.labels);
  metadata['resourceVersion'] = String(s.resourceVersion);
  metadata['uid'] = uid;
  metadata['creationTimestamp'] = new Date(s.creationSeconds * 1000);
  const ref: Loose = {};
  if (s.kind !== undefined) ref['kind'] = s.kind;
  if (s.apiVersion !== undefined) ref['apiVersion'] = s.apiVersion;
  if (s.objectName !== undefined) ref['name'] = s.objectName;
  if (s.objectNamespace !== undefined) ref['namespace'] = s.objectNamespace;
  if (s.objectUid !== undefined) ref['uid'] = s.objectUid;
  if (s.objectResourceVersion !== undefined)
    ref['resourceVersion'] = s.objectResourceVersion;
  if (s.fieldPath !== undefined) ref['fieldPath'] = s.fieldPath;
  const out: Loose = typeMeta ? { apiVersion: 'v1', kind: 'Event' } : {};
  out['metadata'] = metadata;
  out['involvedObject'] = ref;
  if (s.reason !== undefined) out['reason'] = s.reason;
  if (s.message !== undefined) out['message'] = s.message;
  if (s.source === SOURCE_OBJECT) {
    const source: Loose = {};
    if (s.sourceComponent !== undefined)
      source['component'] = s.sourceComponent;
    if (s.sourceHost !== undefined) source['host'] = s.sourceHost;
    out['source'] = source;
  } else if (s.source === SOURCE_OTHER) {
    out['source'] = s.sourceComponent;
  }
  if (s.firstSeconds !== undefined)
    out['firstTimestamp'] = new Date(s.firstSeconds * 1000);
  if (s.lastSeconds !== undefined)
    out['lastTimestamp'] = new Date(s.lastSeconds * 1000);
  if (s.count !== undefined) out['count'] = s.count;
  if (s.type !== undefined) out['type'] = s.type;
  if (s.eventTimeMs !== undefined) out['eventTime'] = new Date(s.eventTimeMs);
  if (s.series !== undefined) out['series'] = cloneSeries(s.series);
  if (s.action !== undefined) out['action'] = s.action;
  if (s.related !== undefined) out['related'] = cloneRef(s.related);
  if (s.reportingComponent !== undefined)
    out['reportingComponent'] = s.reportingComponent;
  if (s.reportingInstance !== undefined)
    out['reportingInstance'] = s.reportingInstance;
  return out as unknown as Event;
}
