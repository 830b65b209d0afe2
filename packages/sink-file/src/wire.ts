import {
  copyRecord,
  formatMicroTime,
  formatTime,
  parseTime,
  type Event,
  type EventsV1Event,
  type Logger,
} from '@event-recorder/core';

/** The write operation a line of the file records. */
export type FileOp = 'create' | 'update' | 'patch';

const ops: ReadonlySet<string> = new Set<FileOp>(['create', 'update', 'patch']);

/**
 * One line of an event file: the operation, when the sink wrote it, and the
 * full state of the event after the operation.
 *
 * @typeParam TEvent - the event shape, core/v1 {@link Event} by default.
 */
export interface FileRecord<TEvent = Event> {
  /** The sink method that wrote the line. */
  op: FileOp;
  /** When the sink wrote the line, by its clock. */
  at: Date;
  /** The event as stored after the operation, timestamps revived as `Date`s. */
  event: TEvent;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Fields with seconds precision on the wire (metav1.Time) and with microseconds
// (metav1.MicroTime), for both event shapes.
const secondsFields = [
  'firstTimestamp',
  'lastTimestamp',
  'deprecatedFirstTimestamp',
  'deprecatedLastTimestamp',
] as const;

// A few times repeat from one write to the next (first, last and creation
// timestamps, the current millisecond): remember recent ones per format.
const formattedSeconds = new Map<number, string>();
const formattedMicro = new Map<number, string>();

function cached(
  cache: Map<number, string>,
  ms: number,
  format: () => string,
): string {
  let text = cache.get(ms);
  if (text === undefined) {
    if (cache.size >= 64) cache.clear();
    text = format();
    cache.set(ms, text);
  }
  return text;
}

/** Formats a time for the wire, remembering the last result of each format. */
export function wireTime(value: Date, micro: boolean): string {
  return timeOut(value, micro) as string;
}

function timeOut(value: unknown, micro: boolean): unknown {
  if (!(value instanceof Date)) return value;
  const ms = value.getTime();
  if (Number.isNaN(ms)) return undefined;
  return micro
    ? cached(formattedMicro, ms, () => formatMicroTime(value))
    : cached(formattedSeconds, ms, () => formatTime(value));
}

// The sink's own output has exactly these two shapes; `new Date` parses them
// several times faster than the general RFC 3339 parser.
const secondsShape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const microShape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

// The same few strings repeat (first, last and creation timestamps): remember
// the recent ones.
const parsed = new Map<string, number>();

function timeIn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const known = parsed.get(value);
  if (known !== undefined) return new Date(known);
  let date: Date | undefined;
  if (value.length === 20 && secondsShape.test(value)) date = new Date(value);
  else if (value.length === 27 && microShape.test(value))
    date = new Date(`${value.slice(0, 23)}Z`);
  else date = parseTime(value);
  if (date === undefined) return value;
  if (parsed.size >= 64) parsed.clear();
  parsed.set(value, date.getTime());
  return date;
}

/**
 * Converts an event to its JSON wire form: a fresh object whose timestamps are
 * RFC 3339 strings (`eventTime` and `series.lastObservedTime` as MicroTime, the
 * rest with seconds), as the API server stores them. The input is not touched.
 */
export function toWire(event: Event | EventsV1Event): Json {
  const out: Json = { ...(event as unknown as Json) };
  out.metadata = isRecord(out.metadata) ? copyRecord(out.metadata) : {};
  const meta = out.metadata as Json;
  if (meta.creationTimestamp !== undefined)
    meta.creationTimestamp = timeOut(meta.creationTimestamp, false);
  for (const f of secondsFields) {
    if (out[f] !== undefined) out[f] = timeOut(out[f], false);
  }
  if (out.eventTime !== undefined) out.eventTime = timeOut(out.eventTime, true);
  if (isRecord(out.series)) {
    const series = copyRecord(out.series);
    series.lastObservedTime = timeOut(series.lastObservedTime, true);
    out.series = series;
  }
  return out;
}

/**
 * The JSON an API server would return for an event: timestamps as RFC 3339
 * strings (`eventTime` and `series.lastObservedTime` with microseconds, the
 * others with seconds). Use it to print events as `kubectl get -o json` does;
 * `JSON.stringify` alone would write `Date`s with milliseconds.
 */
export function toWireEvent(
  event: Event | EventsV1Event,
): Record<string, unknown> {
  return toWire(event);
}

/**
 * Turns a wire-form object back into an event, in place: RFC 3339 strings in
 * the timestamp fields become `Date`s.
 */
export function fromWire<TEvent>(wire: Json): TEvent {
  if (isRecord(wire.metadata) && wire.metadata.creationTimestamp !== undefined)
    wire.metadata.creationTimestamp = timeIn(wire.metadata.creationTimestamp);
  for (const f of secondsFields) {
    if (wire[f] !== undefined) wire[f] = timeIn(wire[f]);
  }
  if (wire.eventTime !== undefined) wire.eventTime = timeIn(wire.eventTime);
  if (isRecord(wire.series) && wire.series.lastObservedTime !== undefined)
    wire.series.lastObservedTime = timeIn(wire.series.lastObservedTime);
  return wire as TEvent;
}

// Instants whose wire form reads back as a Date (years 1970 to 9999).
const maxWireMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * What {@link fromWire} makes of the wire form of `source`: a fresh `Date`
 * truncated to the wire's precision, when `source` is a `Date` whose wire
 * form reads back as one; otherwise `wire` revived the general way.
 */
function reviveTime(source: unknown, wire: unknown, micro: boolean): unknown {
  if (source instanceof Date) {
    const ms = source.getTime();
    if (ms >= 0 && ms <= maxWireMs)
      return new Date(micro ? ms : ms - (ms % 1000));
  }
  return timeIn(wire);
}

/**
 * {@link fromWire} for a wire object that {@link toWire} made from `event`:
 * the same result, in place, but each timestamp comes from the `Date` it was
 * written from rather than from parsing its text. `creation` is the `Date`
 * the wire's `metadata.creationTimestamp` was written from, if any.
 */
export function reviveFrom<TEvent>(
  wire: Json,
  event: Event | EventsV1Event,
  creation: unknown,
): TEvent {
  const source = event as unknown as Json;
  if (isRecord(wire.metadata) && wire.metadata.creationTimestamp !== undefined)
    wire.metadata.creationTimestamp = reviveTime(
      creation,
      wire.metadata.creationTimestamp,
      false,
    );
  for (const f of secondsFields) {
    if (wire[f] !== undefined) wire[f] = reviveTime(source[f], wire[f], false);
  }
  if (wire.eventTime !== undefined)
    wire.eventTime = reviveTime(source.eventTime, wire.eventTime, true);
  if (isRecord(wire.series) && wire.series.lastObservedTime !== undefined)
    wire.series.lastObservedTime = reviveTime(
      isRecord(source.series) ? source.series.lastObservedTime : undefined,
      wire.series.lastObservedTime,
      true,
    );
  return wire as TEvent;
}

/** The key an event is stored under: namespace and name, as on the server. */
export function keyOf(metadata: {
  name?: unknown;
  namespace?: unknown;
}): string {
  return `${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/${String(metadata.name)}`;
}

/**
 * Applies a strategic-merge patch to a JSON document, as the API server does
 * for an Event (which has no merge-keyed lists): maps merge recursively, `null`
 * deletes a key, anything else replaces. `$patch: replace` and `$patch: delete`
 * on a map are honoured; other `$` directives are ignored.
 *
 * @returns the patched document; `undefined` when the patch deletes it.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  if (patch.$patch === 'delete') return undefined;
  const replace = patch.$patch === 'replace';
  const base: Json = !replace && isRecord(target) ? copyRecord(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$') || key === '__proto__') continue;
    if (value === null) {
      delete base[key];
      continue;
    }
    const merged = applyMergePatch(replace ? undefined : base[key], value);
    if (merged === undefined) delete base[key];
    else base[key] = merged;
  }
  return base;
}

/** How a line failed to parse, for the warning. */
export type LineProblem = 'json' | 'shape';

/** A parsed line: the record with its event still in wire form. */
export interface WireRecord {
  op: FileOp;
  at: string;
  event: Json;
}

/**
 * Parses one line of an event file. Returns the problem instead of throwing,
 * so a torn or corrupt line can be skipped with a warning.
 */
export function parseLine(line: string): WireRecord | LineProblem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'json';
  }
  if (
    !isRecord(value) ||
    typeof value.op !== 'string' ||
    !ops.has(value.op) ||
    !isRecord(value.event) ||
    !isRecord(value.event.metadata) ||
    typeof value.event.metadata.name !== 'string'
  )
    return 'shape';
  return {
    op: value.op as FileOp,
    at: typeof value.at === 'string' ? value.at : '',
    event: value.event,
  };
}

/** Turns a parsed line into a {@link FileRecord}. */
export function toFileRecord<TEvent>(record: WireRecord): FileRecord<TEvent> {
  return {
    op: record.op,
    at: parseTime(record.at) ?? new Date(Number.NaN),
    event: fromWire<TEvent>(record.event),
  };
}

/**
 * Splits text into complete lines, keeping the unterminated rest. Feed it
 * chunks; call {@link LineSplitter.end} for the final fragment.
 */
export class LineSplitter {
  #rest = '';

  /** Adds a chunk and returns the complete lines it finished. */
  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines;
  }

  /** The unterminated text after the last newline. */
  get rest(): string {
    return this.#rest;
  }

  /** Returns the unterminated rest and forgets it. */
  end(): string {
    const rest = this.#rest;
    this.#rest = '';
    return rest;
  }
}

/**
 * Handles one complete line from a file: parses it, warns about a bad one and
 * returns `undefined` for it. `last` marks an unterminated final line, which a
 * crash in the middle of an append leaves behind.
 */
export function readLine(
  line: string,
  where: { file: string; line: number; last: boolean },
  logger: Logger,
): WireRecord | undefined {
  if (line.trim() === '') return undefined;
  const parsed = parseLine(line);
  if (typeof parsed !== 'string') return parsed;
  if (where.last) {
    logger.warn('skipping a torn last line (an append was cut short)', {
      file: where.file,
      line: where.line,
      bytes: Buffer.byteLength(line),
    });
  } else {
    logger.warn(
      parsed === 'json'
        ? 'skipping a line that is not valid JSON'
        : 'skipping a line that is not an event record',
      { file: where.file, line: where.line },
    );
  }
  return undefined;
}
