import type {
  Event,
  EventsV1Event,
  LogFields,
  ObjectReference,
} from '@event-recorder/core';

const escapes: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's `%q` of a string (strconv.Quote), for printable text and ASCII controls. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const esc = escapes[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** Go's `%#v` of a core/v1 ObjectReference. */
export function goObjectReference(ref: ObjectReference | undefined): string {
  const r = ref ?? {};
  return (
    'v1.ObjectReference{' +
    `Kind:${goQuote(r.kind ?? '')}, ` +
    `Namespace:${goQuote(r.namespace ?? '')}, ` +
    `Name:${goQuote(r.name ?? '')}, ` +
    `UID:${goQuote(r.uid ?? '')}, ` +
    `APIVersion:${goQuote(r.apiVersion ?? '')}, ` +
    `ResourceVersion:${goQuote(r.resourceVersion ?? '')}, ` +
    `FieldPath:${goQuote(r.fieldPath ?? '')}}`
  );
}

/**
 * client-go's `StartLogging` line:
 * `Event(v1.ObjectReference{…}): type: 'Normal' reason: 'Started' message`.
 */
export function formatEventLine(event: Event): string {
  return `Event(${goObjectReference(event.involvedObject)}): type: '${event.type ?? ''}' reason: '${event.reason ?? ''}' ${event.message ?? ''}`;
}

function objectKey(ref: ObjectReference | undefined): string {
  const name = ref?.name ?? '';
  const ns = ref?.namespace ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}

/** The key/values of client-go's structured "Event occurred" line (core/v1). */
export function eventLogFields(event: Event): LogFields {
  const ref = event.involvedObject;
  return {
    object: objectKey(ref),
    fieldPath: ref?.fieldPath ?? '',
    kind: ref?.kind ?? '',
    apiVersion: ref?.apiVersion ?? '',
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
  };
}

/** The key/values of `tools/events`' "Event occurred" line (events.k8s.io/v1). */
export function eventsV1LogFields(event: EventsV1Event): LogFields {
  const ref = event.regarding;
  return {
    object: objectKey(ref),
    kind: ref?.kind ?? '',
    apiVersion: ref?.apiVersion ?? '',
    type: event.type ?? '',
    reason: event.reason ?? '',
    action: event.action ?? '',
    note: event.note ?? '',
  };
}
