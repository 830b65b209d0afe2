import type {
  EventRecorder,
  EventType,
  Logger,
  ReferenceableObject,
} from '@event-recorder/core';
import type { EventRecorderLogger } from './eventRecorder.js';
import type { EventsRecorderLogger } from './eventsRecorder.js';

class EventsRecorderAdapter implements EventsRecorderLogger {
  readonly #recorder: EventRecorder;

  constructor(recorder: EventRecorder) {
    this.#recorder = recorder;
  }

  withLogger(logger: Logger): EventsRecorderLogger {
    const withLogger = (this.#recorder as Partial<EventRecorderLogger>)
      .withLogger;
    return typeof withLogger === 'function'
      ? new EventsRecorderAdapter(withLogger.call(this.#recorder, logger))
      : this;
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
 * events.k8s.io/v1. `withLogger` re-wraps `recorder.withLogger(logger)` when
 * the recorder has it, and returns the adapter itself otherwise.
 */
export function createEventsRecorderAdapter(
  recorder: EventRecorder,
): EventsRecorderLogger {
  return new EventsRecorderAdapter(recorder);
}
