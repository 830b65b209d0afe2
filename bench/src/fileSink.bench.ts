/**
 * File sink throughput: how many `create` writes per second `FileSink`
 * appends, with `fsync: 'none'` and `'interval'`, against raw
 * `fs.promises.appendFile` of the same lines measured in the same run.
 *
 *   npm run bench -- fileSink          (from the repository root or bench/)
 *
 * Cases, each writing WRITES distinct core/v1 events (about 480 bytes a line)
 * into a fresh file in a temp dir; the median of ROUNDS runs is reported:
 * - baseline, appendFile per line: `await appendFile(path, line)` for each
 *   line, one after the other (what a naive JSON Lines logger does);
 * - baseline, one appendFile: all lines joined into one `appendFile` (the
 *   ceiling: no per-write work at all);
 * - FileSink sequential: `await sink.create(e)` one after the other, as one
 *   broadcaster sink worker writes;
 * - FileSink concurrent: 1000 writers, each awaiting its own creates, as
 *   bursts from many recorders (writes batch while an append is in flight).
 * Every FileSink write does everything it does in production: validation,
 * the in-memory state, uid/resourceVersion, the line, the append.
 * Target: at least 100,000 writes/s with `fsync: 'interval'`.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event } from '@event-recorder/core';
import {
  FileSink,
  toWireEvent,
  type FsyncMode,
} from '@event-recorder/sink-file';

const WRITES = 20_000;
const ROUNDS = 5;
const CONCURRENCY = 1000;

function makeEvents(n: number): Event[] {
  const at = new Date(Date.UTC(2026, 6, 24, 10, 0, 0));
  return Array.from({ length: n }, (_, i) => ({
    metadata: {
      name: `web-${i % 100}.18c53173af0a${i.toString(16).padStart(4, '0')}`,
      namespace: 'shop',
    },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: `web-${i % 100}`,
      namespace: 'shop',
      uid: '3f1e0a4c-2b9d-4c1e-9a51-7d2f4f0c6b11',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container web in pod web_shop',
    type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  }));
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function measure(
  dir: string,
  label: string,
  body: (path: string) => Promise<void>,
): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const path = join(dir, `${label.replace(/\W+/g, '-')}-${r}.jsonl`);
    const t0 = process.hrtime.bigint();
    await body(path);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await rm(path, { force: true });
    if (r > 0) rates.push(WRITES / seconds); // the first round warms up
  }
  return median(rates);
}

async function sequential(
  path: string,
  fsync: FsyncMode,
  events: Event[],
): Promise<void> {
  const sink = new FileSink({ path, fsync, maxBytes: 1 << 30 });
  for (const e of events) await sink.create(e);
  await sink.close();
}

async function concurrent(
  path: string,
  fsync: FsyncMode,
  events: Event[],
): Promise<void> {
  const sink = new FileSink({ path, fsync, maxBytes: 1 << 30 });
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < events.length) await sink.create(events[next++] as Event);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, writer));
  await sink.close();
}

export default async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-file-sink-'));
  try {
    const events = makeEvents(WRITES);
    const at = '2026-07-24T10:00:00.000000Z';
    const lines = events.map(
      (e) => `${JSON.stringify({ op: 'create', at, event: toWireEvent(e) })}\n`,
    );
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);

    const perLine = await measure(dir, 'appendFile per line', async (path) => {
      for (const line of lines) await appendFile(path, line);
    });
    const bulk = await measure(dir, 'one appendFile', async (path) => {
      await appendFile(path, lines.join(''));
    });
    const rows: Array<[string, number]> = [
      ['baseline: appendFile per line (sequential)', perLine],
      ['baseline: one appendFile of all lines', bulk],
    ];
    for (const fsync of ['none', 'interval'] as const) {
      rows.push([
        `FileSink fsync '${fsync}', sequential`,
        await measure(dir, `seq-${fsync}`, (path) =>
          sequential(path, fsync, events),
        ),
      ]);
      rows.push([
        `FileSink fsync '${fsync}', ${CONCURRENCY} concurrent writers`,
        await measure(dir, `conc-${fsync}`, (path) =>
          concurrent(path, fsync, events),
        ),
      ]);
    }

    process.stdout.write(
      `${WRITES} writes of ${Math.round(bytes / WRITES)}-byte lines, median of ${ROUNDS} rounds\n\n`,
    );
    process.stdout.write(
      '| case | writes/s | vs appendFile per line | vs one appendFile |\n',
    );
    process.stdout.write('| --- | ---: | ---: | ---: |\n');
    for (const [label, rate] of rows) {
      process.stdout.write(
        `| ${label} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / perLine).toFixed(2)}× | ${(rate / bulk).toFixed(3)}× |\n`,
      );
    }
    const best = Math.max(
      ...rows.filter(([l]) => l.includes("'interval'")).map(([, r]) => r),
    );
    process.stdout.write(
      `\ntarget ≥ 100,000 writes/s with fsync 'interval': ${best >= 100_000 ? 'met' : 'NOT met'} (best ${Math.round(best).toLocaleString('en-US')})\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
