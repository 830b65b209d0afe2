import type { Event } from './event.js';

/**
 * Where events are written: the Kubernetes API, a file, memory, or your own
 * backend. It mirrors client-go's `record.EventSink`.
 *
 * Every method resolves with the event as stored (with its name, namespace and
 * resourceVersion) and rejects with a {@link SinkError}, whose `code` tells the
 * broadcaster whether to retry, fall back to `create`, or give up. A sink must
 * honour the namespace inside the event.
 *
 * @typeParam TEvent - the event shape: core/v1 {@link Event} (the default) or
 *   {@link EventsV1Event}.
 */
export interface EventSink<TEvent = Event> {
  /** Creates the event. Rejects with `AlreadyExists` if the name is taken. */
  create(event: TEvent): Promise<TEvent>;
  /** Replaces the event. client-go never calls it; it is here for parity. */
  update(event: TEvent): Promise<TEvent>;
  /**
   * Applies a strategic-merge patch to the stored event named by `event`.
   * Rejects with `NotFound` when that event does not exist.
   *
   * @param event - the event to patch; its name and namespace select it.
   * @param patch - the patch body as JSON text, such as
   *   `{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}`.
   */
  patch(event: TEvent, patch: string): Promise<TEvent>;
  /**
   * Optional: does what {@link EventSink.create} does, synchronously, when
   * the sink can answer at once (an in-memory sink, a counter). Returns the
   * reply, throws the {@link SinkError} that `create` would reject with, or
   * returns `undefined`, having done nothing, when it cannot answer now; the
   * caller then calls `create`.
   *
   * The reply may be an object the sink reuses for its next answer: read
   * what you need of it before calling the sink again, and neither keep nor
   * change it (`create` gives a copy of your own).
   *
   * A broadcaster calls it, when present, before `create`: a write that
   * completes at once then costs no promise and no turn of the microtask
   * queue. Sinks that answer asynchronously leave it out.
   */
  createNow?(event: TEvent): TEvent | undefined;
  /**
   * Optional: {@link EventSink.patch}, synchronously, under the same
   * contract as {@link EventSink.createNow}.
   */
  patchNow?(event: TEvent, patch: string): TEvent | undefined;
  /**
   * Flushes buffered writes and releases resources. Optional; a broadcaster
   * calls it from `shutdown` when present.
   */
  close?(): Promise<void>;
}
