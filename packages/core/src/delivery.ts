/**
 * Why an event did not reach a sink:
 *
 * - `queueFull`: a bounded queue (the broadcaster's or a watcher's) was full.
 * - `spam`: the correlator's spam filter skipped it.
 * - `final`: the sink rejected it with a final error (Invalid, Forbidden, AlreadyExists…).
 * - `retriesExhausted`: every allowed attempt failed with a retryable error.
 * - `shutdown`: the broadcaster shut down before it could be delivered.
 * - `invalid`: the recorder refused it (no kind or apiVersion, a bad type…).
 */
export type DropReason =
  'queueFull' | 'spam' | 'final' | 'retriesExhausted' | 'shutdown' | 'invalid';

/** Every {@link DropReason}, in a stable order. */
export const dropReasons: readonly DropReason[] = [
  'queueFull',
  'spam',
  'final',
  'retriesExhausted',
  'shutdown',
  'invalid',
];

/** Drop counts by reason. */
export type DropCounts = Record<DropReason, number>;

/** A fresh {@link DropCounts} with every reason at zero. */
export function emptyDropCounts(): DropCounts {
  return {
    queueFull: 0,
    spam: 0,
    final: 0,
    retriesExhausted: 0,
    shutdown: 0,
    invalid: 0,
  };
}

/**
 * What happened to recorded events: how many were delivered, and how many were
 * dropped, by reason. Returned by `flush`, `shutdown` and `stats`.
 */
export interface DeliveryReport {
  /** Events (occurrences) written to a sink successfully. */
  delivered: number;
  /** Events dropped, by reason. */
  dropped: DropCounts;
}

/**
 * The port a recorder publishes to. A broadcaster implements it; so can
 * anything else that wants a recorder's events. `publish` must never block and
 * never throw: it returns `false` when the event was not accepted (and counts
 * that drop itself).
 *
 * @typeParam TEvent - the event shape.
 */
export interface EventPublisher<TEvent> {
  /** Accepts an event. Returns `false` when it was dropped (queue full, shut down). */
  publish(event: TEvent): boolean;
  /**
   * Tells the publisher that the recorder refused an event before it became
   * one, so that the drop is counted as `invalid`.
   */
  reportInvalid?(reason: string): void;
}
