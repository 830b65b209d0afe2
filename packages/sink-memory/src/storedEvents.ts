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
/** `source` of a value of another type, kept as it is. */
export const SOURCE_OTHER = 2;

/** The one shape of what {@link StoredEvents.readInput} makes. */
interface ReadEvent {
  metadata: { name: unknown; namespace: unknown; labels: unknown };
  involvedObject: Record<
    | 'kind'
    | 'apiVersion'
    | 'name'
    | 'namespace'
    | 'uid'
    | 'resourceVersion'
    | 'fieldPath',
    unknown
  >;
  reason: unknown;
  message: unknown;
  source: { component: unknown; host: unknown } | undefined;
  firstTimestamp: Date | undefined;
  lastTimestamp: Date | undefined;
  count: unknown;
  type: unknown;
  eventTime: Date | undefined;
  series: unknown;
  action: unknown;
  related: unknown;
  reportingComponent: unknown;
  reportingInstance: unknown;
  /**
   * The three times in ms (`NaN` when absent), read with the fields, so that
   * {@link StoredEvents.fillRead} calls no method of the caller's objects.
   */
  firstMs: number;
  lastMs: number;
  eventTimeMs: number;
}

/**
 * What {@link StoredEvents.readInput} returns, one object for every call: a
 * create is read, validated and copied into its slot synchronously, with no
 * caller code in between (the caller's getters and `Date`s are read before
 * any field is written here), so nothing sees it change. One object,
 * instead of three per create, spares the scavenger about 300 bytes per event.
 */
const read: ReadEvent = {
  metadata: { name: undefined, namespace: undefined, labels: undefined },
  involvedObject: {
    kind: undefined,
    apiVersion: undefined,
    name: undefined,
    namespace: undefined,
    uid: undefined,
    resourceVersion: undefined,
    fieldPath: undefined,
  },
  reason: undefined,
  message: undefined,
  source: undefined,
  firstTimestamp: undefined,
  lastTimestamp: undefined,
  count: undefined,
  type: undefined,
  eventTime: undefined,
  series: undefined,
  action: undefined,
  related: undefined,
  reportingComponent: undefined,
  reportingInstance: undefined,
  firstMs: Number.NaN,
  lastMs: Number.NaN,
  eventTimeMs: Number.NaN,
};
/** {@link read}'s `source`, when the create has one. */
const readSource = {
  component: undefined as unknown,
  host: undefined as unknown,
};

/**
 * Sets a reused `Date` to `ms`, unless it holds it already: writes that
 * follow each other mostly fall in the same second, and in V8 `setTime` is
 * far slower than `getTime`.
 */
function setTime(date: Date, ms: number): void {
  if (date.getTime() !== ms) date.setTime(ms);
}

/**
 * A core/v1 reply in the usual shape of {@link StoredEvents.toEvent} (type
 * meta, no annotations or labels, an object reference without fieldPath, an
 * object source, no events.k8s.io fields), which a store refills for every
 * answer it gives at once (`createNow`, `patchNow`): such an answer then
 * makes no object and no `Date`. Its fields and their order are those of
 * `toEvent`'s copy; a reference with a resourceVersion, or a source with a
 * host, is a second object of that shape.
 */
export class ReusedReply {
  readonly #metadata = {
    name: undefined as unknown,
    namespace: undefined as unknown,
    resourceVersion: '',
    uid: '',
    creationTimestamp: new Date(0),
  };
  readonly #ref: Loose = {
    kind: undefined,
    apiVersion: undefined,
    name: undefined,
    namespace: undefined,
    uid: undefined,
  };
  readonly #refWithVersion: Loose = {
    kind: undefined,
    apiVersion: undefined,
    name: undefined,
    namespace: undefined,
    uid: undefined,
    resourceVersion: undefined,
  };
  readonly #source: Loose = { component: undefined };
  readonly #sourceWithHost: Loose = { component: undefined, host: undefined };
  /** The reply itself. */
  readonly event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: this.#metadata,
    involvedObject: this.#ref,
    reason: undefined as unknown,
    message: undefined as unknown,
    source: this.#source,
    firstTimestamp: new Date(0),
    lastTimestamp: new Date(0),
    count: undefined as unknown,
    type: undefined as unknown,
    reportingComponent: undefined as unknown,
    reportingInstance: undefined as unknown,
  };

  /**
   * Refills the reply from a stored event; `false`, with the reply
   * unchanged, when the event has another shape.
   */
  fill(events: StoredEvents, slot: number, uid: string): boolean {
    const name = events.name[slot];
    const namespace = events.namespace[slot];
    const kind = events.kind[slot];
    const apiVersion = events.apiVersion[slot];
    const objectName = events.objectName[slot];
    const objectNamespace = events.objectNamespace[slot];
    const objectUid = events.objectUid[slot];
    const reason = events.reason[slot];
    const message = events.message[slot];
    const component = events.sourceComponent[slot];
    const first = events.firstSeconds[slot] as number;
    const last = events.lastSeconds[slot] as number;
    const count = events.count[slot];
    const type = events.type[slot];
    const reportingComponent = events.reportingComponent[slot];
    const reportingInstance = events.reportingInstance[slot];
    if (
      name === undefined ||
      namespace === undefined ||
      events.annotations[slot] !== undefined ||
      events.labels[slot] !== undefined ||
      kind === undefined ||
      apiVersion === undefined ||
      objectName === undefined ||
      objectNamespace === undefined ||
      objectUid === undefined ||
      events.fieldPath[slot] !== undefined ||
      reason === undefined ||
      message === undefined ||
      events.source[slot] !== SOURCE_OBJECT ||
      component === undefined ||
      Number.isNaN(first) ||
      Number.isNaN(last) ||
      count === undefined ||
      type === undefined ||
      !Number.isNaN(events.eventTimeMs[slot]) ||
      events.series[slot] !== undefined ||
      events.action[slot] !== undefined ||
      events.related[slot] !== undefined ||
      reportingComponent === undefined ||
      reportingInstance === undefined
    ) {
      return false;
    }
    const metadata = this.#metadata;
    metadata.name = name;
    metadata.namespace = namespace;
    metadata.resourceVersion = String(events.resourceVersion[slot]);
    metadata.uid = uid;
    setTime(
      metadata.creationTimestamp,
      (events.creationSeconds[slot] as number) * 1000,
    );
    const objectVersion = events.objectResourceVersion[slot];
    const ref = objectVersion === undefined ? this.#ref : this.#refWithVersion;
    ref['kind'] = kind;
    ref['apiVersion'] = apiVersion;
    ref['name'] = objectName;
    ref['namespace'] = objectNamespace;
    ref['uid'] = objectUid;
    if (objectVersion !== undefined) ref['resourceVersion'] = objectVersion;
    const host = events.sourceHost[slot];
    const source = host === undefined ? this.#source : this.#sourceWithHost;
    source['component'] = component;
    if (host !== undefined) source['host'] = host;
    const e = this.event;
    e.involvedObject = ref;
    e.reason = reason;
    e.message = message;
    e.source = source;
    setTime(e.firstTimestamp, first * 1000);
    setTime(e.lastTimestamp, last * 1000);
    e.count = count;
    e.type = type;
    e.reportingComponent = reportingComponent;
    e.reportingInstance = reportingInstance;
    return true;
  }
}

/** A slot number meaning "no event". */
export const NO_SLOT = -1;

/**
 * The ms of a time field read off the common path's way: `NaN` when absent,
 * `undefined` when it is not a valid `Date` (the create then takes the
 * generic path).
 */
function timeMs(value: unknown): number | undefined {
  if (value === undefined) return Number.NaN;
  if (!(value instanceof Date)) return undefined;
  const ms = value.getTime();
  return Number.isNaN(ms) ? undefined : ms;
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

/** Whether a copy (labels, an object reference) holds only strings. */
function holdsStrings(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') return false;
  }
  return true;
}

/** Whole seconds of a stored core timestamp, `NaN` when absent. */
function seconds(date: unknown): number {
  return date === undefined
    ? Number.NaN
    : Math.floor((date as Date).getTime() / 1000);
}

/**
 * The stored events, as the internal (core/v1) objects the server keeps, in
 * columns: one array per field, an event being a slot number. The sink keeps
 * thousands of events alive across garbage collections, and objects that
 * live that long are copied by every scavenge until they are promoted; the
 * columns are a few long-lived arrays, so a stored event costs the
 * collector no object of its own. Metadata, `involvedObject` and `source`
 * are flattened into columns, timestamps are numbers (first/last and creation
 * in whole seconds, which they are once stored; `NaN` when absent), and the
 * uid and resourceVersion are numbers formatted only in the copies handed
 * out. Slots also link the events in creation order (`prev`/`next`), and
 * freed slots are reused.
 *
 * Nothing outside the store ever sees a slot's values but through
 * {@link StoredEvents.toEvent}, which copies them, so the store may change a
 * slot in place.
 */
export class StoredEvents {
  /** The previous and next slot in creation order, {@link NO_SLOT} at the ends. */
  readonly prev: number[] = [];
  readonly next: number[] = [];
  /** When the event expires (ms), with a TTL. */
  readonly expiresAt: number[] = [];
  // metadata
  readonly name: unknown[] = [];
  readonly namespace: unknown[] = [];
  readonly annotations: unknown[] = [];
  readonly labels: unknown[] = [];
  readonly resourceVersion: number[] = [];
  readonly uid: number[] = [];
  readonly creationSeconds: number[] = [];
  // involvedObject, always an object once stored
  readonly kind: unknown[] = [];
  readonly apiVersion: unknown[] = [];
  readonly objectName: unknown[] = [];
  readonly objectNamespace: unknown[] = [];
  readonly objectUid: unknown[] = [];
  readonly objectResourceVersion: unknown[] = [];
  readonly fieldPath: unknown[] = [];
  readonly reason: unknown[] = [];
  readonly message: unknown[] = [];
  readonly source: number[] = [];
  readonly sourceComponent: unknown[] = [];
  readonly sourceHost: unknown[] = [];
  /** `firstTimestamp` in seconds, `NaN` when absent. */
  readonly firstSeconds: number[] = [];
  readonly lastSeconds: number[] = [];
  readonly count: unknown[] = [];
  readonly type: unknown[] = [];
  /** `eventTime` in ms, `NaN` when absent. */
  readonly eventTimeMs: number[] = [];
  readonly series: unknown[] = [];
  readonly action: unknown[] = [];
  readonly related: unknown[] = [];
  readonly reportingComponent: unknown[] = [];
  readonly reportingInstance: unknown[] = [];
  #free: number[] = [];
  #slots = 0;

  /** A slot for a new event; its fields are set by the caller. */
  alloc(): number {
    const slot = this.#free.pop();
    if (slot !== undefined) return slot;
    // A new slot at the end of every column, so they stay packed.
    const end = this.#slots++;
    this.prev.push(NO_SLOT);
    this.next.push(NO_SLOT);
    this.expiresAt.push(0);
    this.name.push(undefined);
    this.namespace.push(undefined);
    this.annotations.push(undefined);
    this.labels.push(undefined);
    this.resourceVersion.push(0);
    this.uid.push(0);
    this.creationSeconds.push(0);
    this.kind.push(undefined);
    this.apiVersion.push(undefined);
    this.objectName.push(undefined);
    this.objectNamespace.push(undefined);
    this.objectUid.push(undefined);
    this.objectResourceVersion.push(undefined);
    this.fieldPath.push(undefined);
    this.reason.push(undefined);
    this.message.push(undefined);
    this.source.push(SOURCE_ABSENT);
    this.sourceComponent.push(undefined);
    this.sourceHost.push(undefined);
    this.firstSeconds.push(Number.NaN);
    this.lastSeconds.push(Number.NaN);
    this.count.push(undefined);
    this.type.push(undefined);
    this.eventTimeMs.push(Number.NaN);
    this.series.push(undefined);
    this.action.push(undefined);
    this.related.push(undefined);
    this.reportingComponent.push(undefined);
    this.reportingInstance.push(undefined);
    return end;
  }

  /**
   * Frees a slot. Its values stay until the slot is reused (by the next
   * create, when `maxEvents` evicts), so that freeing costs nothing: what
   * freed slots hold is bounded by the most events ever stored at once.
   */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** Forgets every event. */
  clear(): void {
    for (const column of [
      this.prev,
      this.next,
      this.expiresAt,
      this.name,
      this.namespace,
      this.annotations,
      this.labels,
      this.resourceVersion,
      this.uid,
      this.creationSeconds,
      this.kind,
      this.apiVersion,
      this.objectName,
      this.objectNamespace,
      this.objectUid,
      this.objectResourceVersion,
      this.fieldPath,
      this.reason,
      this.message,
      this.source,
      this.sourceComponent,
      this.sourceHost,
      this.firstSeconds,
      this.lastSeconds,
      this.count,
      this.type,
      this.eventTimeMs,
      this.series,
      this.action,
      this.related,
      this.reportingComponent,
      this.reportingInstance,
    ]) {
      column.length = 0;
    }
    this.#free = [];
    this.#slots = 0;
  }

  #setMetadata(
    slot: number,
    name: unknown,
    namespace: unknown,
    annotations: unknown,
    labels: unknown,
  ): void {
    this.name[slot] = name;
    this.namespace[slot] = namespace;
    this.annotations[slot] = annotations;
    this.labels[slot] = labels;
  }

  #setObject(slot: number, ref: Loose): void {
    this.kind[slot] = ref['kind'];
    this.apiVersion[slot] = ref['apiVersion'];
    this.objectName[slot] = ref['name'];
    this.objectNamespace[slot] = ref['namespace'];
    this.objectUid[slot] = ref['uid'];
    this.objectResourceVersion[slot] = ref['resourceVersion'];
    this.fieldPath[slot] = ref['fieldPath'];
  }

  #setSource(slot: number, source: unknown): void {
    if (source === undefined) {
      this.source[slot] = SOURCE_ABSENT;
      this.sourceComponent[slot] = undefined;
      this.sourceHost[slot] = undefined;
    } else if (isPlainObject(source)) {
      this.source[slot] = SOURCE_OBJECT;
      this.sourceComponent[slot] = source['component'];
      this.sourceHost[slot] = source['host'];
    } else {
      this.source[slot] = SOURCE_OTHER;
      this.sourceComponent[slot] = source;
      this.sourceHost[slot] = undefined;
    }
  }

  /**
   * Sets every field of a slot but the server's (uid, creationTimestamp,
   * resourceVersion) from an internal event: a fresh copy, already checked by
   * `checkShape` and normalised (timestamps truncated), whose objects the
   * store takes over.
   */
  fill(slot: number, event: Event): void {
    const e = event as unknown as Loose;
    const m = e['metadata'] as Loose;
    this.#setMetadata(
      slot,
      m['name'],
      m['namespace'],
      m['annotations'],
      m['labels'],
    );
    this.#setObject(slot, e['involvedObject'] as Loose);
    this.reason[slot] = e['reason'];
    this.message[slot] = e['message'];
    this.#setSource(slot, e['source']);
    this.firstSeconds[slot] = seconds(e['firstTimestamp']);
    this.lastSeconds[slot] = seconds(e['lastTimestamp']);
    this.count[slot] = e['count'];
    this.type[slot] = e['type'];
    const eventTime = e['eventTime'];
    this.eventTimeMs[slot] =
      eventTime === undefined ? Number.NaN : (eventTime as Date).getTime();
    this.series[slot] = e['series'];
    this.action[slot] = e['action'];
    this.related[slot] = e['related'];
    this.reportingComponent[slot] = e['reportingComponent'];
    this.reportingInstance[slot] = e['reportingInstance'];
  }

  /**
   * A core/v1 create read straight from the caller's object, each field once:
   * the fresh internal event that copying it, checking its shape and
   * normalising it gives, for validation and {@link StoredEvents.fill}, in
   * one pass and without the copy's field-by-field shape. Returns `undefined`
   * for anything off the common path (no `involvedObject`, annotations, a
   * field of the wrong type), which then takes the generic path and its
   * errors.
   *
   * The event returned is one shared object, overwritten by the next call:
   * use it at once, and keep nothing of it but its values.
   */
  readInput(input: Event): Event | undefined {
    const e = input as unknown as Loose;
    const m = e['metadata'];
    const ref = e['involvedObject'];
    if (!isPlainObject(m) || !isPlainObject(ref)) return undefined;
    const name = m['name'];
    const namespace = m['namespace'];
    const annotations = m['annotations'];
    const labels = m['labels'];
    const kind = ref['kind'];
    const apiVersion = ref['apiVersion'];
    const objectName = ref['name'];
    const objectNamespace = ref['namespace'];
    const objectUid = ref['uid'];
    const objectVersion = ref['resourceVersion'];
    const fieldPath = ref['fieldPath'];
    const reason = e['reason'];
    const message = e['message'];
    const source = e['source'];
    const first = e['firstTimestamp'];
    const last = e['lastTimestamp'];
    const count = e['count'];
    const type = e['type'];
    const eventTime = e['eventTime'];
    const series = e['series'];
    const action = e['action'];
    const related = e['related'];
    const component = e['reportingComponent'];
    const instance = e['reportingInstance'];
    if (
      annotations != null ||
      !isText(name) ||
      !isText(namespace) ||
      !isText(kind) ||
      !isText(apiVersion) ||
      !isText(objectName) ||
      !isText(objectNamespace) ||
      !isText(objectUid) ||
      !isText(objectVersion) ||
      !isText(fieldPath) ||
      !isText(reason) ||
      !isText(message) ||
      !isText(type) ||
      !isText(action) ||
      !isText(component) ||
      !isText(instance) ||
      (count !== undefined && !Number.isSafeInteger(count))
    ) {
      return undefined;
    }
    const firstMs = timeMs(first);
    const lastMs = timeMs(last);
    const eventTimeMs = timeMs(eventTime);
    if (
      firstMs === undefined ||
      lastMs === undefined ||
      eventTimeMs === undefined
    ) {
      return undefined;
    }
    let sourceComponent: unknown;
    let host: unknown;
    if (source != null) {
      if (!isPlainObject(source)) return undefined;
      sourceComponent = source['component'];
      host = source['host'];
      if (!isText(sourceComponent) || !isText(host)) return undefined;
    }
    // The rarer records: copied, then the copy (own data fields) is checked.
    const labelsCopy = labels == null ? undefined : copyStrings(labels);
    if (labelsCopy !== undefined && !holdsStrings(labelsCopy)) return undefined;
    const seriesCopy = series == null ? undefined : cloneSeries(series);
    if (
      seriesCopy !== undefined &&
      !(
        isPlainObject(seriesCopy) &&
        Number.isSafeInteger(seriesCopy['count']) &&
        isTime(seriesCopy['lastObservedTime'])
      )
    ) {
      return undefined;
    }
    const relatedCopy = related == null ? undefined : cloneRef(related);
    if (relatedCopy !== undefined && !holdsStrings(relatedCopy))
      return undefined;
    // Every caller getter has run: only now is the shared object written.
    const readMeta = read.metadata;
    readMeta.name = name;
    readMeta.namespace = namespace;
    readMeta.labels = labelsCopy;
    const readRef = read.involvedObject;
    readRef.kind = kind;
    readRef.apiVersion = apiVersion;
    readRef.name = objectName;
    readRef.namespace = objectNamespace;
    readRef.uid = objectUid;
    readRef.resourceVersion = objectVersion;
    readRef.fieldPath = fieldPath;
    read.reason = reason;
    read.message = message;
    if (source == null) {
      read.source = undefined;
    } else {
      readSource.component = sourceComponent;
      readSource.host = host;
      read.source = readSource;
    }
    read.firstTimestamp = first as Date | undefined;
    read.lastTimestamp = last as Date | undefined;
    read.count = count;
    read.type = type;
    read.eventTime = eventTime as Date | undefined;
    read.series = seriesCopy;
    read.action = action;
    read.related = relatedCopy;
    read.reportingComponent = component ?? '';
    read.reportingInstance = instance ?? '';
    read.firstMs = firstMs;
    read.lastMs = lastMs;
    read.eventTimeMs = eventTimeMs;
    return read as unknown as Event;
  }

  /**
   * {@link StoredEvents.fill} for an event {@link StoredEvents.readInput}
   * made: the same, but for that one shape, so that its property reads stay
   * monomorphic (the generic path's copies have many shapes).
   */
  fillRead(slot: number, event: Event): void {
    const e = event as unknown as ReadEvent;
    const m = e.metadata;
    this.#setMetadata(slot, m.name, m.namespace, undefined, m.labels);
    const ref = e.involvedObject;
    this.kind[slot] = ref.kind;
    this.apiVersion[slot] = ref.apiVersion;
    this.objectName[slot] = ref.name;
    this.objectNamespace[slot] = ref.namespace;
    this.objectUid[slot] = ref.uid;
    this.objectResourceVersion[slot] = ref.resourceVersion;
    this.fieldPath[slot] = ref.fieldPath;
    this.reason[slot] = e.reason;
    this.message[slot] = e.message;
    const source = e.source;
    if (source === undefined) {
      this.source[slot] = SOURCE_ABSENT;
      this.sourceComponent[slot] = undefined;
      this.sourceHost[slot] = undefined;
    } else {
      this.source[slot] = SOURCE_OBJECT;
      this.sourceComponent[slot] = source.component;
      this.sourceHost[slot] = source.host;
    }
    this.firstSeconds[slot] = Math.floor(e.firstMs / 1000);
    this.lastSeconds[slot] = Math.floor(e.lastMs / 1000);
    this.count[slot] = e.count;
    this.type[slot] = e.type;
    this.eventTimeMs[slot] = e.eventTimeMs;
    this.series[slot] = e.series;
    this.action[slot] = e.action;
    this.related[slot] = e.related;
    this.reportingComponent[slot] = e.reportingComponent;
    this.reportingInstance[slot] = e.reportingInstance;
  }

  /**
   * Stores what {@link StoredEvents.readInput} reads of a create in a fresh
   * slot (every field but the server's). Returns the slot, or
   * {@link NO_SLOT} when the create is off the common path.
   */
  fromInput(input: Event): number {
    const event = this.readInput(input);
    if (event === undefined) return NO_SLOT;
    const slot = this.alloc();
    this.fillRead(slot, event);
    return slot;
  }

  /**
   * A copy of a stored event as a core/v1 `Event`, with `apiVersion: 'v1'`
   * and `kind: 'Event'` first when `typeMeta` is set: field for field and in
   * the same order what `cloneEvent` gives of the event it stands for. Builds
   * each object by adding known fields in a fixed order, which V8 does far
   * faster than spreading.
   */
  toEvent(slot: number, uid: string, typeMeta: boolean): Event {
    const name = this.name[slot];
    const namespace = this.namespace[slot];
    const annotations = this.annotations[slot];
    const labels = this.labels[slot];
    const resourceVersion = String(this.resourceVersion[slot]);
    const creationTimestamp = new Date(
      (this.creationSeconds[slot] as number) * 1000,
    );
    // The usual shapes as literals, which V8 makes in one step; others are
    // built field by field, in the same order.
    let metadata: Loose;
    if (
      name !== undefined &&
      namespace !== undefined &&
      annotations === undefined &&
      labels === undefined
    ) {
      metadata = { name, namespace, resourceVersion, uid, creationTimestamp };
    } else {
      metadata = {};
      if (name !== undefined) metadata['name'] = name;
      if (namespace !== undefined) metadata['namespace'] = namespace;
      if (annotations !== undefined)
        metadata['annotations'] = copyStrings(annotations);
      if (labels !== undefined) metadata['labels'] = copyStrings(labels);
      metadata['resourceVersion'] = resourceVersion;
      metadata['uid'] = uid;
      metadata['creationTimestamp'] = creationTimestamp;
    }
    const kind = this.kind[slot];
    const apiVersion = this.apiVersion[slot];
    const objectName = this.objectName[slot];
    const objectNamespace = this.objectNamespace[slot];
    const objectUid = this.objectUid[slot];
    const objectVersion = this.objectResourceVersion[slot];
    const fieldPath = this.fieldPath[slot];
    let ref: Loose;
    if (
      kind !== undefined &&
      apiVersion !== undefined &&
      objectName !== undefined &&
      objectNamespace !== undefined &&
      objectUid !== undefined &&
      fieldPath === undefined
    ) {
      ref =
        objectVersion === undefined
          ? {
              kind,
              apiVersion,
              name: objectName,
              namespace: objectNamespace,
              uid: objectUid,
            }
          : {
              kind,
              apiVersion,
              name: objectName,
              namespace: objectNamespace,
              uid: objectUid,
              resourceVersion: objectVersion,
            };
    } else {
      ref = {};
      if (kind !== undefined) ref['kind'] = kind;
      if (apiVersion !== undefined) ref['apiVersion'] = apiVersion;
      if (objectName !== undefined) ref['name'] = objectName;
      if (objectNamespace !== undefined) ref['namespace'] = objectNamespace;
      if (objectUid !== undefined) ref['uid'] = objectUid;
      if (objectVersion !== undefined) ref['resourceVersion'] = objectVersion;
      if (fieldPath !== undefined) ref['fieldPath'] = fieldPath;
    }
    const reason = this.reason[slot];
    const message = this.message[slot];
    const sourceKind = this.source[slot];
    const component = this.sourceComponent[slot];
    const host = this.sourceHost[slot];
    const first = this.firstSeconds[slot] as number;
    const last = this.lastSeconds[slot] as number;
    const count = this.count[slot];
    const type = this.type[slot];
    const eventTime = this.eventTimeMs[slot] as number;
    const series = this.series[slot];
    const action = this.action[slot];
    const related = this.related[slot];
    const reportingComponent = this.reportingComponent[slot];
    const reportingInstance = this.reportingInstance[slot];
    if (
      reason !== undefined &&
      message !== undefined &&
      sourceKind === SOURCE_OBJECT &&
      component !== undefined &&
      !Number.isNaN(first) &&
      !Number.isNaN(last) &&
      count !== undefined &&
      type !== undefined &&
      Number.isNaN(eventTime) &&
      series === undefined &&
      action === undefined &&
      related === undefined &&
      reportingComponent !== undefined &&
      reportingInstance !== undefined
    ) {
      const source: Loose =
        host === undefined ? { component } : { component, host };
      const firstTimestamp = new Date(first * 1000);
      const lastTimestamp = new Date(last * 1000);
      return (typeMeta
        ? {
            apiVersion: 'v1',
            kind: 'Event',
            metadata,
            involvedObject: ref,
            reason,
            message,
            source,
            firstTimestamp,
            lastTimestamp,
            count,
            type,
            reportingComponent,
            reportingInstance,
          }
        : {
            metadata,
            involvedObject: ref,
            reason,
            message,
            source,
            firstTimestamp,
            lastTimestamp,
            count,
            type,
            reportingComponent,
            reportingInstance,
          }) as unknown as Event;
    }
    return this.#toEventByField(typeMeta, metadata, ref, slot);
  }

  /** {@link StoredEvents.toEvent} for the other shapes: field by field. */
  #toEventByField(
    typeMeta: boolean,
    metadata: Loose,
    ref: Loose,
    slot: number,
  ): Event {
    const reason = this.reason[slot];
    const message = this.message[slot];
    const sourceKind = this.source[slot];
    const component = this.sourceComponent[slot];
    const host = this.sourceHost[slot];
    const first = this.firstSeconds[slot] as number;
    const last = this.lastSeconds[slot] as number;
    const count = this.count[slot];
    const type = this.type[slot];
    const eventTime = this.eventTimeMs[slot] as number;
    const series = this.series[slot];
    const action = this.action[slot];
    const related = this.related[slot];
    const reportingComponent = this.reportingComponent[slot];
    const reportingInstance = this.reportingInstance[slot];
    const out: Loose = typeMeta ? { apiVersion: 'v1', kind: 'Event' } : {};
    out['metadata'] = metadata;
    out['involvedObject'] = ref;
    if (reason !== undefined) out['reason'] = reason;
    if (message !== undefined) out['message'] = message;
    if (sourceKind === SOURCE_OBJECT) {
      const source: Loose = {};
      if (component !== undefined) source['component'] = component;
      if (host !== undefined) source['host'] = host;
      out['source'] = source;
    } else if (sourceKind === SOURCE_OTHER) {
      out['source'] = component;
    }
    if (!Number.isNaN(first)) out['firstTimestamp'] = new Date(first * 1000);
    if (!Number.isNaN(last)) out['lastTimestamp'] = new Date(last * 1000);
    if (count !== undefined) out['count'] = count;
    if (type !== undefined) out['type'] = type;
    if (!Number.isNaN(eventTime)) out['eventTime'] = new Date(eventTime);
    if (series !== undefined) out['series'] = cloneSeries(series);
    if (action !== undefined) out['action'] = action;
    if (related !== undefined) out['related'] = cloneRef(related);
    if (reportingComponent !== undefined)
      out['reportingComponent'] = reportingComponent;
    if (reportingInstance !== undefined)
      out['reportingInstance'] = reportingInstance;
    return out as unknown as Event;
  }
}
