import { isValidEventType } from '@event-recorder/core';
import type {
  EventPublisher,
  LogFields,
  Logger,
  ObjectReference,
} from '@event-recorder/core';

/**
 * Why a recorder refused an event before publishing it. The string is passed
 * to {@link EventPublisher.reportInvalid}, which counts it as an `invalid` drop.
 *
 * - `invalidObject`: no reference could be built (not an object, no `kind` or
 *   `apiVersion`, a field of the wrong type).
 * - `invalidType`: the type is not exactly `Normal` or `Warning`.
 * - `invalidReason`: the reason is not a string.
 * - `publishFailed`: the publisher threw instead of returning `false`.
 * - `recordFailed`: anything else that threw while building the event, such as
 *   a format argument whose `toString` throws.
 */
export type RecorderDropReason =
  | 'invalidObject'
  | 'invalidType'
  | 'invalidReason'
  | 'publishFailed'
  | 'recordFailed';

/**
 * Counts refused events by reason, logs the first one of each reason and then
 * every power of ten (1, 10, 100…), so a caller stuck in a loop cannot flood
 * the log, and tells the publisher so it can count the drop.
 */
export class DropReporter {
  readonly #counts: Map<RecorderDropReason | 'noteTruncated', number>;
  readonly #logger: Logger;
  readonly #publisher: EventPublisher<never>;

  constructor(
    logger: Logger,
    publisher: EventPublisher<never>,
    counts = new Map<RecorderDropReason | 'noteTruncated', number>(),
  ) {
    this.#logger = logger;
    this.#publisher = publisher;
    this.#counts = counts;
  }

  /** A reporter that logs to `logger` and shares these counts. */
  withLogger(logger: Logger): DropReporter {
    return new DropReporter(logger, this.#publisher, this.#counts);
  }

  /** Records one refused event. Never throws. */
  report(reason: RecorderDropReason, message: string, fields: LogFields): void {
    const count = (this.#counts.get(reason) ?? 0) + 1;
    this.#counts.set(reason, count);
    try {
      if (isPowerOfTen(count)) {
        this.#logger.warn(message, { ...fields, reason, count });
      }
    } catch {
      // A broken logger must not make recording throw.
    }
    try {
      this.#publisher.reportInvalid?.(reason);
    } catch {
      // Nor a broken publisher.
    }
  }

  /**
   * The checks both recorders make once the reference is built: reports the
   * event and returns `true` when `type` is not `Normal`/`Warning` or `reason`
   * is not a string (client-go drops such events with a log line too).
   */
  refusesTypeOrReason(
    type: unknown,
    reason: unknown,
    ref: ObjectReference,
  ): boolean {
    if (!isValidEventType(type)) {
      this.report('invalidType', 'Unsupported event type', {
        type: typeof type === 'string' ? type : describe(type),
        kind: ref.kind,
        name: ref.name,
        reason,
      });
      return true;
    }
    if (typeof reason !== 'string') {
      this.report('invalidReason', 'Event reason must be a string', {
        reason: describe(reason),
        kind: ref.kind,
        name: ref.name,
      });
      return true;
    }
    return false;
  }

  /** Reports an event whose construction threw (a hostile argument, say). */
  buildFailed(error: unknown): void {
    this.report('recordFailed', 'Could not build event, will not report it', {
      error: errorMessage(error),
    });
  }

  /**
   * Hands a built event to `publisher`; a publisher that throws drops the
   * event with a report instead of reaching the caller.
   */
  publish<TEvent>(
    publisher: EventPublisher<TEvent>,
    event: TEvent,
    ref: ObjectReference | undefined,
    reason: string | undefined,
  ): void {
    try {
      publisher.publish(event);
    } catch (error) {
      this.report('publishFailed', 'Publisher threw, event dropped', {
        error: errorMessage(error),
        kind: ref?.kind,
        name: ref?.name,
        reason,
      });
    }
  }

  /**
   * Records an event that was changed to be accepted (a note truncated to the
   * server's limit): counted and logged like a drop, not reported as one.
   */
  adjusted(reason: 'noteTruncated', message: string, fields: LogFields): void {
    const count = (this.#counts.get(reason) ?? 0) + 1;
    this.#counts.set(reason, count);
    try {
      if (isPowerOfTen(count)) {
        this.#logger.warn(message, { ...fields, reason, count });
      }
    } catch {
      // A broken logger must not make recording throw.
    }
  }
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

/** A short description of a value for a log line, never the value itself. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The message of an unknown thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return 'unknown error';
  }
}
