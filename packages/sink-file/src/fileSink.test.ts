import {
  mkdtemp,
  readFile,
  readdir,
  rm,
  symlink,
  writeFile,
  appendFile,
  chmod,
  mkdir,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ClosedError,
  FakeClock,
  ForbiddenError,
  InvalidError,
  InvalidOptionError,
  MemoryLogger,
  NotFoundError,
  TransportError,
  type Event,
  type EventsV1Event,
} from '@event-recorder/core';
import { FileSink } from './fileSink.js';
import { readEvents, readRecords } from './readEvents.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sink-file-'));
});

afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const start = new Date('2026-07-24T10:00:00.250Z');

function makeEvent(name: string, overrides: Partial<Event> = {}): Event {
  return {
    metadata: { name, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: name.split('.')[0],
      namespace: 'shop',
      uid: 'u-1',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: start,
    lastTimestamp: start,
    count: 1,
    ...overrides,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('FileSink', () => {
  it('appends one line per write with the full resulting state', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, clock: new FakeClock(start) });
    const created = await sink.create(makeEvent('web-1.a'));
    const patched = await sink.patch(
      created,
      '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"again"}',
    );
    await sink.close();

    const [first, second] = (await lines(path)).map(
      (l) =>
        JSON.parse(l) as {
          op: string;
          at: string;
          event: Record<string, unknown>;
        },
    );
    expect(first).toMatchObject({
      op: 'create',
      at: '2026-07-24T10:00:00.250000Z',
    });
    expect(first!.event).toMatchObject({
      count: 1,
      message: 'Back-off restarting failed container',
    });
    expect(second).toMatchObject({ op: 'patch' });
    expect(second!.event).toMatchObject({
      count: 2,
      message: 'again',
      reason: 'BackOff',
      involvedObject: { kind: 'Pod', name: 'web-1' },
      lastTimestamp: '2026-07-24T10:00:05Z',
    });
    expect(patched.count).toBe(2);
    expect(patched.lastTimestamp).toEqual(new Date('2026-07-24T10:00:05Z'));
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
  });

  it('assigns uid, resourceVersion and creationTimestamp as the API server does, without touching the input', async () => {
    const sink = new FileSink({
      path: join(dir, 'e.jsonl'),
      clock: new FakeClock(start),
    });
    const input = makeEvent('web-1.b');
    const stored = await sink.create(input);
    await sink.close();
    expect(stored.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored.metadata.resourceVersion).toBe('1');
    expect(stored.metadata.creationTimestamp).toEqual(
      new Date('2026-07-24T10:00:00Z'),
    );
    expect(input.metadata).toEqual({ name: 'web-1.b', namespace: 'shop' });
    expect(stored).not.toBe(input);
  });

  it('rejects a create of an existing name with AlreadyExists and a patch of a missing event with NotFound', async () => {
    const sink = new FileSink({ path: join(dir, 'e.jsonl') });
    await sink.create(makeEvent('web-1.c'));
    await expect(sink.create(makeEvent('web-1.c'))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(
      sink.patch(makeEvent('web-1.zzz'), '{"count":2}'),
    ).rejects.toBeInstanceOf(NotFoundError);
    // The same name in another namespace is another event.
    await expect(
      sink.create(
        makeEvent('web-1.c', {
          metadata: { name: 'web-1.c', namespace: 'other' },
          involvedObject: {
            kind: 'Pod',
            apiVersion: 'v1',
            name: 'web-1',
            namespace: 'other',
          },
        }),
      ),
    ).resolves.toMatchObject({ metadata: { namespace: 'other' } });
    await sink.close();
  });

  it('merges a patch recursively and deletes keys set to null', async () => {
    const sink = new FileSink({ path: join(dir, 'e.jsonl') });
    const created = await sink.create(
      makeEvent('web-1.d', {
        metadata: {
          name: 'web-1.d',
          namespace: 'shop',
          annotations: { a: '1', b: '2' },
        },
      }),
    );
    const patched = await sink.patch(
      created,
      '{"metadata":{"annotations":{"a":null,"c":"3"}},"source":{"host":null},"count":4}',
    );
    await sink.close();
    expect(patched.metadata.annotations).toEqual({ b: '2', c: '3' });
    expect(patched.source).toEqual({ component: 'kubelet' });
    expect(patched.count).toBe(4);
    expect(patched.metadata.name).toBe('web-1.d');
  });

  it('rejects a patch that is not a JSON object and an event the API server would refuse with Invalid', async () => {
    const sink = new FileSink({ path: join(dir, 'e.jsonl') });
    const created = await sink.create(makeEvent('web-1.e'));
    await expect(sink.patch(created, '{not json')).rejects.toBeInstanceOf(
      InvalidError,
    );
    await expect(sink.patch(created, '[1]')).rejects.toBeInstanceOf(
      InvalidError,
    );
    await expect(
      sink.create(makeEvent('web-1.f', { metadata: { name: 'web-1.f' } })),
    ).rejects.toThrow(/metadata\.namespace: Required value/);
    await sink.close();
    // Nothing invalid reached the file.
    expect(await lines(join(dir, 'e.jsonl'))).toHaveLength(1);
  });

  it('restores its state from the file on restart, so counting continues and names stay taken', async () => {
    const path = join(dir, 'events.jsonl');
    const first = new FileSink({ path });
    const created = await first.create(makeEvent('web-1.g'));
    await first.patch(created, '{"count":2}');
    await first.close();

    const second = new FileSink({ path });
    await expect(second.create(makeEvent('web-1.g'))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    const patched = await second.patch(makeEvent('web-1.g'), '{"count":3}');
    expect(patched.count).toBe(3);
    expect(patched.message).toBe('Back-off restarting failed container');
    expect(patched.metadata.uid).toBe(created.metadata.uid);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(2);
    const restored = await second.restoredEvents();
    expect(restored.map((e) => [e.metadata.name, e.count])).toEqual([
      ['web-1.g', 2],
    ]);
    await second.close();
  });

  it('skips a torn last line with a warning, and appends after it on a new line', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.h'));
    await sink.close();
    await appendFile(
      path,
      '{"op":"create","at":"2026-07-24T10:00:00.000000Z","event":{"metad',
    );

    const logger = new MemoryLogger();
    expect(
      (await collect(readEvents(path, { logger }))).map((e) => e.metadata.name),
    ).toEqual(['web-1.h']);
    expect(logger.find({ level: 'warn', text: 'torn last line' })).toHaveLength(
      1,
    );

    const restarted = new FileSink({ path, logger });
    await restarted.create(makeEvent('web-1.i'));
    await restarted.close();
    const names = (await collect(readEvents(path))).map((e) => e.metadata.name);
    expect(names).toEqual(['web-1.h', 'web-1.i']);
  });

  it('skips a corrupt line in the middle with a warning and keeps reading', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    await sink.create(makeEvent('web-1.j'));
    await sink.close();
    await appendFile(path, 'garbage\n{"op":"nope"}\n');
    const again = new FileSink({ path });
    await again.create(makeEvent('web-1.k'));
    await again.close();
    const logger = new MemoryLogger();
    const events = await collect(readEvents(path, { logger }));
    expect(events.map((e) => e.metadata.name)).toEqual(['web-1.j', 'web-1.k']);
    expect(logger.find({ level: 'warn' })).toHaveLength(2);
  });

  it('writes eventTime and series times as MicroTime, the others in seconds, and revives them as Dates', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    const at = new Date('2026-07-24T10:00:05.123Z');
    await sink.create(
      makeEvent('web-1.l', {
        eventTime: at,
        series: { count: 2, lastObservedTime: at },
        lastTimestamp: at,
        action: 'Pulling',
        reportingComponent: 'kubelet',
        reportingInstance: 'node-1',
      }),
    );
    await sink.close();
    const raw = JSON.parse((await lines(path))[0]!) as {
      event: Record<string, unknown>;
    };
    expect(raw.event.eventTime).toBe('2026-07-24T10:00:05.123000Z');
    expect(raw.event.series).toEqual({
      count: 2,
      lastObservedTime: '2026-07-24T10:00:05.123000Z',
    });
    expect(raw.event.lastTimestamp).toBe('2026-07-24T10:00:05Z');
    const [back] = await collect(readEvents(path));
    expect(back!.eventTime).toEqual(at);
    expect(back!.series!.lastObservedTime).toEqual(at);
    expect(back!.lastTimestamp).toEqual(new Date('2026-07-24T10:00:05Z'));
  });

  it("stores events.k8s.io/v1 events with that API's rules", async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink<EventsV1Event>({ path, api: 'events.k8s.io/v1' });
    const at = new Date('2026-07-24T10:00:05.5Z');
    const event: EventsV1Event = {
      metadata: { name: 'web-1.m', namespace: 'shop' },
      eventTime: at,
      regarding: {
        kind: 'Pod',
        apiVersion: 'v1',
        name: 'web-1',
        namespace: 'shop',
      },
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Scale',
      reason: 'Scaled',
      note: 'scaled up',
      type: 'Normal',
    };
    const stored = await sink.create(event);
    const patched = await sink.patch(
      stored,
      '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:06.000000Z"}}',
    );
    expect(patched.series).toEqual({
      count: 2,
      lastObservedTime: new Date('2026-07-24T10:00:06Z'),
    });
    await expect(
      sink.patch(stored, '{"note":"changed"}'),
    ).rejects.toBeInstanceOf(InvalidError);
    await sink.close();
    const [back] = await collect(readEvents<EventsV1Event>(path));
    expect(back!.eventTime).toEqual(at);
    expect(back!.series!.count).toBe(2);
  });

  it('batches writes issued while an append is in flight and keeps their order', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, fsync: 'none' });
    const n = 500;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        sink.create(makeEvent(`web-1.n${i}`)),
      ),
    );
    await sink.close();
    const stats = sink.stats();
    expect(stats.lines).toBe(n);
    expect(stats.batches).toBeLessThan(n / 10);
    const names = (await lines(path)).map(
      (l) => (JSON.parse(l) as { event: Event }).event.metadata.name,
    );
    expect(names).toEqual(Array.from({ length: n }, (_, i) => `web-1.n${i}`));
    expect(results.map((r) => Number(r.metadata.resourceVersion))).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
  });

  it('keeps call order for writes issued while the state is still being restored', async () => {
    const path = join(dir, 'events.jsonl');
    const seed = new FileSink({ path });
    for (let i = 0; i < 50; i++) await seed.create(makeEvent(`web-1.seed${i}`));
    await seed.close();

    const sink = new FileSink({ path });
    const called: string[] = [];
    const writes: Array<Promise<Event>> = [];
    // Writes issued at every microtask hop and every macrotask turn, before,
    // during and after the restore.
    await new Promise<void>((done) => {
      let n = 0;
      const next = (): void => {
        const name = `web-1.o${n}`;
        called.push(name);
        writes.push(sink.create(makeEvent(name)));
        n++;
        if (n === 60) done();
        else if (n % 3 === 0) setImmediate(next);
        else queueMicrotask(next);
      };
      next();
    });
    await Promise.all(writes);
    await sink.close();
    const written = (await lines(path))
      .map((l) => (JSON.parse(l) as { event: Event }).event.metadata.name!)
      .filter((name) => name.startsWith('web-1.o'));
    expect(written).toEqual(called);
  });

  it('lets a create and a patch of the same event in one batch apply in order', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path });
    const create = sink.create(makeEvent('web-1.o'));
    const patch = sink.patch(makeEvent('web-1.o'), '{"count":2}');
    await expect(create).resolves.toMatchObject({ count: 1 });
    await expect(patch).resolves.toMatchObject({ count: 2 });
    await sink.close();
  });

  it('flushes pending writes on close and rejects writes after it', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, fsync: 'always' });
    const pending = sink.create(makeEvent('web-1.p'));
    await sink.close();
    await expect(pending).resolves.toMatchObject({
      metadata: { name: 'web-1.p' },
    });
    expect(await lines(path)).toHaveLength(1);
    expect(sink.stats().fsyncs).toBeGreaterThanOrEqual(1);
    await expect(sink.create(makeEvent('web-1.q'))).rejects.toBeInstanceOf(
      ClosedError,
    );
    await sink.close();
  });

  it("syncs on the clock's interval while there are new writes", async () => {
    const clock = new FakeClock(start);
    const sink = new FileSink({
      path: join(dir, 'e.jsonl'),
      fsync: 'interval',
      fsyncIntervalMs: 1000,
      clock,
    });
    await sink.create(makeEvent('web-1.r'));
    expect(clock.pendingTimers()).toBe(1);
    clock.step(1000);
    await sink.create(makeEvent('web-1.s'));
    await sink.flush();
    expect(clock.pendingTimers()).toBe(1);
    await sink.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(sink.stats().fsyncs).toBeGreaterThanOrEqual(1);
  });

  it('rotates by size, keeps maxFiles files and reads the latest state across them', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, maxBytes: 2000, maxFiles: 3 });
    const first = await sink.create(makeEvent('web-1.t0'));
    for (let i = 1; i < 30; i++) await sink.create(makeEvent(`web-1.t${i}`));
    const stats = sink.stats();
    expect(stats.rotations).toBeGreaterThan(3);

    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['events.jsonl', 'events.jsonl.1', 'events.jsonl.2']);
    for (const f of files) {
      expect((await readFile(join(dir, f))).length).toBeLessThanOrEqual(2000);
    }
    // The oldest events went with the deleted files: forgotten, as after a TTL.
    await expect(sink.patch(first, '{"count":2}')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const names = (await collect(readEvents(path))).map((e) => e.metadata.name);
    expect(names.at(-1)).toBe('web-1.t29');
    expect(names.length).toBe(sink.stats().events);
    await sink.close();

    // A restarted sink knows exactly the events still in the files.
    const again = new FileSink({ path, maxBytes: 2000, maxFiles: 3 });
    await expect(again.create(makeEvent(names[0]!))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(again.patch(first, '{"count":2}')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await again.close();
  });

  it('keeps a patched event alive across rotation because each line holds its full state', async () => {
    const path = join(dir, 'events.jsonl');
    const sink = new FileSink({ path, maxBytes: 1500, maxFiles: 2 });
    let hot = await sink.create(makeEvent('web-1.hot'));
    for (let i = 0; i < 20; i++) {
      await sink.create(makeEvent(`web-1.cold${i}`));
      hot = await sink.patch(
        hot,
        JSON.stringify({ count: (hot.count ?? 0) + 1 }),
      );
    }
    await sink.close();
    const byName = new Map(
      (await collect(readEvents(path))).map((e) => [e.metadata.name, e]),
    );
    expect(byName.get('web-1.hot')?.count).toBe(21);
    expect(byName.has('web-1.cold0')).toBe(false);
  });

  it('reports a path in a missing directory as a final Transport error that names the directory', async () => {
    const path = join(dir, 'missing', 'events.jsonl');
    const sink = new FileSink({ path });
    const error = (await sink
      .create(makeEvent('web-1.u'))
      .catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      `the directory "${join(dir, 'missing')}" does not exist`,
    );
    // Once the directory exists, the same sink works.
    await mkdir(join(dir, 'missing'));
    await expect(sink.create(makeEvent('web-1.u'))).resolves.toBeDefined();
    await sink.close();
  });

  it('reports a directory given as the path with a clear message', async () => {
    const sink = new FileSink({ path: dir });
    await expect(sink.open()).rejects.toThrow(/it is a directory.*EISDIR/);
    await expect(sink.create(makeEvent('web-1.v'))).rejects.toMatchObject({
      code: 'Transport',
      retryable: false,
    });
    await sink.close();
  });

  it('reports permission denied as Forbidden', async () => {
    let path: string;
    if (process.getuid?.() === 0) {
      // root ignores file modes; sysfs still refuses to open this for writing.
      if (!existsSync('/sys/kernel/notes')) return;
      path = join(dir, 'denied.jsonl');
      await symlink('/sys/kernel/notes', path);
    } else {
      await mkdir(join(dir, 'ro'));
      await chmod(join(dir, 'ro'), 0o500);
      path = join(dir, 'ro', 'events.jsonl');
    }
    const sink = new FileSink({ path });
    const error = (await sink
      .create(makeEvent('web-1.w'))
      .catch((e: unknown) => e)) as ForbiddenError;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toMatch(/permission denied \((EACCES|EPERM)\)/);
    await sink.close();
  });

  it('reports a full disk as a retryable Transport error and rolls the state back', async () => {
    if (!existsSync('/dev/full')) return;
    const path = join(dir, 'full.jsonl');
    await symlink('/dev/full', path);
    const sink = new FileSink({ path });
    const results = await Promise.allSettled([
      sink.create(makeEvent('web-1.x')),
      sink.patch(makeEvent('web-1.x'), '{"count":2}'),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as TransportError;
      expect(reason).toBeInstanceOf(TransportError);
      expect(reason.retryable).toBe(true);
      expect(reason.message).toContain('no space left on the device (ENOSPC)');
    }
    // The failed create left nothing behind: the event is still unknown.
    await expect(
      sink.patch(makeEvent('web-1.x'), '{"count":2}'),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(sink.stats().failedWrites).toBe(2);
    await sink.close();
  });

  it('rejects options that can never work', () => {
    expect(() => new FileSink({ path: '' })).toThrow(InvalidOptionError);
    expect(() => new FileSink({ path: 'x', maxFiles: 0 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new FileSink({ path: 'x', maxBytes: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(
      () => new FileSink({ path: 'x', fsync: 'sometimes' as 'none' }),
    ).toThrow(InvalidOptionError);
  });

  it('creates the file with mode 0o640 by default', async () => {
    const path = join(dir, 'events.jsonl');
    const old = process.umask(0o022);
    try {
      const sink = new FileSink({ path });
      await sink.create(makeEvent('web-1.y'));
      await sink.close();
    } finally {
      process.umask(old);
    }
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('reads back, after a restart, exactly the last state each write returned (property)', async () => {
    const opArb = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      kind: fc.constantFrom('create', 'patch', 'update'),
      count: fc.integer({ min: 1, max: 1000 }),
      message: fc.string({ maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 25 }),
        fc.integer({ min: 300, max: 5000 }),
        async (ops, maxBytes) => {
          const path = join(
            dir,
            `p-${Math.random().toString(36).slice(2)}.jsonl`,
          );
          const sink = new FileSink({
            path,
            maxBytes,
            maxFiles: 100,
            fsync: 'none',
          });
          const last = new Map<string, Event>();
          for (const op of ops) {
            const event = makeEvent(`web-1.${op.name}`, {
              count: op.count,
              message: op.message,
            });
            try {
              const stored =
                op.kind === 'create'
                  ? await sink.create(event)
                  : op.kind === 'update'
                    ? await sink.update(event)
                    : await sink.patch(
                        event,
                        JSON.stringify({
                          count: op.count,
                          message: op.message,
                        }),
                      );
              last.set(stored.metadata.name!, stored);
            } catch (error) {
              expect(error).toBeInstanceOf(
                op.kind === 'create' ? AlreadyExistsError : NotFoundError,
              );
            }
          }
          await sink.close();
          const back = await collect(readEvents(path));
          expect(new Map(back.map((e) => [e.metadata.name!, e]))).toEqual(last);
          const records = await collect(readRecords(path));
          expect(records).toHaveLength(sink.stats().lines);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never lets a failed write become an unhandled rejection', async () => {
    const sink = new FileSink({ path: join(dir, 'nope', 'e.jsonl') });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await Promise.allSettled([
        sink.create(makeEvent('web-1.z')),
        sink.open(),
        sink.flush(),
      ]);
      await sink.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('starts with an empty state when the file holds only garbage', async () => {
    const path = join(dir, 'events.jsonl');
    await writeFile(path, 'not json at all');
    const logger = new MemoryLogger();
    const sink = new FileSink({ path, logger });
    await sink.create(makeEvent('web-1.aa'));
    await sink.close();
    expect(logger.find({ level: 'warn', text: 'torn' })).toHaveLength(1);
    expect(
      (await collect(readEvents(path))).map((e) => e.metadata.name),
    ).toEqual(['web-1.aa']);
  });
});
