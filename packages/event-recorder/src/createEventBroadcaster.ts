import {
  EventBroadcaster,
  type EventBroadcasterOptions,
  type RecordingOptions,
  type WatchHandle,
} from '@event-recorder/broadcaster';
import { realClock, type Event, type EventSink } from '@event-recorder/core';
import {
  isRestorableSink,
  resumeDeduplication,
} from './resumeDeduplication.js';

/**
 * Options for {@link createEventBroadcaster}: those of `EventBroadcaster`,
 * each defaulting to client-go's value.
 */
export type CreateEventBroadcasterOptions = EventBroadcasterOptions;

/**
 * client-go's defaults, spelled out: `record.NewBroadcaster()`'s queue of 1000
 * events, 10 s retry sleep and 12 tries per event; the correlator's defaults
 * (burst 25, one token per 300 s, aggregation of 10 messages in 600 s, LRU
 * caches of 4096) come from `@event-recorder/correlator`.
 */
export const clientGoDefaults = {
  queueLength: 1000,
  sleepDurationMs: 10_000,
  maxTriesPerEvent: 12,
} as const satisfies EventBroadcasterOptions;

class DefaultEventBroadcaster extends EventBroadcaster {
  readonly #options: CreateEventBroadcasterOptions;

  constructor(options: CreateEventBroadcasterOptions) {
    super(options);
    this.#options = options;
  }

  override startRecordingToSink(
    sink: EventSink<Event>,
    options: RecordingOptions = {},
  ): WatchHandle {
    const target = isRestorableSink(sink)
      ? resumeDeduplication(sink, { clock: this.#options.clock ?? realClock })
      : sink;
    return super.startRecordingToSink(target, options);
  }
}

/**
 * Creates a core/v1 event broadcaster with client-go's defaults, as
 * `record.NewBroadcaster()`: start it recording to a sink, make recorders with
 * `newRecorder`, and `shutdown` it when done.
 *
 * Beyond a plain `EventBroadcaster`, a sink that restores its state (such as
 * `FileSink`) is wrapped with {@link resumeDeduplication}, so repeats keep
 * counting on the stored events after a restart.
 *
 * @example
 * ```ts
 * const broadcaster = createEventBroadcaster();
 * broadcaster.startRecordingToSink(new FileSink({ path: 'events.jsonl' }));
 * const recorder = broadcaster.newRecorder({ component: 'my-controller' });
 * recorder.eventf(pod, 'Warning', 'BackOff', 'Back-off restarting %s', 'web');
 * await broadcaster.shutdown({ timeoutMs: 5000 });
 * ```
 *
 * @throws `InvalidOptionError` for an option that can never work.
 */
export function createEventBroadcaster(
  options: CreateEventBroadcasterOptions = {},
): EventBroadcaster {
  return new DefaultEventBroadcaster({ ...clientGoDefaults, ...options });
}
