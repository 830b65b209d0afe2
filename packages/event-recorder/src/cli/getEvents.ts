import { stat } from 'node:fs/promises';
import {
  eventsV1ToCoreV1,
  isEventsV1Event,
  type Event,
  type EventsV1Event,
} from '@event-recorder/core';
import { followRecords, readEvents } from '@event-recorder/sink-file';
import { CliError, UsageError } from './errors.js';
import {
  columnWidths,
  eventJson,
  eventListJson,
  eventListYaml,
  eventTable,
  eventYaml,
  renderTable,
  sortByLastSeen,
  type Colors,
  type OutputFormat,
  type Terminal,
} from './render.js';

/** Options of `event-recorder get events`. */
export interface GetEventsOptions {
  file: string;
  namespace: string | undefined;
  forObject: string | undefined;
  types: string | undefined;
  output: OutputFormat;
  watch: boolean;
  colors: Colors;
  signal: AbortSignal | undefined;
  /** The time ages are computed from. @defaultValue now */
  now?: () => Date;
}

/** Parses `--for kind/name` into a filter. */
export function parseFor(
  value: string | undefined,
): { kind: string; name: string } | undefined {
  if (value === undefined) return undefined;
  const slash = value.indexOf('/');
  if (
    slash <= 0 ||
    slash === value.length - 1 ||
    value.includes('/', slash + 1)
  )
    throw new UsageError(
      `--for must be kind/name, such as pod/web-1; got "${value}"`,
    );
  return {
    kind: value.slice(0, slash).toLowerCase(),
    name: value.slice(slash + 1),
  };
}

/** Parses `--types Warning,Normal` (case-insensitive). */
export function parseTypes(value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const out = new Set<string>();
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase();
    if (t === 'normal') out.add('Normal');
    else if (t === 'warning') out.add('Warning');
    else
      throw new UsageError(
        `--types takes Normal and Warning, comma-separated; got "${raw.trim()}"`,
      );
  }
  return out;
}

function kindMatches(kind: string | undefined, wanted: string): boolean {
  const k = (kind ?? '').toLowerCase();
  // kubectl accepts the singular, the plural and the kind itself.
  return k === wanted || `${k}s` === wanted || `${k}es` === wanted;
}

/** Builds the predicate of the filters. */
export function eventFilter(options: {
  namespace: string | undefined;
  forObject: string | undefined;
  types: string | undefined;
}): (event: Event) => boolean {
  const forObject = parseFor(options.forObject);
  const types = parseTypes(options.types);
  return (e) =>
    (options.namespace === undefined ||
      (e.metadata.namespace ?? '') === options.namespace) &&
    (forObject === undefined ||
      (kindMatches(e.involvedObject?.kind, forObject.kind) &&
        e.involvedObject?.name === forObject.name)) &&
    (types === undefined || types.has(e.type ?? ''));
}

/** The core/v1 view of a stored event, whichever API wrote it. */
function coreView(event: Event | EventsV1Event): Event {
  return isEventsV1Event(event) ? eventsV1ToCoreV1(event) : event;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new CliError(
        `"${path}" is a directory; give the events file, such as ${path}/events.jsonl`,
      );
    return info.size;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * `event-recorder get events`: lists the latest state of each event, filtered,
 * sorted by last seen, as a kubectl table (with COUNT), JSON or YAML; with
 * `watch`, then follows the file.
 */
export async function runGetEvents(
  options: GetEventsOptions,
  term: Terminal,
): Promise<number> {
  const matches = eventFilter(options);
  const now = options.now ?? (() => new Date());
  const wide = options.output === 'wide';
  const namespaces = options.namespace === undefined;
  // Taken before reading, so that following starts where the listing began:
  // a line written in between is shown twice rather than never.
  const offset = await fileSize(options.file);
  if (offset === undefined && !options.watch)
    throw new CliError(
      `no events file at "${options.file}" (write one with: event-recorder demo --file ${options.file})`,
    );

  const events: Event[] = [];
  if (offset !== undefined) {
    for await (const stored of readEvents<Event | EventsV1Event>(
      options.file,
    )) {
      const e = coreView(stored);
      if (matches(e)) events.push(e);
    }
  }
  const sorted = sortByLastSeen(events);
  let widths: number[] | undefined;
  switch (options.output) {
    case 'json':
      if (!options.watch) term.out(eventListJson(sorted) + '\n');
      else for (const e of sorted) term.out(eventJson(e) + '\n');
      break;
    case 'yaml':
      if (!options.watch) term.out(eventListYaml(sorted));
      else for (const e of sorted) term.out('---\n' + eventYaml(e));
      break;
    case 'table':
    case 'wide': {
      const layout = eventTable(sorted, {
        now: now(),
        wide,
        namespaces,
        colors: options.colors,
      });
      widths = columnWidths(layout);
      if (sorted.length === 0 && !options.watch) {
        term.err(
          options.namespace === undefined
            ? 'No events found.\n'
            : `No events found in ${options.namespace} namespace.\n`,
        );
      } else term.out(renderTable(layout) + '\n');
      break;
    }
  }
  if (!options.watch) return 0;

  for await (const record of followRecords<Event | EventsV1Event>(
    options.file,
    { from: offset ?? 'start', signal: options.signal },
  )) {
    const e = coreView(record.event);
    if (!matches(e)) continue;
    switch (options.output) {
      case 'json':
        term.out(eventJson(e) + '\n');
        break;
      case 'yaml':
        term.out('---\n' + eventYaml(e));
        break;
      case 'table':
      case 'wide':
        term.out(
          renderTable(
            eventTable([e], {
              now: now(),
              wide,
              namespaces,
              colors: options.colors,
            }),
            { widths, withHead: false },
          ) + '\n',
        );
        break;
    }
  }
  return 0;
}
