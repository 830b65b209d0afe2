import type { Event } from '@event-recorder/core';
import { str } from './internal.js';
import { hashEnd, hashKey, hashMore, hashStart } from './lruCache.js';
import type { CacheKey, KeyLevel } from './lruCache.js';

/**
 * Groups events for aggregation, as client-go's `EventAggregatorKeyFunc`.
 * Events with the same `aggregateKey` are similar; `localKey` tells the
 * similar events apart. When {@link EventAggregatorOptions.maxEvents} distinct
 * local keys are seen under one aggregate key within the interval, the events
 * are combined.
 */
export type EventAggregatorKeyFunc = (event: Event) => {
  /** The group this event belongs to. */
  aggregateKey: string;
  /** What makes this event distinct within its group. */
  localKey: string;
};

/**
 * Produces the message of a combined event, as client-go's
 * `EventAggregatorMessageFunc`.
 */
export type EventAggregatorMessageFunc = (event: Event) => string;

/**
 * Produces the key the spam filter rate-limits on, as client-go's
 * `EventSpamKeyFunc`. Events with the same key share one token bucket.
 */
export type EventSpamKeyFunc = (event: Event) => string;

/** The prefix {@link eventAggregatorByReasonMessageFunc} puts before the message. */
export const aggregatedMessagePrefix = '(combined from similar events): ';

// Each key string is built with one `join` over a reused array rather than
// with `+`: a caller that hashes the key (a `Map`, say) would copy a chain of
// ten intermediate strings into a flat one anyway. (The correlator's own path,
// `defaultKeys` below, hashes the parts and keeps them instead.) Every field is
// read (running any getter) before an array is filled, so even a getter that
// builds a key itself cannot interleave with it.
const eventKeyParts: string[] = new Array<string>(11).fill('');
const spamKeyParts: string[] = new Array<string>(8).fill('');
const aggregateKeyParts: string[] = new Array<string>(11).fill('');

/**
 * The full identity of an event, used to de-duplicate it and to key
 * `updateState`: source component and host, the involved object's kind,
 * namespace, name, fieldPath, uid and apiVersion, then type, reason and
 * message, concatenated with no separator (as client-go's `getEventKey`, so
 * keys compare equal exactly when client-go's do). Absent fields count as
 * empty.
 */
export function getEventKey(event: Event): string {
  return eventKeyLevel.text(readKeyParts(event));
}

/**
 * Internal: the parts of an event's three default keys, the fields that
 * {@link getEventKey}, {@link eventAggregatorByReasonFunc} and
 * {@link getSpamKey} concatenate. The correlator's caches keep these instead
 * of the strings, each reading them at its level ({@link spamKeyLevel},
 * {@link aggregateKeyLevel}, {@link eventKeyLevel}).
 */
export class KeyParts {
  // Declared, not defined: the constructor's plain stores are much cheaper
  // than class-field definitions, and this is made once per event.
  declare readonly component: string;
  declare readonly host: string;
  declare readonly kind: string;
  declare readonly namespace: string;
  declare readonly name: string;
  declare readonly fieldPath: string;
  declare readonly uid: string;
  declare readonly apiVersion: string;
  declare readonly type: string;
  declare readonly reason: string;
  declare readonly message: string;
  declare readonly reportingComponent: string;
  declare readonly reportingInstance: string;

  constructor(
    component: string,
    host: string,
    kind: string,
    namespace: string,
    name: string,
    fieldPath: string,
    uid: string,
    apiVersion: string,
    type: string,
    reason: string,
    message: string,
    reportingComponent: string,
    reportingInstance: string,
  ) {
    this.component = component;
    this.host = host;
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.fieldPath = fieldPath;
    this.uid = uid;
    this.apiVersion = apiVersion;
    this.type = type;
    this.reason = reason;
    this.message = message;
    this.reportingComponent = reportingComponent;
    this.reportingInstance = reportingInstance;
  }
}

/**
 * Internal: the key fields of an event, each read once and in this order,
 * anything but a string counting as empty.
 */
export function readKeyParts(event: Event): KeyParts {
  const source = event.source;
  const ref = event.involvedObject;
  return new KeyParts(
    str(source?.component),
    str(source?.host),
    str(ref?.kind),
    str(ref?.namespace),
    str(ref?.name),
    str(ref?.fieldPath),
    str(ref?.uid),
    str(ref?.apiVersion),
    str(event.type),
    str(event.reason),
    str(event.message),
    str(event.reportingComponent),
    str(event.reportingInstance),
  );
}

function isParts(key: unknown): key is KeyParts {
  return key instanceof KeyParts;
}

function spamText(p: KeyParts): string {
  const parts = spamKeyParts;
  parts[0] = p.component;
  parts[1] = p.host;
  parts[2] = p.kind;
  parts[3] = p.namespace;
  parts[4] = p.name;
  parts[5] = p.uid;
  parts[6] = p.apiVersion;
  parts[7] = p.type;
  return parts.join('');
}

function sameSpamParts(a: KeyParts, b: KeyParts): boolean {
  return (
    a.name === b.name &&
    a.uid === b.uid &&
    a.component === b.component &&
    a.host === b.host &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.apiVersion === b.apiVersion &&
    a.type === b.type
  );
}

/** Internal: key parts read as {@link getSpamKey}'s key. */
export const spamKeyLevel: KeyLevel = {
  isParts,
  text: spamText,
  sameParts: sameSpamParts,
};

/** Internal: key parts read as {@link eventAggregatorByReasonFunc}'s aggregate key. */
export const aggregateKeyLevel: KeyLevel = {
  isParts,
  text: (p) => {
    const parts = aggregateKeyParts;
    parts[0] = p.component;
    parts[1] = p.host;
    parts[2] = p.kind;
    parts[3] = p.namespace;
    parts[4] = p.name;
    parts[5] = p.uid;
    parts[6] = p.apiVersion;
    parts[7] = p.type;
    parts[8] = p.reason;
    parts[9] = p.reportingComponent;
    parts[10] = p.reportingInstance;
    return parts.join('');
  },
  sameParts: (a, b) =>
    sameSpamParts(a, b) &&
    a.reason === b.reason &&
    a.reportingComponent === b.reportingComponent &&
    a.reportingInstance === b.reportingInstance,
};

/** Internal: key parts read as {@link getEventKey}'s key. */
export const eventKeyLevel: KeyLevel = {
  isParts,
  text: (p) => {
    const parts = eventKeyParts;
    parts[0] = p.component;
    parts[1] = p.host;
    parts[2] = p.kind;
    parts[3] = p.namespace;
    parts[4] = p.name;
    parts[5] = p.fieldPath;
    parts[6] = p.uid;
    parts[7] = p.apiVersion;
    parts[8] = p.type;
    parts[9] = p.reason;
    parts[10] = p.message;
    return parts.join('');
  },
  sameParts: (a, b) =>
    sameSpamParts(a, b) &&
    a.message === b.message &&
    a.fieldPath === b.fieldPath &&
    a.reason === b.reason,
};

/**
 * Internal: {@link getEventKey} for a cache read at {@link eventKeyLevel}.
 * It remembers the parts of the last event it was told of by
 * {@link defaultKeys} and returns those same parts (the key that event was
 * counted under) when an event's parts are all equal to them again: the
 * updateState of the event correlate just returned then finds its record by
 * identity, without building or hashing a key. Any other event gets its key
 * as a string. {@link EventKeyMemo.hash} is the cache hash of the key
 * {@link EventKeyMemo.keyOf} last returned.
 */
export class EventKeyMemo {
  #parts: KeyParts | undefined = undefined;
  #partsHash = 0;
  #hash = 0;

  /** The cache hash (`hashKey` of its text) of the key {@link EventKeyMemo.keyOf} last returned. */
  get hash(): number {
    return this.#hash;
  }

  /** Remembers an event's key parts and the hash of its event key. */
  remember(parts: KeyParts, hash: number): void {
    this.#parts = parts;
    this.#partsHash = hash;
  }

  /**
   * {@link getEventKey} of the event, as the remembered parts when the
   * event's are equal to them, else as a string; reads each field once in
   * the same order.
   */
  keyOf(event: Event): CacheKey {
    const source = event.source;
    const ref = event.involvedObject;
    const component = str(source?.component);
    const host = str(source?.host);
    const kind = str(ref?.kind);
    const namespace = str(ref?.namespace);
    const name = str(ref?.name);
    const fieldPath = str(ref?.fieldPath);
    const uid = str(ref?.uid);
    const apiVersion = str(ref?.apiVersion);
    const type = str(event.type);
    const reason = str(event.reason);
    const message = str(event.message);
    const parts = this.#parts;
    if (
      parts !== undefined &&
      parts.name === name &&
      parts.message === message &&
      parts.component === component &&
      parts.host === host &&
      parts.kind === kind &&
      parts.namespace === namespace &&
      parts.fieldPath === fieldPath &&
      parts.uid === uid &&
      parts.apiVersion === apiVersion &&
      parts.type === type &&
      parts.reason === reason
    ) {
      this.#hash = this.#partsHash;
      return parts;
    }
    // Another event (rarely, on the correlator's path): its key as a string.
    const key = eventKeyLevel.text(
      new KeyParts(
        component,
        host,
        kind,
        namespace,
        name,
        fieldPath,
        uid,
        apiVersion,
        type,
        reason,
        message,
        '',
        '',
      ),
    );
    this.#hash = hashKey(key);
    return key;
  }
}

/**
 * The default spam key: source component and host, the involved object's kind,
 * namespace, name, uid and apiVersion, and the event type, concatenated with no
 * separator (as client-go's `getSpamKey` since v0.32). The reason, message and
 * fieldPath are not part of it, so every event about one object from one
 * source shares a token bucket per type. Like the other key functions, it
 * reads every key field of the event once.
 */
export function getSpamKey(event: Event): string {
  return spamKeyLevel.text(readKeyParts(event));
}

/**
 * The default {@link EventAggregatorKeyFunc}, as client-go's
 * `EventAggregatorByReasonFunc`: events are similar when they have the same
 * source, involved object (without fieldPath), type, reason, reporting
 * component and reporting instance; the message tells them apart.
 */
export function eventAggregatorByReasonFunc(event: Event): {
  aggregateKey: string;
  localKey: string;
} {
  const parts = readKeyParts(event);
  return {
    aggregateKey: aggregateKeyLevel.text(parts),
    localKey: parts.message,
  };
}

/** Internal: the keys {@link defaultKeys} computes. */
export interface DefaultKeys {
  /**
   * The event's key parts: its event key read at {@link eventKeyLevel}, its
   * aggregate key at {@link aggregateKeyLevel}, its spam key at
   * {@link spamKeyLevel}.
   */
  parts: KeyParts;
  /** `localKey` of {@link eventAggregatorByReasonFunc}: the message. */
  localKey: string;
  /** The caches' hashes (`hashKey`) of the three keys' texts. */
  eventHash: number;
  aggregateHash: number;
  spamHash: number;
  /** Told the parts and the event key's hash, when set. */
  memo: EventKeyMemo | undefined;
}

/** Internal: a {@link DefaultKeys} to pass to {@link defaultKeys}, with no keys yet. */
export function newDefaultKeys(memo?: EventKeyMemo): DefaultKeys {
  return {
    parts: new KeyParts('', '', '', '', '', '', '', '', '', '', '', '', ''),
    localKey: '',
    eventHash: 0,
    aggregateHash: 0,
    spamHash: 0,
    memo,
  };
}

/**
 * Internal: the parts of {@link getEventKey}, {@link eventAggregatorByReasonFunc}
 * and {@link getSpamKey} of one event at once, with the cache hashes of the
 * three keys, written into `out`. Each field is read once.
 *
 * No key is concatenated: the three caches keep the one parts array, each
 * reading it at its own level, and a cache compares keys only when their
 * hashes match, part by part. On a stream of new objects, which misses in
 * every cache, a key is never made into a string at all.
 */
export function defaultKeys(event: Event, out: DefaultKeys): void {
  const p = readKeyParts(event);
  const {
    component,
    host,
    kind,
    namespace,
    name,
    fieldPath,
    uid,
    apiVersion,
    type,
    reason,
    message,
    reportingComponent,
    reportingInstance,
  } = p;
  out.parts = p;
  out.localKey = message;
  // The three hashes, over the parts: the spam key is eight of them, the
  // aggregate key adds the reason and the reporting fields, and without a
  // fieldPath the event key is the spam key's parts, the reason and the
  // message. Each character is hashed once, not once per key.
  let h = hashStart();
  h = hashMore(h, component);
  h = hashMore(h, host);
  h = hashMore(h, kind);
  h = hashMore(h, namespace);
  h = hashMore(h, name);
  const afterName = h;
  h = hashMore(h, uid);
  h = hashMore(h, apiVersion);
  h = hashMore(h, type);
  out.spamHash = hashEnd(h);
  h = hashMore(h, reason);
  out.aggregateHash = hashEnd(
    hashMore(hashMore(h, reportingComponent), reportingInstance),
  );
  if (fieldPath !== '') {
    h = hashMore(afterName, fieldPath);
    h = hashMore(h, uid);
    h = hashMore(h, apiVersion);
    h = hashMore(h, type);
    h = hashMore(h, reason);
  }
  out.eventHash = hashEnd(hashMore(h, message));
  out.memo?.remember(out.parts, out.eventHash);
}

/**
 * The default {@link EventAggregatorMessageFunc}, as client-go's
 * `EventAggregatorByReasonMessageFunc`:
 * `"(combined from similar events): " + event.message`.
 */
export function eventAggregatorByReasonMessageFunc(event: Event): string {
  return aggregatedMessagePrefix + str(event.message);
}
