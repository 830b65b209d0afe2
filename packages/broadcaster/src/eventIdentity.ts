import type {
  EventMetadata,
  EventSink,
  ObjectReference,
} from '@event-recorder/core';

/** The part of either event shape that names the stored object. */
interface StoredEvent {
  metadata: EventMetadata;
}

/** Tells whether a value has the methods a broadcaster writes through. */
export function isEventSink<TEvent>(
  value: unknown,
): value is EventSink<TEvent> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EventSink<TEvent>).create === 'function' &&
    typeof (value as EventSink<TEvent>).patch === 'function'
  );
}

/**
 * The event to create after a patch found nothing: the same event without
 * its resourceVersion, as client-go clears it on the "expired" path.
 */
export function forCreate<TEvent extends StoredEvent>(event: TEvent): TEvent {
  if (event.metadata?.resourceVersion === undefined) return event;
  const metadata = { ...event.metadata };
  delete metadata.resourceVersion;
  return { ...event, metadata };
}

/** `namespace/name` of the stored event, the unit of write ordering. */
export function targetKey(event: StoredEvent): string | undefined {
  const name = event.metadata?.name;
  if (name === undefined || name === '') return undefined;
  return `${event.metadata.namespace ?? ''}/${name}`;
}

/** `Kind namespace/name` of the object an event is about, for log lines. */
export function describeObject(ref: ObjectReference | undefined): string {
  return `${ref?.kind ?? ''} ${ref?.namespace ? `${ref.namespace}/` : ''}${ref?.name ?? ''}`;
}
