import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import {
  copyRecord,
  AlreadyExistsError,
  ClosedError,
  InvalidError,
  InvalidOptionError,
  NotFoundError,
  eventsV1ToCoreV1,
  formatTime,
  isEventsV1Event,
  isSinkError,
  noopLogger,
  realClock,
  validateEventCreate,
  validateEventUpdate,
  type Clock,
  type Event,
  type EventApi,
  type EventSink,
  type EventsV1Event,
  type Logger,
  type SinkError,
  type Timer,
  type ValidationIssue,
} from '@event-recorder/core';
import {
  errorCode,
  logFiles,
  readFileRecords,
  rotatedPath,
  toSinkError,
} from './files.js';
import {
  applyMergePatch,
  fromWire,
  keyOf,
  reviveFrom,
  toWire,
  wireTime,
  type FileOp,
} from './wire.js';

/**
 * When a {@link FileSink} asks the operating system to put its writes on disk
 * (`fdatasync`):
 *
 * - `'none'`: never; the OS decides. Fastest; a power loss can lose the last
 *   seconds of writes, a process crash loses nothing already written.
 * - `'interval'`: at most every {@link FileSinkOptions.fsyncIntervalMs} while
 *   there are new writes. Bounds the loss on power failure at little cost.
 * - `'always'`: after every batch, before the writes resolve. Slowest.
 */
export type FsyncMode = 'none' | 'interval' | 'always';

const fsyncModes: ReadonlySet<string> = new Set<FsyncMode>([
  'none',
  'interval',
  'always',
]);

/** Options for {@link FileSink}. */
export interface FileSinkOptions {
  /**
   * The JSON Lines file to append to, such as `./events.jsonl`. Its directory
   * must exist. Rotated files sit beside it as `events.jsonl.1` (newest) …
   */
  path: string;
  /**
   * Rotate when the file would grow past this many bytes. Rotation happens
   * only for regular files, never for devices or FIFOs.
   * @defaultValue `10 * 1024 * 1024` (10 MiB)
   */
  maxBytes?: number;
  /**
   * How many files to keep, the one being written included. Events whose
   * latest state was only in a deleted file are forgotten, as the API server
   * forgets events after their TTL.
   * @defaultValue `5`
   */
  maxFiles?: number;
  /**
   * When to `fdatasync`; see {@link FsyncMode}.
   * @defaultValue `'interval'`
   */
  fsync?: FsyncMode;
  /**
   * The period of `fsync: 'interval'`, in milliseconds of {@link FileSinkOptions.clock} time.
   * @defaultValue `1000`
   */
  fsyncIntervalMs?: number;
  /**
   * The permission bits of files the sink creates (before the umask).
   * @defaultValue `0o640`
   */
  mode?: number;
  /**
   * Which API's rules the sink applies when it validates writes: core/v1
   * (`'v1'`, for {@link Event}) or `'events.k8s.io/v1'` (for {@link EventsV1Event}).
   * @defaultValue `'v1'`
   */
  api?: EventApi;
  /**
   * Whether to reject events the API server would reject, with an
   * {@link InvalidError}, using core's `validateEventCreate`/`validateEventUpdate`.
   * @defaultValue `true`
   */
  validate?: boolean;
  /**
   * Where warnings go (skipped lines, fsync failures).
   * @defaultValue {@link noopLogger}
   */
  logger?: Logger;
  /**
   * The clock for the `at` of each line, `creationTimestamp`, and the fsync
   * interval.
   * @defaultValue {@link realClock}
   */
  clock?: Clock;
}

/** Counters of a {@link FileSink}, from {@link FileSink.stats}. */
export interface FileSinkStats {
  /** Events currently known (the state restored plus written, minus rotated away). */
  events: number;
  /** Lines appended since the sink was created. */
  lines: number;
  /** Append system calls batches (each one holds one or more lines). */
  batches: number;
  /** Bytes appended. */
  bytes: number;
  /** Rotations performed. */
  rotations: number;
  /** Successful `fdatasync` calls. */
  fsyncs: number;
  /** Writes rejected because the file system failed. */
  failedWrites: number;
}

interface Entry {
  /**
   * The event in wire form, as UTF-8 JSON. A Buffer rather than a string: its
   * bytes live outside the JS heap, so the garbage collector does not copy
   * every stored event as it promotes it.
   */
  json: Buffer;
  /** The generation of the file holding the latest line; Infinity while pending. */
  generation: number;
}

interface PendingWrite {
  /** `{"op":…,"at":…,"event":` — ASCII. */
  head: string;
  /** The event's JSON; the line is `head + json + '}\n'`. */
  json: Buffer;
  bytes: number;
  key: string;
  previous: Entry | undefined;
  entry: Entry;
  result: unknown;
  resolve: (event: never) => void;
  reject: (error: SinkError) => void;
}

type Json = Record<string, unknown>;

const maxBatchBytes = 4 * 1024 * 1024;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidOptionError(
      `${name} must be a positive integer, got ${value}`,
    );
  return value;
}

function describeIssues(name: string, issues: ValidationIssue[]): string {
  return `Event "${name}" is invalid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`;
}

/**
 * An {@link EventSink} that appends every write to a JSON Lines file, one line
 * `{"op","at","event"}` per write, where `event` is the full state after the
 * write. It keeps the current state of every event in memory, so `patch`,
 * NotFound and AlreadyExists behave as on the API server, and **it restores
 * that state from the file when it starts**, so de-duplication continues
 * across restarts of your process.
 *
 * Writes go through one file handle; writes made while an append is in flight
 * are batched into the next one, in order. Files rotate by size. File-system
 * failures reject with core's sink errors (a disk full is a retryable
 * `Transport` error, permission denied is `Forbidden`), never with an
 * unhandled rejection.
 *
 * @example
 * ```ts
 * const sink = new FileSink({ path: './events.jsonl' });
 * broadcaster.startRecordingToSink(sink);
 * // … later: read the latest state of each event back.
 * for await (const event of readEvents('./events.jsonl')) console.log(event.message);
 * ```
 *
 * @typeParam TEvent - core/v1 {@link Event} (default) or {@link EventsV1Event}
 *   (then set `api: 'events.k8s.io/v1'`).
 */
export class FileSink<
  TEvent extends Event | EventsV1Event = Event,
> implements EventSink<TEvent> {
  /** The path of the file being written. */
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #fsync: FsyncMode;
  readonly #fsyncIntervalMs: number;
  readonly #mode: number;
  readonly #api: EventApi;
  readonly #validate: boolean;
  readonly #logger: Logger;
  readonly #clock: Clock;

  #state = new Map<string, Entry>();
  #restored: Buffer[] = [];
  #resourceVersion = 0;
  #generation = 0;
  #handle: FileHandle | undefined;
  #size = 0;
  #regular = true;
  #needsNewline = false;
  #opening: Promise<void> | undefined;
  #ready = false;
  #waiting = 0;
  #scratch = Buffer.allocUnsafe(64 * 1024);
  #pending: PendingWrite[] = [];
  #headMs = Number.NaN;
  #headOp: FileOp | undefined;
  #headText = '';
  #draining: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #fsyncTimer: Timer | undefined;
  #stats = {
    lines: 0,
    batches: 0,
    bytes: 0,
    rotations: 0,
    fsyncs: 0,
    failedWrites: 0,
  };

  /**
   * Creates the sink. Nothing touches the disk until {@link FileSink.open} or
   * the first write.
   *
   * @throws {@link InvalidOptionError} for an option that can never work.
   */
  constructor(options: FileSinkOptions) {
    if (typeof options?.path !== 'string' || options.path === '')
      throw new InvalidOptionError('FileSink needs a path');
    this.path = options.path;
    this.#maxBytes = positiveInteger(
      options.maxBytes ?? 10 * 1024 * 1024,
      'maxBytes',
    );
    this.#maxFiles = positiveInteger(options.maxFiles ?? 5, 'maxFiles');
    const fsync = options.fsync ?? 'interval';
    if (!fsyncModes.has(fsync))
      throw new InvalidOptionError(
        `fsync must be 'none', 'interval' or 'always', got ${String(fsync)}`,
      );
    this.#fsync = fsync;
    this.#fsyncIntervalMs = positiveInteger(
      options.fsyncIntervalMs ?? 1000,
      'fsyncIntervalMs',
    );
    const mode = options.mode ?? 0o640;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
      throw new InvalidOptionError(
        `mode must be permission bits such as 0o640, got ${mode}`,
      );
    this.#mode = mode;
    const api = options.api ?? 'v1';
    if (api !== 'v1' && api !== 'events.k8s.io/v1')
      throw new InvalidOptionError(
        `api must be 'v1' or 'events.k8s.io/v1', got ${String(api)}`,
      );
    this.#api = api;
    this.#validate = options.validate ?? true;
    this.#logger = options.logger ?? noopLogger;
    this.#clock = options.clock ?? realClock;
  }

  /**
   * Restores the state from the file and its rotated siblings and opens the
   * file for appending. Writes call it for you; call it yourself to surface a
   * bad path at start-up. Idempotent; after a failure the next call retries.
   *
   * @throws a {@link SinkError} saying what is wrong with the path.
   */
  open(): Promise<void> {
    if (this.#closing !== undefined)
      return Promise.reject(
        new ClosedError(`FileSink for "${this.path}" is closed`),
      );
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const state = new Map<string, Entry>();
    let resourceVersion = 0;
    try {
      for (const { file, generation } of await logFiles(this.path)) {
        for await (const record of readFileRecords(file, this.#logger)) {
          const meta = record.event.metadata as Json;
          const key = keyOf(meta);
          state.delete(key);
          state.set(key, {
            json: Buffer.from(JSON.stringify(record.event)),
            generation,
          });
          const rv = Number(meta.resourceVersion);
          if (Number.isSafeInteger(rv) && rv > resourceVersion)
            resourceVersion = rv;
        }
      }
    } catch (error) {
      throw await toSinkError(error, this.path, 'read');
    }
    await this.#openHandle();
    this.#state = state;
    this.#restored = [...state.values()].map((e) => e.json);
    this.#resourceVersion = resourceVersion;
    this.#ready = true;
    if (state.size > 0)
      this.#logger.debug('restored event state from file', {
        file: this.path,
        events: state.size,
      });
  }

  async #openHandle(): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'a+', this.#mode);
    } catch (error) {
      throw await toSinkError(error, this.path, 'open');
    }
    try {
      const info = await handle.stat();
      this.#regular = info.isFile();
      this.#size = this.#regular ? info.size : 0;
      this.#needsNewline = false;
      if (this.#size > 0) {
        // A crash mid-append leaves a torn last line; start ours on a new one.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, this.#size - 1);
        this.#needsNewline = last[0] !== 0x0a;
      }
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw await toSinkError(error, this.path, 'open');
    }
    this.#handle = handle;
  }

  /**
   * Creates the event, as the API server would: assigns `resourceVersion`,
   * `uid` and `creationTimestamp`, and resolves with the event as stored.
   *
   * @throws (rejects) {@link AlreadyExistsError} when the name is taken,
   *   {@link InvalidError} for an invalid event, a `Transport` or `Forbidden`
   *   {@link SinkError} when the file cannot be written, {@link ClosedError}
   *   after {@link FileSink.close}.
   */
  create(event: TEvent): Promise<TEvent> {
    return this.#run(this.#create, event, '');
  }

  #create(event: TEvent): Promise<TEvent> {
    const key = this.#keyOf(event);
    if (this.#state.has(key))
      throw new AlreadyExistsError(
        `events "${event.metadata.name}" already exists`,
      );
    if (this.#validate)
      this.#check(validateEventCreate(this.#coreView(event), this.#api), event);
    const now = this.#clock.now();
    const wire = toWire(event);
    const meta = wire.metadata as Json;
    meta.uid ??= randomUUID();
    let creation: unknown = event.metadata.creationTimestamp;
    if (meta.creationTimestamp == null) {
      meta.creationTimestamp = wireTime(now, false);
      creation = now;
    }
    return this.#submit('create', key, wire, undefined, now, (w) =>
      reviveFrom<TEvent>(w, event, creation),
    );
  }

  /**
   * Replaces the event, or creates it when it does not exist (as the API
   * server does for events).
   *
   * @throws (rejects) as {@link FileSink.create}, except AlreadyExists.
   */
  update(event: TEvent): Promise<TEvent> {
    return this.#run(this.#update, event, '');
  }

  #update(event: TEvent): Promise<TEvent> {
    const key = this.#keyOf(event);
    const previous = this.#state.get(key);
    const before =
      previous === undefined
        ? undefined
        : fromWire<TEvent>(JSON.parse(previous.json.toString()) as Json);
    if (this.#validate) {
      const view = this.#coreView(event);
      this.#check(
        before === undefined
          ? validateEventCreate(view, this.#api)
          : validateEventUpdate(view, this.#coreView(before), this.#api),
        event,
      );
    }
    const wire = toWire(event);
    const meta = wire.metadata as Json;
    meta.uid ??= before?.metadata.uid ?? randomUUID();
    meta.creationTimestamp ??=
      before?.metadata.creationTimestamp !== undefined
        ? formatTime(before.metadata.creationTimestamp)
        : formatTime(this.#clock.now());
    return this.#submit('update', key, wire);
  }

  /**
   * Applies a strategic-merge patch (for an Event: a recursive merge where
   * `null` deletes a key) to the stored event that `event` names.
   *
   * @throws (rejects) {@link NotFoundError} when that event does not exist,
   *   {@link InvalidError} for a patch that is not a JSON object or makes the
   *   event invalid, and as {@link FileSink.create} for file failures.
   */
  patch(event: TEvent, patch: string): Promise<TEvent> {
    return this.#run(this.#patch, event, patch);
  }

  #patch(event: TEvent, patch: string): Promise<TEvent> {
    const key = this.#keyOf(event);
    const previous = this.#state.get(key);
    if (previous === undefined)
      throw new NotFoundError(`events "${event.metadata.name}" not found`);
    let body: unknown;
    try {
      body = JSON.parse(patch);
    } catch (error) {
      throw new InvalidError(
        `the patch for event "${event.metadata.name}" is not valid JSON`,
        {
          status: 400,
          cause: error,
        },
      );
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new InvalidError(
        `the patch for event "${event.metadata.name}" must be a JSON object`,
        { status: 400 },
      );
    const old = JSON.parse(previous.json.toString()) as Json;
    const merged = applyMergePatch(old, body) as Json | undefined;
    if (merged === undefined)
      throw new InvalidError(
        `the patch for event "${event.metadata.name}" deletes the event`,
        {
          status: 422,
        },
      );
    // The name and namespace select the object; a patch cannot move it.
    const oldMeta = old.metadata as Json;
    const meta =
      typeof merged.metadata === 'object' && merged.metadata !== null
        ? copyRecord(merged.metadata as Json)
        : {};
    meta.name = oldMeta.name;
    meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    merged.metadata = meta;
    return this.#submit('patch', key, merged, (next) => {
      if (!this.#validate) return;
      const before = fromWire<TEvent>(old);
      this.#check(
        validateEventUpdate(
          this.#coreView(next),
          this.#coreView(before),
          this.#api,
        ),
        event,
      );
    });
  }

  /**
   * The events this sink found in its files when it opened: what an earlier
   * process wrote, in the order they were last written. A broadcaster (or the
   * `event-recorder` package's wiring) feeds them to its correlator so that
   * repeats keep counting on the same events after a restart.
   *
   * @throws (rejects) as {@link FileSink.open}.
   */
  async restoredEvents(): Promise<TEvent[]> {
    await this.open();
    return this.#restored.map((json) =>
      fromWire<TEvent>(JSON.parse(json.toString()) as Json),
    );
  }

  /** Resolves when every write made so far has been appended (or has failed). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined || this.#scheduled) {
      if (this.#draining !== undefined) await this.#draining;
      // A scheduled append runs in a microtask queued before this one.
      else await Promise.resolve();
    }
  }

  /**
   * Flushes pending writes, syncs the file to disk (unless `fsync: 'none'`)
   * and closes it. Later writes reject with {@link ClosedError}. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#opening !== undefined) await this.#opening.catch(() => undefined);
    await this.flush();
    this.#closed = true;
    this.#fsyncTimer?.cancel();
    this.#fsyncTimer = undefined;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle === undefined) return;
    if (this.#fsync !== 'none') {
      try {
        await handle.datasync();
        this.#stats.fsyncs++;
      } catch (error) {
        this.#logger.warn('fsync of the event file failed on close', {
          file: this.path,
          error,
        });
      }
    }
    await handle.close().catch(() => undefined);
  }

  /** The sink's counters. */
  stats(): FileSinkStats {
    return { events: this.#state.size, ...this.#stats };
  }

  /**
   * Runs a write once the state is restored. Once it is, the write is
   * queued synchronously, in call order, without waiting a tick; a throw
   * becomes a rejection.
   */
  #run(
    write: (event: TEvent, patch: string) => Promise<TEvent>,
    event: TEvent,
    patch: string,
  ): Promise<TEvent> {
    if (this.#closing !== undefined)
      return Promise.reject(
        new ClosedError(`FileSink for "${this.path}" is closed`),
      );
    if (this.#ready && this.#waiting === 0) {
      try {
        // No closure per write on this hot path.
        return write.call(this, event, patch);
      } catch (error) {
        // Every throw on this path is one of core's Error subclasses.
        return Promise.reject(
          error instanceof Error ? error : new Error(String(error)),
        );
      }
    }
    this.#waiting++;
    return this.open().then(
      () => {
        this.#waiting--;
        return write.call(this, event, patch);
      },
      (error: unknown) => {
        this.#waiting--;
        throw error;
      },
    );
  }

  #keyOf(event: TEvent): string {
    const name = event?.metadata?.name;
    if (typeof name !== 'string' || name === '')
      throw new InvalidError(
        'Event is invalid: metadata.name: Required value',
        {
          status: 422,
        },
      );
    return keyOf(event.metadata);
  }

  #coreView(event: TEvent): Event {
    return isEventsV1Event(event) ? eventsV1ToCoreV1(event) : event;
  }

  #check(issues: ValidationIssue[], event: TEvent): void {
    if (issues.length > 0)
      throw new InvalidError(
        describeIssues(String(event.metadata.name), issues),
        {
          status: 422,
        },
      );
  }

  /**
   * Queues one line. `wire` is a fresh object the sink owns: it is written as
   * it is, then revived in place to become the result (so a create costs one
   * `JSON.stringify` and no parse). `check` may veto the result.
   */
  #submit(
    op: FileOp,
    key: string,
    wire: Json,
    check?: (next: TEvent) => void,
    now: Date = this.#clock.now(),
    revive: (wire: Json) => TEvent = fromWire,
  ): Promise<TEvent> {
    (wire.metadata as Json).resourceVersion = String(this.#resourceVersion + 1);
    const text = JSON.stringify(wire);
    const result = revive(wire);
    check?.(result);
    this.#resourceVersion++;
    const head = this.#head(op, now);
    const json = Buffer.from(text);
    const entry: Entry = { json, generation: Number.POSITIVE_INFINITY };
    const previous = this.#state.get(key);
    this.#state.set(key, entry);
    return new Promise<TEvent>((resolve, reject) => {
      this.#pending.push({
        head,
        json,
        bytes: head.length + json.length + 2,
        key,
        previous,
        entry,
        result,
        resolve,
        reject,
      });
      this.#kick();
    });
  }

  /** `{"op":…,"at":…,"event":`, remembered for the last op and millisecond. */
  #head(op: FileOp, now: Date): string {
    const ms = now.getTime();
    if (ms !== this.#headMs || op !== this.#headOp) {
      this.#headMs = ms;
      this.#headOp = op;
      this.#headText = `{"op":"${op}","at":"${wireTime(now, true)}","event":`;
    }
    return this.#headText;
  }

  /**
   * Schedules the queued writes. The common case (a regular file, open, no
   * rotation due, `fsync` not `'always'`) is appended synchronously in a
   * microtask, so writes issued in the same tick share one append and none
   * waits for a thread-pool round trip; anything else goes through
   * {@link FileSink.#drain}.
   */
  #kick(): void {
    if (
      this.#draining !== undefined ||
      this.#scheduled ||
      this.#pending.length === 0
    )
      return;
    this.#scheduled = true;
    queueMicrotask(this.#appendQueued);
  }

  readonly #appendQueued = (): void => {
    this.#scheduled = false;
    while (this.#draining === undefined && this.#pending.length > 0) {
      const batch = this.#takeBatch();
      if (!this.#canAppendSync(batch)) {
        this.#startDrain(batch);
        return;
      }
      try {
        this.#write(batch, this.#handle!);
      } catch (error) {
        this.#startDrain(batch, error);
        return;
      }
      this.#settle(batch);
    }
  };

  #canAppendSync(batch: PendingWrite[]): boolean {
    return (
      this.#handle !== undefined &&
      this.#regular &&
      this.#fsync !== 'always' &&
      !this.#rotationDue(batch)
    );
  }

  #rotationDue(batch: PendingWrite[]): boolean {
    let bytes = 0;
    for (const w of batch) bytes += w.bytes;
    return (
      this.#regular && this.#size > 0 && this.#size + bytes > this.#maxBytes
    );
  }

  /** Runs {@link FileSink.#drain}, starting with `batch` (or its failure). */
  #startDrain(batch: PendingWrite[], failure?: unknown): void {
    this.#draining = this.#drain(batch, failure).finally(() => {
      this.#draining = undefined;
      this.#kick();
    });
  }

  async #drain(first: PendingWrite[], failure?: unknown): Promise<void> {
    let batch: PendingWrite[] | undefined = first;
    let error: unknown = failure;
    let failed = failure !== undefined;
    for (;;) {
      if (!failed) {
        try {
          await this.#append(batch);
        } catch (e) {
          error = e;
          failed = true;
        }
      }
      if (failed) await this.#fail(batch, error);
      else this.#settle(batch);
      failed = false;
      if (this.#pending.length === 0) return;
      batch = this.#takeBatch();
    }
  }

  /** Resolves the writes of an appended batch. */
  #settle(batch: PendingWrite[]): void {
    for (const w of batch) {
      w.entry.generation = this.#generation;
      w.resolve(w.result as never);
    }
  }

  /**
   * Rejects a failed batch and every write queued behind it (they were
   * computed on top of it), rolling the state back so memory matches the file.
   */
  async #fail(batch: PendingWrite[], error: unknown): Promise<void> {
    const failed = [...batch, ...this.#pending.splice(0)];
    const sinkError = isSinkError(error)
      ? error
      : await toSinkError(error, this.path, 'append to');
    for (let i = failed.length - 1; i >= 0; i--) {
      const w = failed[i]!;
      if (this.#state.get(w.key) !== w.entry) continue;
      if (w.previous === undefined) this.#state.delete(w.key);
      else this.#state.set(w.key, w.previous);
    }
    this.#stats.failedWrites += failed.length;
    for (const w of failed) w.reject(sinkError);
  }

  #takeBatch(): PendingWrite[] {
    const limit = Math.min(this.#maxBytes, maxBatchBytes);
    let bytes = 0;
    let n = 0;
    for (const w of this.#pending) {
      if (n > 0 && bytes + w.bytes > limit) break;
      bytes += w.bytes;
      n++;
    }
    return this.#pending.splice(0, n);
  }

  /** Appends a batch on the slow path: opening, rotating, async writes, fsync. */
  async #append(batch: PendingWrite[]): Promise<void> {
    if (this.#handle === undefined) {
      if (this.#closed)
        throw new ClosedError(`FileSink for "${this.path}" is closed`);
      await this.#openHandle();
    }
    if (this.#rotationDue(batch)) await this.#rotate();
    const handle = this.#handle!;
    if (this.#regular) this.#write(batch, handle);
    else await this.#writeAsync(batch, handle);
    if (this.#fsync === 'always') {
      await handle.datasync();
      this.#stats.fsyncs++;
    }
  }

  /**
   * Encodes a batch straight into one reused buffer (no joined string, no
   * per-batch allocation) and returns the bytes to write.
   */
  #encode(batch: PendingWrite[]): { buffer: Buffer; end: number } {
    let size = this.#needsNewline ? 1 : 0;
    for (const w of batch) size += w.bytes;
    if (this.#scratch.length < size && size <= maxBatchBytes)
      this.#scratch = Buffer.allocUnsafe(size);
    const buffer =
      this.#scratch.length >= size ? this.#scratch : Buffer.allocUnsafe(size);
    let end = 0;
    if (this.#needsNewline) buffer[end++] = 0x0a;
    for (const w of batch) {
      end += buffer.write(w.head, end, 'latin1');
      end += w.json.copy(buffer, end);
      buffer[end++] = 0x7d; // }
      buffer[end++] = 0x0a; // \n
    }
    return { buffer, end };
  }

  /**
   * Appends a batch to a regular file synchronously: a write to the page
   * cache takes microseconds, less than a thread-pool round trip.
   */
  #write(batch: PendingWrite[], handle: FileHandle): void {
    const { buffer, end } = this.#encode(batch);
    let written = 0;
    try {
      while (written < end)
        written += writeSync(handle.fd, buffer, written, end - written);
    } finally {
      this.#wrote(batch, written, end);
    }
  }

  /** Appends a batch to a pipe or device, which may block: asynchronously. */
  async #writeAsync(batch: PendingWrite[], handle: FileHandle): Promise<void> {
    const { buffer, end } = this.#encode(batch);
    let written = 0;
    try {
      while (written < end)
        written += (await handle.write(buffer, written, end - written))
          .bytesWritten;
    } finally {
      this.#wrote(batch, written, end);
    }
  }

  /** Accounts for an append that wrote `written` of `end` bytes. */
  #wrote(batch: PendingWrite[], written: number, end: number): void {
    this.#size += written;
    if (written < end) {
      // A partial line is on disk: start the next append on a new line.
      if (written > 0) this.#needsNewline = true;
      return;
    }
    this.#needsNewline = false;
    this.#stats.batches++;
    this.#stats.lines += batch.length;
    this.#stats.bytes += written;
    if (this.#fsync === 'interval' && this.#fsyncTimer === undefined) {
      this.#fsyncTimer = this.#clock.setTimer(() => {
        this.#fsyncTimer = undefined;
        this.#syncInBackground();
      }, this.#fsyncIntervalMs);
    }
  }

  #syncInBackground(): void {
    const handle = this.#handle;
    if (handle === undefined) return;
    handle.datasync().then(
      () => {
        this.#stats.fsyncs++;
      },
      (error: unknown) => {
        // A rotation or close may have closed this handle meanwhile; both sync.
        if (this.#handle === handle)
          this.#logger.warn('fsync of the event file failed', {
            file: this.path,
            error,
          });
      },
    );
  }

  async #rotate(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) {
      if (this.#fsync !== 'none')
        await handle.datasync().catch(() => undefined);
      await handle.close();
    }
    try {
      const keep = this.#maxFiles - 1;
      for (const { file, generation } of await logFiles(this.path)) {
        if (generation !== 0 && -generation >= keep)
          await rm(file, { force: true });
      }
      if (keep === 0) {
        await rm(this.path, { force: true });
      } else {
        for (let n = keep - 1; n >= 1; n--) {
          await rename(
            rotatedPath(this.path, n),
            rotatedPath(this.path, n + 1),
          ).catch((error: unknown) => {
            if (errorCode(error) !== 'ENOENT') throw error;
          });
        }
        await rename(this.path, rotatedPath(this.path, 1));
      }
    } catch (error) {
      throw await toSinkError(error, this.path, 'rotate');
    }
    this.#generation++;
    this.#stats.rotations++;
    const cutoff = this.#generation - this.#maxFiles;
    for (const [key, entry] of this.#state) {
      if (entry.generation <= cutoff) this.#state.delete(key);
    }
    this.#logger.debug('rotated the event file', {
      file: this.path,
      keep: this.#maxFiles,
    });
    await this.#openHandle();
  }
}
