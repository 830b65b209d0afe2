import { stat, open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import {
  InvalidOptionError,
  noopLogger,
  type Event,
  type Logger,
} from '@event-recorder/core';
import { errorCode } from './files.js';
import {
  LineSplitter,
  readLine,
  toFileRecord,
  type FileRecord,
} from './wire.js';

/** Options for {@link followRecords}. */
export interface FollowRecordsOptions {
  /**
   * Where to start in the current file: `'end'` (only new lines), `'start'`
   * (every line of the current file), or a byte offset, such as the size
   * the file had when you read it with {@link readEvents}.
   * @defaultValue `'end'`
   */
  from?: 'start' | 'end' | number;
  /**
   * How often to look for new lines and for rotation, in milliseconds.
   * @defaultValue `250`
   */
  pollIntervalMs?: number;
  /** Stops following; the iterator then returns. */
  signal?: AbortSignal;
  /**
   * Where warnings about skipped lines go.
   * @defaultValue {@link noopLogger}
   */
  logger?: Logger;
}

/**
 * Follows the file a {@link FileSink} writes, as `tail -F` does: yields each
 * line appended from now on (or from `from`), across rotations (the rest of
 * the rotated file is read before the new one) and truncation. It never ends
 * by itself; abort `signal`, or `break` out of the loop.
 *
 * A line is yielded only once it is complete. If the file rotates more than
 * once between two polls, the lines in the skipped file are missed.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * for await (const { op, event } of followRecords('./events.jsonl', { signal: stop.signal }))
 *   console.log(op, event.reason, event.count);
 * ```
 */
export async function* followRecords<TEvent = Event>(
  path: string,
  options: FollowRecordsOptions = {},
): AsyncGenerator<FileRecord<TEvent>, void, undefined> {
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  if (!Number.isFinite(pollIntervalMs) || pollIntervalMs <= 0)
    throw new InvalidOptionError(
      `pollIntervalMs must be positive, got ${pollIntervalMs}`,
    );
  const logger = options.logger ?? noopLogger;
  const signal = options.signal;
  let from = options.from ?? 'end';
  let handle: FileHandle | undefined;
  let ino = -1;
  let offset = 0;
  let lineNo = 0;
  let decoder = new StringDecoder('utf8');
  let splitter = new LineSplitter();
  const buffer = Buffer.alloc(1 << 16);

  const openCurrent = async (): Promise<void> => {
    try {
      handle = await open(path, 'r');
    } catch (error) {
      // Everything in a file that appears later is new.
      if (errorCode(error) === 'ENOENT') {
        from = 'start';
        return;
      }
      throw error;
    }
    const info = await handle.stat();
    ino = info.ino;
    offset =
      from === 'end'
        ? info.size
        : from === 'start'
          ? 0
          : Math.min(from, info.size);
    // Only the first file starts at `from`; files created by rotation start at 0.
    from = 'start';
    lineNo = 0;
    decoder = new StringDecoder('utf8');
    splitter = new LineSplitter();
  };

  async function* readNew(
    h: FileHandle,
  ): AsyncGenerator<FileRecord<TEvent>, void, undefined> {
    for (;;) {
      const { bytesRead } = await h.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      for (const line of splitter.push(
        decoder.write(buffer.subarray(0, bytesRead)),
      )) {
        lineNo++;
        const record = readLine(
          line,
          { file: path, line: lineNo, last: false },
          logger,
        );
        if (record !== undefined) yield toFileRecord<TEvent>(record);
      }
    }
  }

  try {
    while (signal?.aborted !== true) {
      if (handle === undefined) await openCurrent();
      if (handle !== undefined) {
        yield* readNew(handle);
        let info;
        try {
          info = await stat(path);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw error;
        }
        if (info !== undefined && info.ino !== ino) {
          // Rotated: finish the old file, then switch to the new one at once.
          yield* readNew(handle);
          const rest = splitter.end();
          if (rest !== '')
            readLine(
              rest,
              { file: path, line: lineNo + 1, last: true },
              logger,
            );
          await handle.close();
          handle = undefined;
          continue;
        }
        if (info !== undefined && info.size < offset) {
          offset = 0;
          lineNo = 0;
          splitter = new LineSplitter();
          decoder = new StringDecoder('utf8');
          continue;
        }
      }
      try {
        await delay(pollIntervalMs, undefined, { signal });
      } catch {
        return;
      }
    }
  } finally {
    await handle?.close();
  }
}
