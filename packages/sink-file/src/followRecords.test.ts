import { appendFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, type Event } from '@event-recorder/core';
import { FileSink } from './fileSink.js';
import { followRecords } from './followRecords.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sink-file-follow-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeEvent(name: string): Event {
  const at = new Date('2026-07-24T10:00:00Z');
  return {
    metadata: { name, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
    },
    reason: 'Started',
    message: `started ${name}`,
    type: 'Normal',
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

describe('followRecords', () => {
  it('yields each line as it is appended, until aborted', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.old'));
    const stop = new AbortController();
    const follow = followRecords(path, {
      signal: stop.signal,
      pollIntervalMs: 5,
      from: (await stat(path)).size,
    });
    const first = follow.next();
    await sink.create(makeEvent('web-1.new'));
    const created = await first;
    expect(created.value).toMatchObject({
      op: 'create',
      event: { metadata: { name: 'web-1.new' } },
    });
    const second = follow.next();
    await sink.patch(makeEvent('web-1.new'), '{"count":2}');
    expect((await second).value).toMatchObject({
      op: 'patch',
      event: { count: 2 },
    });
    stop.abort();
    expect((await follow.next()).done).toBe(true);
    await sink.close();
  });

  it('starts at a byte offset, so a reader can list and then follow without a gap', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.a'));
    const offset = (await stat(path)).size;
    await sink.create(makeEvent('web-1.b'));
    const follow = followRecords(path, { from: offset, pollIntervalMs: 5 });
    expect((await follow.next()).value).toMatchObject({
      event: { metadata: { name: 'web-1.b' } },
    });
    await follow.return(undefined);
    await sink.close();
  });

  it('follows the file across rotation without losing a line', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, maxBytes: 700, maxFiles: 3 });
    const follow = followRecords(path, { from: 'start', pollIntervalMs: 5 });
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      const next = follow.next();
      await sink.create(makeEvent(`web-1.r${i}`));
      const { value } = await next;
      seen.push(value === undefined ? '' : (value.event.metadata.name ?? ''));
    }
    expect(sink.stats().rotations).toBeGreaterThan(2);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `web-1.r${i}`));
    await follow.return(undefined);
    await sink.close();
  });

  it('waits for a line to be complete before yielding it', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.x'));
    await sink.close();
    const follow = followRecords(path, { from: 'end', pollIntervalMs: 5 });
    const line = JSON.stringify({
      op: 'create',
      at: '2026-07-24T10:00:00.000000Z',
      event: makeEvent('web-1.y'),
    });
    const next = follow.next();
    await appendFile(path, line.slice(0, 20));
    await appendFile(path, line.slice(20) + '\n');
    expect((await next).value).toMatchObject({
      event: { metadata: { name: 'web-1.y' } },
    });
    await follow.return(undefined);
  });

  it('starts over when the file is truncated', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.a-much-longer-name-than-the-next-one'));
    await sink.close();
    const follow = followRecords(path, { from: 'end', pollIntervalMs: 5 });
    const next = follow.next();
    await truncate(path, 0);
    const again = new FileSink({ path });
    await again.create(makeEvent('web-1.t'));
    await again.close();
    expect((await next).value).toMatchObject({
      event: { metadata: { name: 'web-1.t' } },
    });
    await follow.return(undefined);
  });

  it('waits for a file that does not exist yet', async () => {
    const path = join(dir, 'later.jsonl');
    const follow = followRecords(path, { pollIntervalMs: 5 });
    const next = follow.next();
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.l'));
    await sink.close();
    expect((await next).value).toMatchObject({
      event: { metadata: { name: 'web-1.l' } },
    });
    await follow.return(undefined);
  });

  it('rejects a poll interval that is not positive', async () => {
    await expect(
      followRecords('x', { pollIntervalMs: 0 }).next(),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
