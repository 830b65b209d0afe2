import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FakeClock,
  InvalidOptionError,
  type Event,
} from '@event-recorder/core';
import { FileSink, readEvents } from '@event-recorder/sink-file';
import { MemorySink } from '@event-recorder/sink-memory';
import {
  isRestorableSink,
  resumeDeduplication,
} from './resumeDeduplication.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resume-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const t0 = new Date('2026-07-24T10:00:00Z');

function occurrence(name: string, message: string, at: Date, count = 1): Event {
  return {
    metadata: { name, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
      uid: 'u-1',
    },
    source: { component: 'kubelet', host: 'node-1' },
    type: 'Warning',
    reason: 'BackOff',
    message,
    firstTimestamp: at,
    lastTimestamp: at,
    count,
  };
}

async function stored(path: string): Promise<Event[]> {
  const out: Event[] = [];
  for await (const e of readEvents(path)) out.push(e);
  return out;
}

describe('resumeDeduplication', () => {
  it('turns the first create of an event stored by an earlier process into a count patch', async () => {
    const path = join(dir, 'e.jsonl');
    const before = new FileSink({ path });
    await before.create(occurrence('web-1.a', 'crashed', t0, 4));
    await before.close();

    const sink = resumeDeduplication(new FileSink({ path }), {
      clock: new FakeClock(t0),
    });
    const later = new Date('2026-07-24T10:05:00Z');
    const reply = await sink.create(occurrence('web-1.b', 'crashed', later));
    expect(reply.metadata.name).toBe('web-1.a');
    expect(reply.count).toBe(5);
    expect(reply.lastTimestamp).toEqual(later);
    expect(reply.firstTimestamp).toEqual(t0);

    // Once matched, the broadcaster's correlator knows it: a later create is a
    // create (client-go would patch; a create here means the correlator forgot).
    const again = await sink.create(occurrence('web-1.c', 'crashed', later));
    expect(again.metadata.name).toBe('web-1.c');
    // A different message is a different event.
    const other = await sink.create(occurrence('web-1.d', 'other', later));
    expect(other.metadata.name).toBe('web-1.d');
    await sink.close?.();
    expect((await stored(path)).map((e) => [e.metadata.name, e.count])).toEqual(
      [
        ['web-1.a', 5],
        ['web-1.c', 1],
        ['web-1.d', 1],
      ],
    );
  });

  it('leaves events with a count above 1 and other methods alone', async () => {
    const path = join(dir, 'e.jsonl');
    const before = new FileSink({ path });
    await before.create(occurrence('web-1.a', 'crashed', t0, 4));
    await before.close();
    const sink = resumeDeduplication(new FileSink({ path }));
    const reply = await sink.create(occurrence('web-1.z', 'crashed', t0, 7));
    expect(reply.metadata.name).toBe('web-1.z');
    const patched = await sink.patch(
      occurrence('web-1.a', 'crashed', t0),
      '{"count":9}',
    );
    expect(patched.count).toBe(9);
    await sink.close?.();
  });

  it('creates as usual when the stored event is gone by the time it repeats', async () => {
    const path = join(dir, 'e.jsonl');
    const before = new FileSink({ path });
    await before.create(occurrence('web-1.a', 'crashed', t0, 2));
    await before.close();
    const inner = new FileSink({ path, maxBytes: 400, maxFiles: 1 });
    const sink = resumeDeduplication(inner);
    // Restore first, then let rotation drop the stored event.
    await inner.restoredEvents();
    await inner.create(occurrence('web-1.big', 'x'.repeat(300), t0));
    const reply = await sink.create(occurrence('web-1.b', 'crashed', t0));
    expect(reply.metadata.name).toBe('web-1.b');
    expect(reply.count).toBe(1);
    await sink.close?.();
  });

  it('accepts only sinks that can report what they restored', () => {
    expect(isRestorableSink(new FileSink({ path: join(dir, 'e.jsonl') }))).toBe(
      true,
    );
    expect(isRestorableSink(new MemorySink())).toBe(false);
    expect(() => resumeDeduplication(new MemorySink() as never)).toThrow(
      InvalidOptionError,
    );
  });
});
