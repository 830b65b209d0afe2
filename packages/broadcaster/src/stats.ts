import {
  dropReasons,
  emptyDropCounts,
  type DeliveryReport,
  type DropCounts,
  type DropReason,
} from '@event-recorder/core';

/**
 * One consumer's ledger: a sink started with `startRecordingToSink`, or a
 * watcher (`startEventWatcher`, `startLogging`, `startStructuredLogging`).
 *
 * At every moment `delivered + Σ dropped + pending === recorded`. Once the
 * consumer is idle (after `flush` or `shutdown`), `pending` is 0.
 */
export interface ConsumerStats extends DeliveryReport {
  /** The consumer's name: the one given when it was started, or `sink-1`, `watcher-2`… */
  name: string;
  /** Occurrences offered to this consumer (recorded while it was attached). */
  recorded: number;
  /** Occurrences neither delivered nor dropped yet: queued, being written, or waiting to be retried. */
  pending: number;
  /** Events waiting in this consumer's bounded queue. */
  queued: number;
  /** Writes parked in the retry set, waiting for their next attempt. */
  retrying: number;
  /** Whether the consumer was stopped (by its handle or by `shutdown`). */
  stopped: boolean;
  /**
   * Final failures by error code (`Forbidden`, `Invalid`…, or `Unknown` for an
   * error that is not a `SinkError`). A watcher counts a handler that threw as
   * `Unknown`.
   */
  finalByCode: Record<string, number>;
}

/**
 * A broadcaster's live counters, and the report `flush` and `shutdown`
 * resolve with.
 *
 * The top-level `recorded`, `delivered` and `dropped` add up the ledgers of
 * every sink (an occurrence written to two sinks counts twice, once per sink),
 * plus the occurrences refused before any sink saw them (`dropped.invalid`
 * from the recorder, `dropped.shutdown` for recording after shutdown),
 * counted once. So `delivered + Σ dropped + pending === recorded` holds at the
 * top level as in each ledger; with a single sink, `recorded` is the number of
 * recording calls. Watchers are reported in `watchers` and not added to the
 * totals.
 */
export interface BroadcasterStats extends DeliveryReport {
  /** Occurrences accounted for: the sinks' `recorded` plus refused occurrences. */
  recorded: number;
  /** Occurrences still in flight across sinks. */
  pending: number;
  /** Events accepted by `publish` (each once, however many consumers). */
  published: number;
  /** Each sink's ledger, in the order they were started (stopped ones included). */
  sinks: ConsumerStats[];
  /** Each watcher's ledger, in the order they were started (stopped ones included). */
  watchers: ConsumerStats[];
}

/** A mutable ledger behind {@link ConsumerStats}. */
export class Ledger {
  recorded = 0;
  delivered = 0;
  readonly dropped: DropCounts = emptyDropCounts();
  readonly finalByCode: Record<string, number> = {};

  /** Counts `n` occurrences as dropped for `reason`. */
  drop(reason: DropReason, n = 1): void {
    this.dropped[reason] += n;
  }

  /** Occurrences neither delivered nor dropped. */
  pending(): number {
    let sum = this.delivered;
    for (const r of dropReasons) sum += this.dropped[r];
    return this.recorded - sum;
  }
}

/** Adds `from` into `into`, reason by reason. */
export function addDrops(into: DropCounts, from: DropCounts): void {
  for (const r of dropReasons) into[r] += from[r];
}
