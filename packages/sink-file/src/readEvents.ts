import { noopLogger, type Event, type Logger } from '@event-recorder/core';
import { logFiles, readFileRecords, toSinkError } from './files.js';
import { fromWire, keyOf, toFileRecord, type FileRecord } from './wire.js';

/** Options for {@link readEvents} and {@link readRecords}. */
export interface ReadEventsOptions {
  /**
   * Where warnings about skipped lines go (a torn last line after a crash, a
   * corrupt line).
   * @defaultValue {@link noopLogger}
   */
  logger?: Logger;
}

/**
 * Reads every line written by a {@link FileSink} at `path`, across its rotated
 * files, oldest first. Bad lines are skipped with a warning, never fatal.
 * A missing file yields nothing.
 *
 * @typeParam TEvent - the event shape the file holds.
 * @throws (rejects) a `SinkError` when the file exists but cannot be read.
 */
export async function* readRecords<TEvent = Event>(
  path: string,
  options: ReadEventsOptions = {},
): AsyncGenerator<FileRecord<TEvent>, void, undefined> {
  const logger = options.logger ?? noopLogger;
  let files;
  try {
    files = await logFiles(path);
  } catch (error) {
    throw await toSinkError(error, path, 'read');
  }
  for (const { file } of files) {
    const records = readFileRecords(file, logger);
    for (;;) {
      let next;
      try {
        next = await records.next();
      } catch (error) {
        throw await toSinkError(error, file, 'read');
      }
      if (next.done === true) break;
      yield toFileRecord<TEvent>(next.value);
    }
  }
}

/**
 * Reads the latest state of each event written by a {@link FileSink} at
 * `path`, across its rotated files: one event per namespace and name, in the
 * order they were last written (the most recently changed last).
 *
 * @example
 * ```ts
 * for await (const e of readEvents('./events.jsonl'))
 *   console.log(e.count, e.reason, e.message);
 * ```
 *
 * @typeParam TEvent - the event shape the file holds.
 * @throws (rejects) a `SinkError` when the file exists but cannot be read.
 */
export async function* readEvents<TEvent = Event>(
  path: string,
  options: ReadEventsOptions = {},
): AsyncGenerator<TEvent, void, undefined> {
  const latest = new Map<string, Record<string, unknown>>();
  for await (const record of readRecords<Record<string, unknown>>(
    path,
    options,
  )) {
    const key = keyOf(record.event.metadata as Record<string, unknown>);
    latest.delete(key);
    latest.set(key, record.event);
  }
  for (const event of latest.values()) yield fromWire<TEvent>(event);
}
