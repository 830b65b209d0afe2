import type {
  EventRecorder,
  EventsRecorder,
  EventType,
  ReferenceableObject,
} from '@event-recorder/core';

class EventsRecorderAdapter implements EventsRecorder {
  readonly #recorder: EventRecorder;

  constructor(recorder: EventRecorder) {
    this.#recorder = recorder;
  }

  eventf(
    regarding: ReferenceableObject,
    _related: ReferenceableObject | undefined,
    type: EventType,
    reason: string,
    _action: string,
    note: string,
    ...args: unknown[]
  ): void {
    this.#recorder.eventf(regarding, type, reason, note, ...args);
  }

  annotatedEventf(
    regarding: ReferenceableObject,
    _related: ReferenceableObject | undefined,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    _action: string,
    note: string,
    ...args: unknown[]
  ): void {
    this.#recorder.annotatedEventf(
      regarding,
      annotations,
      type,
      reason,
      note,
      ...args,
    );
  }
}

/**
 * Wraps a core/v1-style {@link EventRecorder} so that it can be used where an
 * events.k8s.io-style {@link EventsRecorder} is expected, as client-go's
 * `NewEventRecorderAdapter`. Core/v1 events have no such fields, so
 * **`related` and `action` are dropped**; `note` becomes the message.
 *
 * This is what an adapter falls back to when the cluster does not serve
 * events.k8s.io/v1.
 */
export function createEventsRecorderAdapter(
  recorder: EventRecorder,
): EventsRecorder {
  return new EventsRecorderAdapter(recorder);
}
