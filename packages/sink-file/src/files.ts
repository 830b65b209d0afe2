import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  ForbiddenError,
  TransportError,
  type Logger,
  type SinkError,
} from '@event-recorder/core';
import { LineSplitter, readLine, type WireRecord } from './wire.js';

/** The name of the `n`th rotated file: `events.jsonl.1` is the newest. */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

/**
 * The files of an event log, oldest first: the rotated files present next to
 * `path` (`path.N` … `path.1`), then `path` itself. Each comes with its
 * generation: 0 for `path`, -N for `path.N`.
 */
export async function logFiles(
  path: string,
): Promise<Array<{ file: string; generation: number }>> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR')
      return [];
    throw error;
  }
  const rotated = entries
    .filter(
      (e) => e.startsWith(prefix) && /^[1-9]\d*$/.test(e.slice(prefix.length)),
    )
    .map((e) => Number(e.slice(prefix.length)))
    .sort((a, b) => b - a);
  const files = rotated.map((n) => ({
    file: join(dir, `${prefix}${n}`),
    generation: -n,
  }));
  files.push({ file: path, generation: 0 });
  return files;
}

/**
 * Reads the records of one file in order. A missing file has none; a file
 * that is not a regular file (a device, a FIFO) is not read. Bad lines are
 * skipped with a warning, a torn last line included.
 */
export async function* readFileRecords(
  file: string,
  logger: Logger,
): AsyncGenerator<WireRecord> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const splitter = new LineSplitter();
  let n = 0;
  const stream = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: 1 << 20,
  });
  for await (const chunk of stream as AsyncIterable<string>) {
    for (const line of splitter.push(chunk)) {
      n++;
      const record = readLine(line, { file, line: n, last: false }, logger);
      if (record !== undefined) yield record;
    }
  }
  const rest = splitter.end();
  if (rest !== '') {
    n++;
    const record = readLine(rest, { file, line: n, last: true }, logger);
    if (record !== undefined) yield record;
  }
}

/** The `code` of a Node.js system error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const retryableCodes: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EBUSY',
  'EINTR',
]);

/**
 * Turns a file-system failure into core's sink errors, with a message that
 * says what to fix:
 *
 * - EACCES, EPERM, EROFS: {@link ForbiddenError} (final).
 * - ENOSPC, EDQUOT, EIO and other transient failures: a retryable
 *   {@link TransportError}.
 * - A missing directory, a directory where the file should be, and anything
 *   else: a final {@link TransportError}.
 */
export async function toSinkError(
  error: unknown,
  path: string,
  action: string,
): Promise<SinkError> {
  const code = errorCode(error);
  const where = `${action} event file "${path}"`;
  const opts = { cause: error, status: undefined };
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new ForbiddenError(
        `cannot ${where}: permission denied (${code})`,
        opts,
      );
    case 'EROFS':
      return new ForbiddenError(
        `cannot ${where}: the file system is read-only (EROFS)`,
        opts,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new TransportError(
        `cannot ${where}: no space left on the device (${code})`,
        opts,
      );
    case 'EISDIR':
      return new TransportError(
        `cannot ${where}: it is a directory; give a file path such as "${join(path, 'events.jsonl')}" (EISDIR)`,
        { ...opts, retryable: false },
      );
    case 'ENOENT':
    case 'ENOTDIR': {
      const dir = dirname(path);
      let dirExists = false;
      try {
        dirExists = (await stat(dir)).isDirectory();
      } catch {
        dirExists = false;
      }
      const detail = dirExists
        ? 'the file or a parent of it does not exist'
        : `the directory "${dir}" does not exist; create it first`;
      return new TransportError(`cannot ${where}: ${detail} (${code})`, {
        ...opts,
        retryable: false,
      });
    }
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new TransportError(`cannot ${where}: ${message}`, {
        ...opts,
        retryable: code !== undefined && retryableCodes.has(code),
      });
    }
  }
}
