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
 * Besides writes per second of wall-clock time, each case reports writes per
 * CPU-second of this process (user + system, all threads: GC and the libuv
 * pool included), which other load on a shared machine disturbs far less.
 * The sequential case is what one broadcaster does: its sink worker keeps
 * one write in flight, so each write is its own append system call.
 * Target: at least 100,000 writes/s with `fsync: 'interval'`.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
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

interface Case {
  label: string;
  body: (path: string) => Promise<void>;
}

/**
 * Runs every case once per round, round after round, so that a slow spell on
 * a shared machine hits all cases alike; returns each case's median rate.
 */
async function measureAll(
  dir: string,
  cases: Case[],
): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[][] = cases.map(() => []);
  const cpu: number[][] = cases.map(() => []);
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const [i, c] of cases.entries()) {
      const path = join(dir, `case-${i}-${r}.jsonl`);
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await c.body(path);
      const used = process.cpuUsage(c0);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      await rm(path, { force: true });
      if (r === 0) continue; // round 0 warms up
      wall[i]!.push(WRITES / seconds);
      cpu[i]!.push(WRITES / ((used.user + used.system) / 1e6));
    }
  }
  return { wall: wall.map(median), cpu: cpu.map(median) };
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

    const cases: Case[] = [
      {
        label: 'baseline: appendFile per line (sequential)',
        body: async (path) => {
          for (const line of lines) await appendFile(path, line);
        },
      },
      {
        label: 'baseline: one appendFile of all lines',
        body: (path) => appendFile(path, lines.join('')),
      },
    ];
    for (const fsync of ['none', 'interval'] as const) {
      cases.push({
        label: `FileSink fsync '${fsync}', sequential`,
        body: (path) => sequential(path, fsync, events),
      });
      cases.push({
        label: `FileSink fsync '${fsync}', ${CONCURRENCY} concurrent writers`,
        body: (path) => concurrent(path, fsync, events),
      });
    }
    const load = loadavg()[0]!.toFixed(1);
    const { wall, cpu } = await measureAll(dir, cases);
    const perLine = wall[0]!;
    const bulk = wall[1]!;
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

    process.stdout.write(
      `${WRITES} writes of ${Math.round(bytes / WRITES)}-byte lines, median of ${ROUNDS} rounds; ${cpus().length} CPUs, load average ${load} at the start\n\n`,
    );
    process.stdout.write(
      '| case | writes/s | vs appendFile per line | vs one appendFile | writes per CPU-second |\n',
    );
    process.stdout.write('| --- | ---: | ---: | ---: | ---: |\n');
    for (const [i, c] of cases.entries()) {
      const rate = wall[i]!;
      process.stdout.write(
        `| ${c.label} | ${fmt(rate)} | ${(rate / perLine).toFixed(2)}× | ${(rate / bulk).toFixed(3)}× | ${fmt(cpu[i]!)} |\n`,
      );
    }
    const interval = cases.flatMap((c, i) =>
      c.label.includes("'interval'") ? [i] : [],
    );
    const best = Math.max(...interval.map((i) => wall[i]!));
    const bestCpu = Math.max(...interval.map((i) => cpu[i]!));
    process.stdout.write(
      `\ntarget ≥ 100,000 writes/s with fsync 'interval': ${best >= 100_000 ? 'met' : 'NOT met'} (best ${fmt(best)} writes/s; ${fmt(bestCpu)} per CPU-second of this process)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
