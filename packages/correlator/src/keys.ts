import type { Event } from '@event-recorder/core';
import { str } from './internal.js';
import { hashEnd, hashKey, hashMore, hashStart } from './lruCache.js';

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

// The public key functions build each key with one `join` over a reused array
// rather than with `+`: a caller that hashes the key (a `Map`, say) would copy
// a chain of ten intermediate strings into a flat one anyway. (The correlator's
// own path, `defaultKeys` below, hashes the parts instead and uses `+`.) Every
// field is read (running any getter) before the array is filled, so even a
// getter that builds a key itself cannot interleave with it.
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
  const parts = eventKeyParts;
  parts[0] = component;
  parts[1] = host;
  parts[2] = kind;
  parts[3] = namespace;
  parts[4] = name;
  parts[5] = fieldPath;
  parts[6] = uid;
  parts[7] = apiVersion;
  parts[8] = type;
  parts[9] = reason;
  parts[10] = message;
  return parts.join('');
}

/**
 * Internal: {@link getEventKey} that remembers the parts and the key of the
 * last event it keyed (or was told of with {@link EventKeyMemo.remember}) and
 * returns that same string when all parts are equal again. Equal parts make an
 * equal key, so the result is always `getEventKey`'s; reusing it saves
 * building the key and hashing it again (updateState of the event correlate
 * just returned): {@link EventKeyMemo.hash} is the cache hash of the key
 * {@link EventKeyMemo.keyOf} last returned.
 */
export class EventKeyMemo {
  readonly #parts: string[] = new Array<string>(11).fill('');
  #key = '';
  #hash = hashKey('');

  /** The cache hash (`hashKey`) of the key {@link EventKeyMemo.keyOf} last returned. */
  get hash(): number {
    return this.#hash;
  }

  /** Stores the parts of `key` (as {@link getEventKey} orders them) and its cache hash. */
  remember(
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
    key: string,
    hash: number,
  ): void {
    const parts = this.#parts;
    parts[0] = component;
    parts[1] = host;
    parts[2] = kind;
    parts[3] = namespace;
    parts[4] = name;
    parts[5] = fieldPath;
    parts[6] = uid;
    parts[7] = apiVersion;
    parts[8] = type;
    parts[9] = reason;
    parts[10] = message;
    this.#key = key;
    this.#hash = hash;
  }

  /** {@link getEventKey} of the event, reading each field once in the same order. */
  keyOf(event: Event): string {
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
      parts[4] === name &&
      parts[10] === message &&
      parts[0] === component &&
      parts[1] === host &&
      parts[2] === kind &&
      parts[3] === namespace &&
      parts[5] === fieldPath &&
      parts[6] === uid &&
      parts[7] === apiVersion &&
      parts[8] === type &&
      parts[9] === reason
    ) {
      return this.#key;
    }
    parts[0] = component;
    parts[1] = host;
    parts[2] = kind;
    parts[3] = namespace;
    parts[4] = name;
    parts[5] = fieldPath;
    parts[6] = uid;
    parts[7] = apiVersion;
    parts[8] = type;
    parts[9] = reason;
    parts[10] = message;
    const key = parts.join('');
    this.#key = key;
    this.#hash = hashKey(key);
    return key;
  }
}

/**
 * The default spam key: source component and host, the involved object's kind,
 * namespace, name, uid and apiVersion, and the event type, concatenated with no
 * separator (as client-go's `getSpamKey` since v0.32). The reason, message and
 * fieldPath are not part of it, so every event about one object from one
 * source shares a token bucket per type.
 */
export function getSpamKey(event: Event): string {
  const source = event.source;
  const ref = event.involvedObject;
  const component = str(source?.component);
  const host = str(source?.host);
  const kind = str(ref?.kind);
  const namespace = str(ref?.namespace);
  const name = str(ref?.name);
  const uid = str(ref?.uid);
  const apiVersion = str(ref?.apiVersion);
  const type = str(event.type);
  const parts = spamKeyParts;
  parts[0] = component;
  parts[1] = host;
  parts[2] = kind;
  parts[3] = namespace;
  parts[4] = name;
  parts[5] = uid;
  parts[6] = apiVersion;
  parts[7] = type;
  return parts.join('');
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
  const source = event.source;
  const ref = event.involvedObject;
  const component = str(source?.component);
  const host = str(source?.host);
  const kind = str(ref?.kind);
  const namespace = str(ref?.namespace);
  const name = str(ref?.name);
  const uid = str(ref?.uid);
  const apiVersion = str(ref?.apiVersion);
  const type = str(event.type);
  const reason = str(event.reason);
  const reportingComponent = str(event.reportingComponent);
  const reportingInstance = str(event.reportingInstance);
  const localKey = str(event.message);
  const parts = aggregateKeyParts;
  parts[0] = component;
  parts[1] = host;
  parts[2] = kind;
  parts[3] = namespace;
  parts[4] = name;
  parts[5] = uid;
  parts[6] = apiVersion;
  parts[7] = type;
  parts[8] = reason;
  parts[9] = reportingComponent;
  parts[10] = reportingInstance;
  return { aggregateKey: parts.join(''), localKey };
}

/** Internal: the keys {@link defaultKeys} computes. */
export interface DefaultKeys {
  /** {@link getEventKey} of the event. */
  eventKey: string;
  /** `aggregateKey` of {@link eventAggregatorByReasonFunc}. */
  aggregateKey: string;
  /** `localKey` of {@link eventAggregatorByReasonFunc}. */
  localKey: string;
  /** {@link getSpamKey} of the event. */
  spamKey: string;
  /** The caches' hashes of the three keys (see the LRU cache's `hashKey`). */
  eventHash: number;
  aggregateHash: number;
  spamHash: number;
  /** Told the parts and the event key, when set. */
  memo: EventKeyMemo | undefined;
}

/**
 * Internal: {@link getEventKey}, {@link eventAggregatorByReasonFunc} and
 * {@link getSpamKey} of one event at once, with their cache hashes, written
 * into `out`. Each field is read once, and the keys share their common
 * prefixes (see below).
 */
export function defaultKeys(event: Event, out: DefaultKeys): void {
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
  const reportingComponent = str(event.reportingComponent);
  const reportingInstance = str(event.reportingInstance);
  // The keys are concatenated with `+`, sharing their prefixes: the spam key
  // is the first eight parts, the aggregate key adds the reason (and the
  // reporting fields) and, without a fieldPath, the event key adds the
  // message to that. V8 makes each `+` of long strings a rope that points at
  // its two halves instead of copying them; the caches hash the parts below
  // rather than the keys, and compare keys only when the hashes match, so on
  // a stream of new objects a key is never copied into a flat string at all
  // (a hit flattens it once, on its first comparison).
  const spamKey =
    component + host + kind + namespace + name + uid + apiVersion + type;
  const common = spamKey + reason;
  const aggregateKey =
    reportingComponent === '' && reportingInstance === ''
      ? common
      : common + reportingComponent + reportingInstance;
  out.eventKey =
    fieldPath === ''
      ? common + message
      : component +
        host +
        kind +
        namespace +
        name +
        fieldPath +
        uid +
        apiVersion +
        type +
        reason +
        message;
  out.spamKey = spamKey;
  out.aggregateKey = aggregateKey;
  out.localKey = message;
  // The three hashes, over the parts: the spam key is the first eight parts,
  // the aggregate key adds the reason (and the reporting fields), and without
  // a fieldPath the event key is the aggregate key's first nine parts and the
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
  out.memo?.remember(
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
    out.eventKey,
    out.eventHash,
  );
}

/**
 * The default {@link EventAggregatorMessageFunc}, as client-go's
 * `EventAggregatorByReasonMessageFunc`:
 * `"(combined from similar events): " + event.message`.
 */
export function eventAggregatorByReasonMessageFunc(event: Event): string {
  return aggregatedMessagePrefix + str(event.message);
}
