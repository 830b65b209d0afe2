import type { EventType } from './event.js';
import type { ReferenceableObject } from './reference.js';

/**
 * Records events about objects, core/v1 style, as client-go's
 * `record.EventRecorder`. Implemented by `@event-recorder/recorder` and by the
 * structured `FakeRecorder` of `@event-recorder/sink-memory`.
 *
 * No method blocks or throws: an object that cannot be referenced or a type
 * other than `Normal`/`Warning` is logged and counted as a dropped event.
 */
export interface EventRecorder {
  /** Records an event; `message` is used as it is, never formatted. */
  event(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    message: string,
  ): void;
  /** Records an event whose message is `sprintf(messageFmt, ...args)` with Go verbs. */
  eventf(
    object: ReferenceableObject,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
  /** Like {@link EventRecorder.eventf}, and sets the event's annotations. */
  annotatedEventf(
    object: ReferenceableObject,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
}

/**
 * Records events.k8s.io/v1-style events, as client-go's `events.EventRecorder`
 * plus `AnnotatedEventRecorder`. `related` may be `undefined`.
 */
export interface EventsRecorder {
  /** Records an event about `regarding`, with an optional `related` object. */
  eventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void;
  /** Like {@link EventsRecorder.eventf}, and sets the event's annotations. */
  annotatedEventf(
    regarding: ReferenceableObject,
    related: ReferenceableObject | undefined,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void;
}
