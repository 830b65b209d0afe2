import Table from 'cli-table3';
import pc from 'picocolors';
import { Scalar, stringify as toYaml } from 'yaml';
import type { Event } from '@event-recorder/core';
import { toWireEvent } from '@event-recorder/sink-file';

/** What the CLI writes to, so tests and the process share one code path. */
export interface Terminal {
  /** Standard output. */
  out: (text: string) => void;
  /** Standard error. */
  err: (text: string) => void;
  /** Whether standard output is a terminal. */
  outIsTTY: boolean;
  /** Whether standard error is a terminal. */
  errIsTTY: boolean;
  /** The environment (`NO_COLOR`, `FORCE_COLOR`, `TERM`). */
  env: Record<string, string | undefined>;
}

/** The colour functions the CLI uses; all identity when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether to colour a stream: never with `NO_COLOR` set (https://no-color.org)
 * or `--no-color`, never when the stream is not a terminal or `TERM=dumb`,
 * unless `FORCE_COLOR` asks for it.
 */
export function colorsFor(
  isTTY: boolean,
  env: Record<string, string | undefined>,
  flag: boolean,
): Colors {
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const enabled = flag && !noColor && (force || (isTTY && env.TERM !== 'dumb'));
  return pc.createColors(enabled);
}

// C0 and C1 controls, DEL, and the invisible or reordering format characters
// (zero-width, line/paragraph separators, bidi embeddings and isolates, BOM)
// that let a message rewrite or hide what a terminal shows.
const unsafe =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

// What JSON and YAML writers leave raw: everything above but C0, which they
// escape inside strings (and use, as newlines, between them).
const leftRaw = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const named: Record<string, string> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Makes untrusted text (an event's message, reason, names) safe for a
 * terminal: control and invisible formatting characters become visible
 * escapes such as `\n`, `\x1b` or `\u202e`.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(unsafe, (ch) => {
    const n = named[ch];
    if (n !== undefined) return n;
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Escapes, inside JSON text, the characters `JSON.stringify` leaves raw but
 * a terminal would act on (C1 controls, DEL, bidi and zero-width marks). The
 * result is still valid JSON with the same value.
 */
export function escapeJsonForTerminal(json: string): string {
  return json.replace(
    leftRaw,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * kubectl's short age (`HumanDuration`): `45s`, `3m12s`, `2h5m`, `4d`, `2y3d`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (years < 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** When the event was last seen: series, then lastTimestamp, then eventTime. */
export function lastSeen(event: Event): Date | undefined {
  return (
    event.series?.lastObservedTime ??
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp
  );
}

/** When the event was first seen. */
export function firstSeen(event: Event): Date | undefined {
  return (
    event.firstTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp
  );
}

/** How many times the event occurred. */
export function occurrences(event: Event): number {
  return event.series?.count ?? event.count ?? 1;
}

/** kubectl's OBJECT column: `pod/web-1`. */
export function objectOf(event: Event): string {
  const ref = event.involvedObject;
  return `${(ref?.kind ?? '').toLowerCase()}/${ref?.name ?? ''}`;
}

function sourceOf(event: Event): string {
  const component = event.source?.component || event.reportingComponent || '';
  const host = event.source?.host || event.reportingInstance || '';
  return host === '' ? component : `${component}, ${host}`;
}

/** Sorts events as `kubectl events` does: the most recently seen last. */
export function sortByLastSeen(events: Event[]): Event[] {
  return [...events].sort(
    (a, b) => (lastSeen(a)?.getTime() ?? 0) - (lastSeen(b)?.getTime() ?? 0),
  );
}

/** The output formats of `get events`. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

/** The columns and cells of the event table. */
export interface TableLayout {
  head: string[];
  rows: string[][];
}

/** Builds the table of events with kubectl's columns, plus COUNT. */
export function eventTable(
  events: Event[],
  options: {
    now: Date;
    wide: boolean;
    namespaces: boolean;
    colors: Colors;
  },
): TableLayout {
  const { now, wide, namespaces, colors } = options;
  const head = [
    ...(namespaces ? ['NAMESPACE'] : []),
    'LAST SEEN',
    'TYPE',
    'REASON',
    'OBJECT',
    ...(wide ? ['SUBOBJECT', 'SOURCE'] : []),
    'COUNT',
    'MESSAGE',
    ...(wide ? ['FIRST SEEN', 'NAME'] : []),
  ];
  const age = (d: Date | undefined): string =>
    d === undefined ? '<unknown>' : humanDuration(now.getTime() - d.getTime());
  const rows = events.map((e) => {
    const type = escapeForTerminal(e.type ?? '');
    const cells = [
      ...(namespaces ? [e.metadata.namespace ?? ''] : []),
      age(lastSeen(e)),
      e.type === 'Warning' ? colors.yellow(type) : type,
      e.reason ?? '',
      objectOf(e),
      ...(wide ? [e.involvedObject?.fieldPath ?? '', sourceOf(e)] : []),
      String(occurrences(e)),
      e.message ?? '',
      ...(wide ? [age(firstSeen(e)), e.metadata.name ?? ''] : []),
    ];
    return cells.map((c, i) =>
      i === head.indexOf('TYPE') ? c : escapeForTerminal(c),
    );
  });
  return { head, rows };
}

const borderless = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '   ',
};

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

/** The display width of a cell, without colour codes. */
function width(text: string): number {
  return text.replace(ansi, '').length;
}

/** Column widths that fit the head and every row. */
export function columnWidths(layout: TableLayout): number[] {
  return layout.head.map((h, i) =>
    Math.max(width(h), ...layout.rows.map((r) => width(r[i] ?? ''))),
  );
}

/**
 * Renders rows kubectl-style (no borders, three spaces between columns, no
 * trailing spaces). With `withHead: false` it renders only rows, aligned to
 * `widths`, as `--watch` prints them.
 */
export function renderTable(
  layout: TableLayout,
  options: { widths?: number[]; withHead?: boolean } = {},
): string {
  const withHead = options.withHead ?? true;
  const fit = columnWidths(layout);
  const widths = layout.head.map((_, i) =>
    Math.max(fit[i] ?? 0, options.widths?.[i] ?? 0),
  );
  const table = new Table({
    ...(withHead ? { head: layout.head } : {}),
    chars: borderless,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    // The last column is left free so a long message is never cut.
    colWidths: widths.map((w, i) => (i === widths.length - 1 ? null : w)),
    wordWrap: false,
  });
  table.push(...layout.rows);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

/** The JSON of a list of events, as `kubectl get events -o json`. */
export function eventListJson(events: Event[]): string {
  return escapeJsonForTerminal(
    JSON.stringify(
      {
        apiVersion: 'v1',
        items: events.map((e) => ({
          apiVersion: 'v1',
          kind: 'Event',
          ...toWireEvent(e),
        })),
        kind: 'List',
        metadata: { resourceVersion: '' },
      },
      undefined,
      4,
    ),
  );
}

/** The JSON of one event, for `--watch -o json`. */
export function eventJson(event: Event): string {
  return escapeJsonForTerminal(
    JSON.stringify(
      { apiVersion: 'v1', kind: 'Event', ...toWireEvent(event) },
      undefined,
      4,
    ),
  );
}

function quoteUnsafe(value: unknown): unknown {
  if (typeof value === 'string') {
    unsafe.lastIndex = 0;
    if (!unsafe.test(value)) return value;
    const scalar = new Scalar(value);
    scalar.type = 'QUOTE_DOUBLE';
    return scalar;
  }
  if (Array.isArray(value)) return value.map(quoteUnsafe);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, quoteUnsafe(v)]),
    );
  return value;
}

/**
 * The YAML of a value, safe for a terminal: a string holding a control or
 * invisible formatting character is written double-quoted, where such a
 * character is written as an escape.
 */
export function toSafeYaml(value: unknown): string {
  const text = toYaml(quoteUnsafe(value), { lineWidth: 0 });
  // What the writer left raw (bidi and zero-width marks count as printable in
  // YAML) now sits only inside double quotes, where `\uXXXX` means the same.
  return escapeJsonForTerminal(text);
}

/** The YAML of a list of events, as `kubectl get events -o yaml`. */
export function eventListYaml(events: Event[]): string {
  return toSafeYaml({
    apiVersion: 'v1',
    items: events.map((e) => ({
      apiVersion: 'v1',
      kind: 'Event',
      ...toWireEvent(e),
    })),
    kind: 'List',
    metadata: { resourceVersion: '' },
  });
}

/** The YAML of one event, for `--watch -o yaml`. */
export function eventYaml(event: Event): string {
  return toSafeYaml({ apiVersion: 'v1', kind: 'Event', ...toWireEvent(event) });
}
