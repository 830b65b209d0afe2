import type { Event, ObjectReference } from './event.js';
import { isValidEventType } from './event.js';

const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNamePartRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * A check that keeps the last string it was asked about and its answer: every
 * event of a namespace checks the same namespace, and every event of a
 * controller the same reportingController, so the memory sink's validation of
 * each create runs no regular expression for them. Only strings are kept:
 * anything else (from untyped callers) is checked afresh, as without the memo.
 */
class LastAnswer {
  readonly #check: (value: string) => boolean;
  #value = '';
  #answer: boolean;

  constructor(check: (value: string) => boolean) {
    this.#check = check;
    this.#answer = check('');
  }

  ask(value: string): boolean {
    if (value === this.#value) return this.#answer;
    const answer = this.#check(value);
    if (typeof value === 'string') {
      this.#value = value;
      this.#answer = answer;
    }
    return answer;
  }
}

const labels = new LastAnswer(
  (value) => value.length <= 63 && dns1123LabelRe.test(value),
);

/** Tells whether `value` is a DNS-1123 label: at most 63 of `[a-z0-9-]`, alphanumeric at both ends. */
export function isDNS1123Label(value: string): boolean {
  return labels.ask(value);
}

/**
 * Tells whether `value` is a DNS-1123 subdomain: at most 253 characters, dot-separated
 * labels of `[a-z0-9-]`, each starting and ending with an alphanumeric. Event
 * names must be one on events.k8s.io/v1.
 */
export function isDNS1123Subdomain(value: string): boolean {
  const length = value.length;
  if (length === 0 || length > 253) return false;
  // One pass over the characters (every event name goes through here): a
  // label may not start with '-', and the character before a '.' and the
  // last one must be alphanumeric, which also rules out empty labels.
  let labelStart = true;
  let lastAlnum = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      lastAlnum = true;
      labelStart = false;
    } else if (c === 0x2d) {
      if (labelStart) return false;
      lastAlnum = false;
    } else if (c === 0x2e) {
      if (!lastAlnum) return false;
      labelStart = true;
      lastAlnum = false;
    } else {
      return false;
    }
  }
  return lastAlnum;
}

const qualifiedNames = new LastAnswer(qualifiedName);

/**
 * Tells whether `value` is a Kubernetes qualified name: an optional DNS subdomain
 * prefix and `/`, then a name of at most 63 characters of `[A-Za-z0-9-_.]` that
 * starts and ends alphanumeric. `reportingController` must be one.
 */
export function isQualifiedName(value: string): boolean {
  return qualifiedNames.ask(value);
}

function qualifiedName(value: string): boolean {
  let name = value;
  const slash = value.indexOf('/');
  if (slash !== -1) {
    if (value.indexOf('/', slash + 1) !== -1) return false;
    if (!isDNS1123Subdomain(value.slice(0, slash))) return false;
    name = value.slice(slash + 1);
  }
  return name.length > 0 && name.length <= 63 && qualifiedNamePartRe.test(name);
}

const encoder = new TextEncoder();

/** The UTF-8 byte length of a string: what Go's `len` and the API server count. */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Truncates a string to at most `maxBytes` UTF-8 bytes without splitting a
 * character. When it truncates, it ends the result with `suffix` (which counts
 * towards the limit), unless the suffix alone is longer than the limit; then
 * it keeps as many whole characters as the limit holds.
 *
 * @param suffix - appended when truncated. @defaultValue `'…'`
 * @returns the string, and whether it was truncated.
 */
export function truncateUtf8(
  value: string,
  maxBytes: number,
  suffix = '…',
): { value: string; truncated: boolean } {
  if (utf8ByteLength(value) <= maxBytes) return { value, truncated: false };
  // A suffix longer than the limit is left out, and leaves the whole limit.
  const keepSuffix = utf8ByteLength(suffix) <= maxBytes ? suffix : '';
  const budget = Math.max(0, maxBytes - utf8ByteLength(keepSuffix));
  let bytes = 0;
  let end = 0;
  for (const ch of value) {
    const n = encoder.encode(ch).length;
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  return { value: value.slice(0, end) + keepSuffix, truncated: true };
}

/**
 * Makes an event name as client-go's `GenerateEventName`: `<refName>.<hex unix
 * nanoseconds>` when that is a valid DNS subdomain, otherwise a random UUID.
 *
 * @example
 * ```ts
 * generateEventName('test-pod', 105999103295324396n); // 'test-pod.178959f726d80ec'
 * ```
 */
export function generateEventName(refName: string, unixNanos: bigint): string {
  const name = `${refName}.${unixNanos.toString(16)}`;
  return isDNS1123Subdomain(name) ? name : globalThis.crypto.randomUUID();
}

/** One reason the API server would reject an event. */
export interface ValidationIssue {
  /** The field path, such as `metadata.name` or `note`. */
  field: string;
  /** What is wrong, in the server's words where possible. */
  message: string;
}

/**
 * Which API an event is written through. The request's API decides how strict
 * the server is: events.k8s.io/v1 adds the strict create rules and
 * immutability on update.
 */
export type EventApi = 'v1' | 'events.k8s.io/v1';

/** The server's limits on new-style event fields. */
export const eventFieldLimits = {
  /** Maximum bytes of `note`/`message` when `eventTime` is set. */
  note: 1024,
  /** Maximum bytes of `reason` when `eventTime` is set. */
  reason: 128,
  /** Maximum bytes of `action` when `eventTime` is set. */
  action: 128,
  /** Maximum bytes of `reportingInstance` when `eventTime` is set. */
  reportingInstance: 128,
  /** Maximum total bytes of annotation keys and values. */
  annotations: 256 * 1024,
} as const;

function isPathSegmentName(name: string): boolean {
  return (
    name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%')
  );
}

function validateMetadata(
  event: Event,
  api: EventApi,
  out: ValidationIssue[],
): void {
  const { name, namespace, annotations } = event.metadata;
  if (!name)
    out.push({
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  else if (api === 'events.k8s.io/v1' && !isDNS1123Subdomain(name))
    out.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
    });
  else if (!isPathSegmentName(name))
    out.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": may not be '.' or '..' and may not contain '/' or '%'`,
    });
  if (!namespace)
    out.push({ field: 'metadata.namespace', message: 'Required value' });
  else if (!isDNS1123Label(namespace))
    out.push({
      field: 'metadata.namespace',
      message: `Invalid value: "${namespace}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    });
  if (annotations !== undefined) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      total += utf8ByteLength(k) + utf8ByteLength(v);
      if (!isQualifiedName(k.toLowerCase()))
        out.push({
          field: `metadata.annotations`,
          message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        });
    }
    if (total > eventFieldLimits.annotations)
      out.push({
        field: 'metadata.annotations',
        message: `Too long: must have at most ${eventFieldLimits.annotations} bytes`,
      });
  }
}

/** A field the server requires, within its byte limit, when eventTime is set. */
function checkRequired(
  field: 'reportingInstance' | 'action' | 'reason',
  value: string,
  out: ValidationIssue[],
): void {
  if (value === '') out.push({ field, message: 'Required value' });
  else if (utf8ByteLength(value) > eventFieldLimits[field])
    out.push({
      field,
      message: `Too long: may not be longer than ${eventFieldLimits[field]}`,
    });
}

function validateLegacy(event: Event, out: ValidationIssue[]): void {
  const ns = event.metadata.namespace ?? '';
  const involvedNs = event.involvedObject.namespace ?? '';
  if (event.eventTime === undefined) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs)
      out.push({
        field: 'involvedObject.namespace',
        message: `Invalid value: "${involvedNs}": does not match event.namespace`,
      });
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system')
      out.push({
        field: 'involvedObject.namespace',
        message: `Invalid value: "${involvedNs}": does not match event.namespace`,
      });
    const controller = event.reportingComponent ?? '';
    if (controller === '')
      out.push({ field: 'reportingController', message: 'Required value' });
    else if (!isQualifiedName(controller))
      out.push({
        field: 'reportingController',
        message: `Invalid value: "${controller}": must be a qualified name`,
      });
    checkRequired('reportingInstance', event.reportingInstance ?? '', out);
    checkRequired('action', event.action ?? '', out);
    checkRequired('reason', event.reason ?? '', out);
    if (utf8ByteLength(event.message ?? '') > eventFieldLimits.note)
      out.push({
        field: 'note',
        message: `Too long: may not be longer than ${eventFieldLimits.note}`,
      });
  }
  if (event.metadata.namespace && !isDNS1123Subdomain(event.metadata.namespace))
    out.push({
      field: 'namespace',
      message: `Invalid value: "${event.metadata.namespace}": must be a DNS-1123 subdomain`,
    });
}

function validateSeries(event: Event, out: ValidationIssue[]): void {
  if (event.series === undefined) return;
  if (!(event.series.count >= 2))
    out.push({
      field: 'series.count',
      message: `Invalid value: ${event.series.count}: should be at least 2`,
    });
  if (!(event.series.lastObservedTime instanceof Date))
    out.push({ field: 'series.lastObservedTime', message: 'Required value' });
}

/**
 * Checks an event as the API server would on create (spec §3.1–§3.3), so a
 * sink can refuse or fix it locally instead of paying a round trip that fails.
 * The event is given in its core/v1 view; convert an events.k8s.io/v1 event
 * with {@link eventsV1ToCoreV1} first.
 *
 * @returns every issue found; empty when the server would accept it.
 */
export function validateEventCreate(
  event: Event,
  api: EventApi,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  validateMetadata(event, api, out);
  validateLegacy(event, out);
  if (api === 'events.k8s.io/v1') {
    if (event.eventTime === undefined)
      out.push({ field: 'eventTime', message: 'Required value' });
    if (!isValidEventType(event.type))
      out.push({
        field: 'type',
        message: `Unsupported value: "${event.type ?? ''}": supported values: "Normal", "Warning"`,
      });
    if (event.firstTimestamp !== undefined)
      out.push({
        field: 'deprecatedFirstTimestamp',
        message: 'Invalid value: needs to be unset',
      });
    if (event.lastTimestamp !== undefined)
      out.push({
        field: 'deprecatedLastTimestamp',
        message: 'Invalid value: needs to be unset',
      });
    if (event.count !== undefined && event.count !== 0)
      out.push({
        field: 'deprecatedCount',
        message: 'Invalid value: needs to be unset',
      });
    if (event.source?.component || event.source?.host)
      out.push({
        field: 'deprecatedSource',
        message: 'Invalid value: needs to be unset',
      });
    validateSeries(event, out);
  }
  return out;
}

function sameRef(
  a: ObjectReference | undefined,
  b: ObjectReference | undefined,
): boolean {
  const x = a ?? {};
  const y = b ?? {};
  return (
    (x.kind ?? '') === (y.kind ?? '') &&
    (x.apiVersion ?? '') === (y.apiVersion ?? '') &&
    (x.name ?? '') === (y.name ?? '') &&
    (x.namespace ?? '') === (y.namespace ?? '') &&
    (x.uid ?? '') === (y.uid ?? '') &&
    (x.resourceVersion ?? '') === (y.resourceVersion ?? '') &&
    (x.fieldPath ?? '') === (y.fieldPath ?? '')
  );
}

function sameTime(
  a: Date | undefined,
  b: Date | undefined,
  unitMs: number,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.floor(a.getTime() / unitMs) === Math.floor(b.getTime() / unitMs);
}

/**
 * Checks an update or patch result as the API server would (spec §3.4): legacy
 * rules on the new object; through events.k8s.io/v1 also the immutable fields
 * (everything but `series`, labels and annotations).
 */
export function validateEventUpdate(
  next: Event,
  previous: Event,
  api: EventApi,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  validateLegacy(next, out);
  if (api !== 'events.k8s.io/v1') return out;
  if (
    next.metadata.name !== previous.metadata.name ||
    next.metadata.namespace !== previous.metadata.namespace
  )
    out.push({
      field: 'metadata',
      message: 'name and namespace are immutable',
    });
  const immutable = (field: string, same: boolean): void => {
    if (!same)
      out.push({ field, message: 'Invalid value: field is immutable' });
  };
  immutable('regarding', sameRef(next.involvedObject, previous.involvedObject));
  immutable('related', sameRef(next.related, previous.related));
  immutable('reason', (next.reason ?? '') === (previous.reason ?? ''));
  immutable('note', (next.message ?? '') === (previous.message ?? ''));
  immutable('type', (next.type ?? '') === (previous.type ?? ''));
  immutable('action', (next.action ?? '') === (previous.action ?? ''));
  immutable(
    'reportingController',
    (next.reportingComponent ?? '') === (previous.reportingComponent ?? ''),
  );
  immutable(
    'reportingInstance',
    (next.reportingInstance ?? '') === (previous.reportingInstance ?? ''),
  );
  immutable(
    'deprecatedSource',
    (next.source?.component ?? '') === (previous.source?.component ?? '') &&
      (next.source?.host ?? '') === (previous.source?.host ?? ''),
  );
  immutable(
    'deprecatedFirstTimestamp',
    sameTime(next.firstTimestamp, previous.firstTimestamp, 1000),
  );
  immutable(
    'deprecatedLastTimestamp',
    sameTime(next.lastTimestamp, previous.lastTimestamp, 1000),
  );
  immutable('deprecatedCount', (next.count ?? 0) === (previous.count ?? 0));
  // The server compares eventTime truncated to microseconds (kubernetes/kubernetes#112183).
  immutable('eventTime', sameTime(next.eventTime, previous.eventTime, 1));
  const seriesChanged =
    next.series?.count !== previous.series?.count ||
    next.series?.lastObservedTime?.getTime() !==
      previous.series?.lastObservedTime?.getTime();
  if (seriesChanged) validateSeries(next, out);
  return out;
}
