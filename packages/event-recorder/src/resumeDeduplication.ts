import {
  InvalidOptionError,
  formatTime,
  isSinkError,
  realClock,
  type Event,
  type EventSink,
  type PassiveClock,
} from '@event-recorder/core';
import { getEventKey } from '@event-recorder/correlator';

/**
 * A sink that knows which events an earlier process stored, such as
 * `@event-recorder/sink-file`'s `FileSink`.
 */
export interface RestorableSink extends EventSink<Event> {
  /** The events found in the sink's storage when it opened. */
  restoredEvents(): Promise<Event[]>;
}

/** Tells whether a sink can report the events an earlier process stored. */
export function isRestorableSink(sink: unknown): sink is RestorableSink {
  return (
    typeof sink === 'object' &&
    sink !== null &&
    typeof (sink as RestorableSink).restoredEvents === 'function' &&
    typeof (sink as RestorableSink).create === 'function' &&
    typeof (sink as RestorableSink).patch === 'function'
  );
}

/** Options for {@link resumeDeduplication}. */
export interface ResumeDeduplicationOptions {
  /**
   * The clock for `lastTimestamp` when an event has none.
   * @defaultValue `realClock`
   */
  clock?: PassiveClock;
}

/**
 * Wraps a {@link RestorableSink} so that de-duplication continues after a
 * restart. A fresh process has an empty correlator, so the first repeat of an
 * event that an earlier process stored arrives as a `create` of a new event
 * with count 1. The wrapper turns that create into the patch client-go would
 * have sent had it remembered: `count` + 1, the new `lastTimestamp` and
 * message, on the stored event. The broadcaster then feeds the reply to its
 * correlator, and later repeats patch the same event as usual.
 *
 * Only events restored from storage and not yet seen by this process are
 * matched, by client-go's event key (source, involved object, type, reason,
 * message). {@link createEventBroadcaster}'s broadcaster applies this wrapper
 * to every restorable sink by itself.
 *
 * @throws {@link InvalidOptionError} when `sink` is not restorable.
 */
export function resumeDeduplication(
  sink: RestorableSink,
  options: ResumeDeduplicationOptions = {},
): EventSink<Event> {
  if (!isRestorableSink(sink))
    throw new InvalidOptionError(
      'resumeDeduplication needs a sink with create(), patch() and restoredEvents()',
    );
  return new ResumingSink(sink, options.clock ?? realClock);
}

/** What the wrapper keeps of a restored event: enough to patch it. */
interface StoredEvent {
  name: string | undefined;
  namespace: string | undefined;
  count: number;
}

class ResumingSink implements EventSink<Event> {
  readonly #sink: RestorableSink;
  readonly #clock: PassiveClock;
  #index: Promise<Map<string, StoredEvent>> | undefined;

  constructor(sink: RestorableSink, clock: PassiveClock) {
    this.#sink = sink;
    this.#clock = clock;
  }

  #restored(): Promise<Map<string, StoredEvent>> {
    this.#index ??= this.#sink.restoredEvents().then(
      (events) => {
        const index = new Map<string, StoredEvent>();
        for (const event of events)
          index.set(getEventKey(event), {
            name: event.metadata.name,
            namespace: event.metadata.namespace,
            count: event.count ?? 1,
          });
        return index;
      },
      () => {
        // The sink reports the same failure on the write itself; try again
        // on the next one.
        this.#index = undefined;
        return new Map<string, StoredEvent>();
      },
    );
    return this.#index;
  }

  async create(event: Event): Promise<Event> {
    if ((event.count ?? 1) <= 1) {
      const index = await this.#restored();
      const key = getEventKey(event);
      const stored = index.get(key);
      if (
        stored !== undefined &&
        (stored.namespace ?? '') === (event.metadata.namespace ?? '')
      ) {
        index.delete(key);
        const patch = JSON.stringify({
          count: stored.count + 1,
          lastTimestamp: formatTime(event.lastTimestamp ?? this.#clock.now()),
          message: event.message ?? '',
        });
        try {
          return await this.#sink.patch(
            {
              ...event,
              metadata: {
                ...event.metadata,
                name: stored.name,
                namespace: stored.namespace,
              },
            },
            patch,
          );
        } catch (error) {
          // Gone since (rotated away): create as usual. Anything else: keep
          // the match for the retry.
          if (!(isSinkError(error) && error.code === 'NotFound')) {
            index.set(key, stored);
            throw error;
          }
        }
      }
    }
    return this.#sink.create(event);
  }

  update(event: Event): Promise<Event> {
    return this.#sink.update(event);
  }

  patch(event: Event, patch: string): Promise<Event> {
    return this.#sink.patch(event, patch);
  }

  async close(): Promise<void> {
    await this.#sink.close?.();
  }
}
