import fc from 'fast-check';
import {
  FakeClock,
  InvalidError,
  InvalidOptionError,
  NotFoundError,
  TooManyRequestsError,
  eventsV1ToCoreV1,
  isSinkError,
  type Event,
  type EventsV1Event,
  type SinkError,
} from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { MemorySink } from './memorySink.js';

const t0 = new Date('2026-07-24T10:00:00Z');

function coreEvent(overrides: Partial<Event> = {}, name = 'web-1.1'): Event {
  return {
    metadata: { name, namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      namespace: 'shop',
      uid: 'u1',
    },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    source: { component: 'kubelet' },
    firstTimestamp: t0,
    lastTimestamp: t0,
    count: 1,
    type: 'Warning',
    reportingComponent: 'kubelet',
    reportingInstance: '',
    ...overrides,
  };
}

function newEvent(overrides: Partial<EventsV1Event> = {}): EventsV1Event {
  return {
    metadata: { name: 'web-1.2', namespace: 'shop' },
    eventTime: new Date('2026-07-24T10:00:00.250Z'),
    reportingController: 'example.com/ctrl',
    reportingInstance: 'ctrl-host',
    action: 'Scaling',
    reason: 'Scaled',
    regarding: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: 'web',
      namespace: 'shop',
    },
    note: 'Scaled to 3',
    type: 'Normal',
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  try {
    await promise;
  } catch (error) {
    if (isSinkError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('MemorySink (core/v1)', () => {
  it('stores a created event and answers with the server fields set', async () => {
    const clock = new FakeClock(t0);
    const sink = new MemorySink({ clock });
    const stored = await sink.create(coreEvent());
    expect(stored).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      count: 1,
      reason: 'BackOff',
    });
    expect(stored.metadata.resourceVersion).toBe('1');
    expect(stored.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored.metadata.creationTimestamp).toEqual(t0);
    expect(sink.get('shop', 'web-1.1')).toEqual(stored);
    expect(sink.list()).toEqual([stored]);
    expect(sink.calls).toEqual({ create: 1, update: 0, patch: 0, total: 1 });
  });

  it('answers copies, so changing them leaves the store alone', async () => {
    const sink = new MemorySink();
    const input = coreEvent();
    const stored = await sink.create(input);
    stored.count = 99;
    input.involvedObject.name = 'changed';
    sink.get('shop', 'web-1.1')!.message = 'changed';
    expect(sink.get('shop', 'web-1.1')).toMatchObject({
      count: 1,
      message: 'Back-off restarting failed container',
      involvedObject: { name: 'web-1' },
    });
  });

  it('truncates core/v1 timestamps to seconds, as they are on the wire', async () => {
    const sink = new MemorySink();
    const at = new Date('2026-07-24T10:00:05.750Z');
    const stored = await sink.create(
      coreEvent({ firstTimestamp: at, lastTimestamp: at }),
    );
    expect(stored.firstTimestamp).toEqual(new Date('2026-07-24T10:00:05Z'));
  });

  it('refuses a second event with the same name in a namespace with AlreadyExists, and allows it in another', async () => {
    const sink = new MemorySink();
    await sink.create(coreEvent());
    const error = await rejection(sink.create(coreEvent({ message: 'other' })));
    expect(error.code).toBe('AlreadyExists');
    expect(error.status).toBe(409);
    expect(error.message).toBe('events "web-1.1" already exists');
    const other = coreEvent();
    other.metadata.namespace = 'ops';
    other.involvedObject.namespace = 'ops';
    await expect(sink.create(other)).resolves.toMatchObject({
      metadata: { namespace: 'ops' },
    });
  });

  it('gives every write a higher resourceVersion', async () => {
    const sink = new MemorySink();
    const versions: number[] = [];
    const a = await sink.create(coreEvent());
    versions.push(Number(a.metadata.resourceVersion));
    versions.push(
      Number(
        (await sink.create(coreEvent({}, 'web-1.2'))).metadata.resourceVersion,
      ),
    );
    versions.push(
      Number((await sink.patch(a, '{"count":2}')).metadata.resourceVersion),
    );
    versions.push(
      Number(
        (
          await sink.update({
            ...a,
            count: 5,
            metadata: { ...a.metadata, resourceVersion: undefined },
          })
        ).metadata.resourceVersion,
      ),
    );
    sink.reset();
    versions.push(
      Number((await sink.create(coreEvent())).metadata.resourceVersion),
    );
    expect(versions).toEqual([1, 2, 3, 4, 5]);
  });

  it('applies the correlator patch: count, lastTimestamp and message change, nothing else (spec §2.9)', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    const patched = await sink.patch(
      created,
      '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}',
    );
    expect(patched).toEqual({
      ...created,
      metadata: {
        ...created.metadata,
        resourceVersion: patched.metadata.resourceVersion,
      },
      count: 2,
      lastTimestamp: new Date('2026-07-24T10:00:05Z'),
      message: 'M',
    });
    expect(sink.requests.map((r) => [r.method, r.outcome, r.patch])).toEqual([
      ['create', 'ok', undefined],
      [
        'patch',
        'ok',
        '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}',
      ],
    ]);
  });

  it('merges nested objects and deletes keys patched to null', async () => {
    const sink = new MemorySink();
    const created = await sink.create(
      coreEvent({
        metadata: {
          name: 'web-1.1',
          namespace: 'shop',
          annotations: { a: '1', b: '2' },
        },
      }),
    );
    const patched = await sink.patch(
      created,
      '{"metadata":{"annotations":{"a":null,"c":"3"}},"action":null}',
    );
    expect(patched.metadata.annotations).toEqual({ b: '2', c: '3' });
    expect(patched.metadata.name).toBe('web-1.1');
  });

  it('fails a patch of a missing or deleted event with NotFound, so a client can fall back to create', async () => {
    const sink = new MemorySink();
    const missing = await rejection(sink.patch(coreEvent(), '{"count":2}'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.status).toBe(404);
    const created = await sink.create(coreEvent({ count: 3 }));
    expect(sink.deleteEvent('shop', created.metadata.name!)).toBe(true);
    expect(sink.deleteEvent('shop', created.metadata.name!)).toBe(false);
    expect((await rejection(sink.patch(created, '{"count":4}'))).code).toBe(
      'NotFound',
    );
    // client-go re-creates it under the cached name, without resourceVersion.
    const again = await sink.create(coreEvent({ count: 4 }));
    expect(again.count).toBe(4);
    expect(Number(again.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
  });

  it('answers Invalid for a patch body that is not a JSON object or has badly typed fields', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    for (const body of [
      'not json',
      '[1]',
      '{"count":"2"}',
      '{"lastTimestamp":"yesterday"}',
      '{"metadata":{"name":"other"}}',
    ]) {
      const error = await rejection(sink.patch(created, body));
      expect(error, body).toBeInstanceOf(InvalidError);
      expect(error.status, body).toBe(400);
    }
    expect(sink.get('shop', 'web-1.1')?.count).toBe(1);
  });

  it('applies the legacy validation: the event namespace must match the involved object', async () => {
    const sink = new MemorySink();
    const event = coreEvent();
    event.metadata.namespace = 'ops';
    const error = await rejection(sink.create(event));
    expect(error.code).toBe('Invalid');
    expect(error.status).toBe(422);
    expect(error.message).toContain('involvedObject.namespace');
    const noNamespace = coreEvent();
    delete noNamespace.metadata.namespace;
    expect((await rejection(sink.create(noNamespace))).message).toContain(
      'metadata.namespace: Required value',
    );
  });

  it('rejects every failure with a SinkError, even input that is not an event', async () => {
    const sink = new MemorySink();
    for (const bad of [
      null,
      'event',
      { metadata: null },
      { metadata: { name: 'x.1', namespace: 'shop' }, involvedObject: 'pod' },
    ]) {
      const error = await sink.create(bad as never).catch((e: unknown) => e);
      expect(isSinkError(error), JSON.stringify(bad)).toBe(true);
    }
    const trap = coreEvent();
    Object.defineProperty(trap, 'reason', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    const error = await rejection(sink.create(trap));
    expect(error.code).toBe('RequestConstruction');
    expect(error.message).toContain('getter exploded');
  });

  it('lets core/v1 patches change any field, unlike events.k8s.io', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    await expect(
      sink.patch(created, '{"reason":"Other","type":"Normal"}'),
    ).resolves.toMatchObject({
      reason: 'Other',
      type: 'Normal',
    });
  });

  it('creates on update when the event is missing, and refuses a stale resourceVersion', async () => {
    const sink = new MemorySink();
    const created = await sink.update(coreEvent());
    expect(created.metadata.resourceVersion).toBe('1');
    const updated = await sink.update({ ...created, count: 2 });
    expect(updated.count).toBe(2);
    const stale = await rejection(sink.update({ ...created, count: 3 }));
    expect(stale.status).toBe(409);
    expect(stale.message).toContain('the object has been modified');
  });

  it('lists events by namespace, involved object, reason and type', async () => {
    const sink = new MemorySink();
    await sink.create(coreEvent());
    await sink.create(
      coreEvent({ reason: 'Started', type: 'Normal' }, 'web-1.2'),
    );
    await sink.create(
      coreEvent(
        {
          involvedObject: { kind: 'Node', apiVersion: 'v1', name: 'n1' },
          metadata: { name: 'n1.1', namespace: 'default' },
        },
        'n1.1',
      ),
    );
    expect(sink.list({ namespace: 'shop' })).toHaveLength(2);
    expect(
      sink.list({ involvedObject: { kind: 'Pod', name: 'web-1' } }),
    ).toHaveLength(2);
    expect(
      sink
        .list({ involvedObject: { kind: 'Node' } })
        .map((e) => e.metadata.name),
    ).toEqual(['n1.1']);
    expect(
      sink
        .list({ reason: 'Started', type: 'Normal' })
        .map((e) => e.metadata.name),
    ).toEqual(['web-1.2']);
    expect(sink.list({ type: 'Warning', namespace: 'default' })).toHaveLength(
      1,
    );
    expect(sink.size).toBe(3);
  });

  it('records that it was closed, through either view, and keeps answering', async () => {
    const sink = new MemorySink();
    expect(sink.closed).toBe(false);
    await sink.eventsV1().close();
    expect(sink.closed).toBe(true);
    await expect(sink.create(coreEvent())).resolves.toBeDefined();
  });

  describe('namespaces', () => {
    it('refuses creates in a namespace that does not exist, when namespaces are modelled', async () => {
      const sink = new MemorySink({ namespaces: ['default', 'kube-system'] });
      const error = await rejection(sink.create(coreEvent()));
      expect(error.code).toBe('NotFound');
      expect(error.message).toBe('namespaces "shop" not found');
    });

    it('refuses creates in a terminating namespace with Forbidden', async () => {
      const sink = new MemorySink();
      sink.terminateNamespace('shop');
      const error = await rejection(sink.create(coreEvent()));
      expect(error.code).toBe('Forbidden');
      expect(error.message).toContain('because it is being terminated');
    });
  });

  describe('bounds', () => {
    it('evicts the oldest created event beyond maxEvents', async () => {
      const sink = new MemorySink({ maxEvents: 2 });
      for (const name of ['a.1', 'b.1', 'c.1'])
        await sink.create(coreEvent({}, name));
      await sink.patch(coreEvent({}, 'b.1'), '{"count":2}');
      expect(sink.list().map((e) => e.metadata.name)).toEqual(['b.1', 'c.1']);
      expect(
        (await rejection(sink.patch(coreEvent({}, 'a.1'), '{"count":2}'))).code,
      ).toBe('NotFound');
    });

    it('evicts in creation order across deletes and re-creates, as a model list does', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.record({ del: fc.boolean(), name: fc.nat(7) }), {
            minLength: 50,
            maxLength: 2000,
            size: 'max',
          }),
          async (maxEvents, ops) => {
            const sink = new MemorySink({ maxEvents, requestLogCapacity: 0 });
            let model: string[] = [];
            for (const { del, name } of ops) {
              const n = `e.${name}`;
              if (del) {
                expect(sink.deleteEvent('shop', n)).toBe(model.includes(n));
                model = model.filter((m) => m !== n);
              } else if (model.includes(n)) {
                await rejection(sink.create(coreEvent({}, n)));
              } else {
                await sink.create(coreEvent({}, n));
                model.push(n);
                if (model.length > maxEvents) model.shift();
              }
            }
            expect(sink.list().map((e) => e.metadata.name)).toEqual(model);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('keeps the latest requests up to requestLogCapacity while counting every call', async () => {
      const sink = new MemorySink({ requestLogCapacity: 3 });
      for (let i = 0; i < 5000; i++) await sink.create(coreEvent({}, `e.${i}`));
      expect(sink.requests.map((r) => r.name)).toEqual([
        'e.4997',
        'e.4998',
        'e.4999',
      ]);
      expect(sink.calls.create).toBe(5000);
    });

    it.each([
      [{ ttlMs: 0 }],
      [{ ttlMs: -1 }],
      [{ maxEvents: 0 }],
      [{ requestLogCapacity: -1 }],
      [{ requestLogCapacity: 1.5 }],
    ])('refuses the options %j with InvalidOptionError', (options) => {
      expect(() => new MemorySink(options)).toThrow(InvalidOptionError);
    });
  });

  describe('expiry', () => {
    it('expires an event ttlMs after its last write, and each write renews it', async () => {
      const clock = new FakeClock(t0);
      const sink = new MemorySink({ clock, ttlMs: 60_000 });
      const created = await sink.create(coreEvent());
      clock.step(50_000);
      await sink.patch(created, '{"count":2}');
      clock.step(50_000);
      expect(sink.get('shop', 'web-1.1')?.count).toBe(2);
      clock.step(10_000);
      expect(sink.get('shop', 'web-1.1')).toBeUndefined();
      expect((await rejection(sink.patch(created, '{"count":3}'))).code).toBe(
        'NotFound',
      );
    });
  });

  describe('fault injection', () => {
    it('fails the next N calls with an error made from a code, then recovers', async () => {
      const sink = new MemorySink();
      sink.failNext(2, 'Transport');
      expect(sink.pendingFaults).toBe(2);
      const first = await rejection(sink.create(coreEvent()));
      expect(first.code).toBe('Transport');
      expect(first.retryable).toBe(true);
      expect((await rejection(sink.create(coreEvent()))).code).toBe(
        'Transport',
      );
      await expect(sink.create(coreEvent())).resolves.toBeDefined();
      expect(sink.calls.create).toBe(3);
      expect(sink.requests.map((r) => r.outcome)).toEqual([
        'Transport',
        'Transport',
        'ok',
      ]);
      expect(sink.list()).toHaveLength(1);
    });

    it('limits failures to the given methods and throws a given SinkError as it is', async () => {
      const sink = new MemorySink();
      const throttled = new TooManyRequestsError('slow down', {
        retryAfterMs: 2000,
      });
      sink.failNext(1, throttled, { methods: ['patch'] });
      const created = await sink.create(coreEvent());
      expect(await rejection(sink.patch(created, '{"count":2}'))).toBe(
        throttled,
      );
      await expect(sink.patch(created, '{"count":2}')).resolves.toMatchObject({
        count: 2,
      });
    });

    it('sets retryAfterMs and the HTTP status of errors made from codes', async () => {
      const sink = new MemorySink();
      sink.failNext(1, 'TooManyRequests', { retryAfterMs: 1500 });
      sink.failNext(1, 'ServerError');
      sink.failNext(1, 'Forbidden');
      const a = await rejection(sink.create(coreEvent()));
      const b = await rejection(sink.create(coreEvent()));
      const c = await rejection(sink.create(coreEvent()));
      expect([a.code, a.status, a.retryAfterMs]).toEqual([
        'TooManyRequests',
        429,
        1500,
      ]);
      expect([b.code, b.status, b.retryable]).toEqual([
        'ServerError',
        500,
        true,
      ]);
      expect([c.code, c.status, c.retryable]).toEqual([
        'Forbidden',
        403,
        false,
      ]);
    });

    it('keeps failing with Infinity until the faults are cleared', async () => {
      const sink = new MemorySink();
      sink.failNext(Infinity, 'ServerError');
      for (let i = 0; i < 5; i++)
        expect((await rejection(sink.create(coreEvent()))).code).toBe(
          'ServerError',
        );
      sink.clearFaults();
      await expect(sink.create(coreEvent())).resolves.toBeDefined();
    });

    it('limits failures to one API when asked', async () => {
      const sink = new MemorySink();
      sink.failNext(1, 'Transport', { api: 'events.k8s.io/v1' });
      await expect(sink.create(coreEvent())).resolves.toBeDefined();
      expect((await rejection(sink.eventsV1().create(newEvent()))).code).toBe(
        'Transport',
      );
    });

    it('holds calls while paused and answers them in order on resume', async () => {
      const sink = new MemorySink();
      sink.pause();
      const order: string[] = [];
      const a = sink.create(coreEvent()).then(() => order.push('a'));
      const b = sink
        .create(coreEvent({}, 'web-1.2'))
        .then(() => order.push('b'));
      await Promise.resolve();
      expect(sink.held).toBe(2);
      expect(sink.calls.create).toBe(2);
      expect(sink.list()).toEqual([]);
      sink.resume();
      await Promise.all([a, b]);
      expect(order).toEqual(['a', 'b']);
      expect(sink.list()).toHaveLength(2);
    });
  });

  describe('answering at once (createNow, patchNow)', () => {
    it('stores and replies as create and patch do, counting the calls', async () => {
      const clock = new FakeClock(t0);
      const now = new MemorySink({ clock });
      const later = new MemorySink({ clock });
      // Each sink draws its own uid prefix; everything else must agree.
      const same = (e: Event | undefined) => ({
        ...e,
        metadata: { ...e?.metadata, uid: undefined },
      });
      const created = now.createNow(coreEvent());
      expect(created?.metadata.uid).toMatch(/-000000000001$/);
      expect(same(created)).toEqual(same(await later.create(coreEvent())));
      const patch = '{"count":2,"message":"again"}';
      const patched = now.patchNow(coreEvent(), patch);
      expect(patched?.count).toBe(2);
      expect(same(patched)).toEqual(
        same(await later.patch(coreEvent(), patch)),
      );
      expect(now.list().map(same)).toEqual(later.list().map(same));
      expect(now.calls).toEqual(later.calls);
      expect(now.requests.map((r) => [r.method, r.outcome])).toEqual(
        later.requests.map((r) => [r.method, r.outcome]),
      );
    });

    it('throws the SinkError that the asynchronous call rejects with', async () => {
      const sink = new MemorySink();
      sink.createNow(coreEvent());
      const thrown = (() => {
        try {
          sink.createNow(coreEvent());
        } catch (error) {
          return error as SinkError;
        }
        return undefined;
      })();
      const rejected = await rejection(sink.create(coreEvent()));
      expect(thrown?.code).toBe('AlreadyExists');
      expect(thrown?.message).toBe(rejected.message);
      sink.failNext(1, 'Transport');
      expect(() => sink.patchNow(coreEvent(), '{"count":2}')).toThrow(
        expect.objectContaining({ code: 'Transport' }) as Error,
      );
      expect(() => sink.patchNow(coreEvent({}, 'web-9.9'), '{}')).toThrow(
        expect.objectContaining({ code: 'NotFound' }) as Error,
      );
    });

    it('declines while paused, doing and counting nothing', () => {
      const sink = new MemorySink();
      sink.pause();
      expect(sink.createNow(coreEvent())).toBeUndefined();
      expect(sink.eventsV1().createNow(newEvent())).toBeUndefined();
      expect(sink.calls.total).toBe(0);
      expect(sink.requests).toEqual([]);
      sink.resume();
      expect(sink.createNow(coreEvent())?.metadata.name).toBe('web-1.1');
      expect(sink.calls.create).toBe(1);
    });

    it('refills one reply object for every answer at once, as the contract allows', async () => {
      const clock = new FakeClock(t0);
      const sink = new MemorySink({ clock });
      const first = sink.createNow(coreEvent());
      const copy = structuredClone(first);
      expect(copy).toEqual(sink.get('shop', 'web-1.1'));
      clock.step(3000);
      const second = sink.createNow(
        coreEvent(
          { message: 'two', lastTimestamp: new Date(t0.getTime() + 5000) },
          'web-1.2',
        ),
      );
      expect(second).toBe(first);
      expect(second).toEqual(sink.get('shop', 'web-1.2'));
      expect(second?.lastTimestamp).toEqual(new Date(t0.getTime() + 5000));
      expect(second?.metadata.creationTimestamp).toEqual(
        new Date(t0.getTime() + 3000),
      );
      // A shape off the usual one (annotations) gets a copy of its own.
      const annotated = coreEvent({}, 'web-1.3');
      annotated.metadata.annotations = { team: 'shop' };
      const third = sink.createNow(annotated);
      expect(third).not.toBe(first);
      expect(third).toEqual(sink.get('shop', 'web-1.3'));
      expect(first).toEqual(sink.get('shop', 'web-1.2'));
      // create still gives a copy to keep, with the same fields and order.
      const kept = await sink.create(coreEvent({}, 'web-1.4'));
      const now = sink.createNow(coreEvent({}, 'web-1.5'));
      expect(Object.keys(now!)).toEqual(Object.keys(kept));
      expect(Object.keys(now!.metadata)).toEqual(Object.keys(kept.metadata));
      expect(kept.metadata.name).toBe('web-1.4');
    });

    it('keeps the reply of an answer at once whole while a waiter writes to the sink', async () => {
      const sink = new MemorySink();
      // Two waiters, each writing once while the sink wakes them after the
      // first create, the second after the first's write has returned. A
      // waiter's own write wakes the waiters again: `busy` keeps it from
      // writing twice.
      const inner: (Event | undefined)[] = [];
      const waits = [0, 1].map((i) => {
        let busy = false;
        return sink.waitFor((s) => {
          const due = i === 0 ? s.calls.create >= 1 : inner[0] !== undefined;
          if (!busy && inner[i] === undefined && due) {
            busy = true;
            try {
              inner[i] = s.createNow(
                coreEvent({ message: `inner ${i}` }, `inner.${i}`),
              );
            } finally {
              busy = false;
            }
          }
          return inner[i] !== undefined;
        });
      });
      const outer = sink.createNow(coreEvent({ message: 'outer' }, 'outer.1'));
      expect(outer).toMatchObject({
        message: 'outer',
        metadata: { name: 'outer.1' },
      });
      for (const i of [0, 1]) {
        expect(inner[i]).toMatchObject({
          message: `inner ${i}`,
          metadata: { name: `inner.${i}` },
        });
      }
      await Promise.all(waits);
      expect(sink.calls).toMatchObject({ create: 3, total: 3 });
    });

    it('answers at once through the events.k8s.io/v1 view too', async () => {
      const sink = new MemorySink();
      const view = sink.eventsV1();
      const created = view.createNow(newEvent());
      expect(created).toEqual(view.get('shop', created!.metadata.name!));
      const patched = view.patchNow(
        newEvent(),
        '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:05.000000Z"}}',
      );
      expect(patched?.series?.count).toBe(2);
      expect(view.calls).toMatchObject({ create: 1, patch: 1, total: 2 });
      await expect(view.create(newEvent())).rejects.toMatchObject({
        code: 'AlreadyExists',
      });
    });
  });

  describe('waitFor', () => {
    it('resolves with the predicate value as soon as a write makes it truthy', async () => {
      const sink = new MemorySink();
      const waiting = sink.waitFor((s) => s.get('shop', 'web-1.1'));
      let settled = false;
      void waiting.then(() => (settled = true));
      await sink.create(coreEvent({}, 'other.1'));
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      await sink.create(coreEvent());
      await expect(waiting).resolves.toMatchObject({
        metadata: { name: 'web-1.1' },
      });
    });

    it('resolves at once when the predicate already holds, and counts failed calls too', async () => {
      const sink = new MemorySink();
      sink.failNext(1, 'Transport');
      await rejection(sink.create(coreEvent()));
      await expect(sink.waitFor((s) => s.calls.create === 1)).resolves.toBe(
        true,
      );
    });

    it('rejects with a TimeoutError that describes the calls so far', async () => {
      const sink = new MemorySink();
      await sink.create(coreEvent());
      const error = await sink
        .waitFor((s) => s.calls.patch > 0, { timeoutMs: 0 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('TimeoutError');
      expect((error as Error).message).toContain('create 1, patch 0');
    });

    it('rejects when the signal aborts or the predicate throws', async () => {
      const sink = new MemorySink();
      const controller = new AbortController();
      const aborted = sink.waitFor((s) => s.calls.patch > 0, {
        signal: controller.signal,
      });
      controller.abort(new Error('test over'));
      await expect(aborted).rejects.toThrow('test over');
      const throwing = sink.waitFor((s) => {
        if (s.calls.total > 0) throw new Error('bad predicate');
        return false;
      });
      await sink.create(coreEvent());
      await expect(throwing).rejects.toThrow('bad predicate');
    });
  });
});

describe('MemorySink write paths', () => {
  const countPatch = (count: number | string, message: string): string =>
    `{"count":${count},"lastTimestamp":"2026-07-24T10:00:07Z","message":${JSON.stringify(message)}}`;

  it("gives each event an RFC 4122 uid, unique in the sink and unlike another sink's", async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const uids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const created = await a.create(coreEvent({}, `a.${i}`));
      uids.add(created.metadata.uid!);
    }
    expect(uids.size).toBe(50);
    for (const uid of uids)
      expect(uid).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    const other = await b.create(coreEvent({}, 'a.0'));
    expect(uids.has(other.metadata.uid!)).toBe(false);
    // A patch or update keeps the uid.
    const patched = await a.patch(coreEvent({}, 'a.3'), countPatch(2, 'm'));
    expect(patched.metadata.uid).toBe(a.get('shop', 'a.3')?.metadata.uid);
    expect(uids.has(patched.metadata.uid!)).toBe(true);
  });

  it('validates a count patch of an event with eventTime, whose message length counts', async () => {
    const sink = new MemorySink();
    const created = await sink.create(
      coreEvent({
        eventTime: t0,
        action: 'Restarting',
        reportingComponent: 'kubelet',
        reportingInstance: 'node-1',
      }),
    );
    const error = await rejection(
      sink.patch(created, countPatch(2, 'x'.repeat(1025))),
    );
    expect(error.code).toBe('Invalid');
    expect(error.status).toBe(422);
    expect(sink.get('shop', 'web-1.1')).toEqual(created);
    // Without eventTime the length does not matter, as on the server.
    const legacy = await sink.create(coreEvent({}, 'web-1.2'));
    await expect(
      sink.patch(legacy, countPatch(2, 'x'.repeat(1025))),
    ).resolves.toMatchObject({ count: 2 });
  });

  it('refuses a count patch whose count is not an integer, and leaves the event alone', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    for (const count of ['1.5', String(2 ** 60), '"2"']) {
      const error = await rejection(
        sink.patch(created, countPatch(count, 'm')),
      );
      expect(error.status, count).toBe(400);
    }
    expect(sink.get('shop', 'web-1.1')).toEqual(created);
  });

  it('applies a count patch as the generic merge does, timestamps truncated to seconds', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    const body =
      '{"count":7,"lastTimestamp":"2026-07-24T10:00:09.750000Z","message":"again"}';
    const fast = await sink.patch(created, body);
    const other = new MemorySink();
    const before = await other.create(coreEvent());
    // Spaces take the body off the fast path, onto JSON.parse and the merge.
    const slow = await other.patch(before, body.replace('{', '{ '));
    expect(fast).toEqual({
      ...slow,
      metadata: { ...slow.metadata, uid: fast.metadata.uid },
    });
    expect(fast.lastTimestamp).toEqual(new Date('2026-07-24T10:00:09Z'));
  });

  it('applies the series patch as the generic merge does, whatever the event was created through', async () => {
    const body =
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:01.250000Z"}}';
    const created: Array<(sink: MemorySink) => Promise<unknown>> = [
      (sink) => sink.eventsV1().create(newEvent()),
      (sink) => sink.create(coreEvent({}, 'web-1.2')),
    ];
    for (const create of created) {
      const fast = new MemorySink();
      const slow = new MemorySink();
      await create(fast);
      await create(slow);
      const target = fast.eventsV1().get('shop', 'web-1.2')!;
      const a = await fast.eventsV1().patch(target, body);
      // A space takes the body off the fast path, onto JSON.parse and the merge.
      const b = await slow.eventsV1().patch(target, body.replace('{', '{ '));
      expect(a).toEqual({
        ...b,
        metadata: { ...b.metadata, uid: a.metadata.uid },
      });
      const storedA = fast.get('shop', 'web-1.2')!;
      const storedB = slow.get('shop', 'web-1.2')!;
      expect(storedA).toEqual({
        ...storedB,
        metadata: { ...storedB.metadata, uid: storedA.metadata.uid },
      });
      expect(a.series).toEqual({
        count: 3,
        lastObservedTime: new Date('2026-07-24T10:00:01.250Z'),
      });
    }
  });

  it('logs the resourceVersion each write answered with', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    const patched = await sink.patch(created, countPatch(2, 'm'));
    await rejection(sink.patch(coreEvent({}, 'missing.1'), countPatch(2, 'm')));
    expect(sink.requests.map((r) => r.resourceVersion)).toEqual([
      created.metadata.resourceVersion,
      patched.metadata.resourceVersion,
      undefined,
    ]);
    expect(sink.requests[2]).not.toHaveProperty('resourceVersion');
  });
});

describe('MemorySink (events.k8s.io/v1 view)', () => {
  it('serves the same store through both APIs', async () => {
    const sink = new MemorySink();
    const events = sink.eventsV1();
    expect(sink.eventsV1()).toBe(events);
    const created = await events.create(newEvent());
    expect(created).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      note: 'Scaled to 3',
      regarding: { name: 'web' },
    });
    expect(sink.get('shop', 'web-1.2')).toMatchObject({
      involvedObject: { kind: 'Deployment', name: 'web' },
      message: 'Scaled to 3',
      reportingComponent: 'example.com/ctrl',
    });
    expect(events.calls.create).toBe(1);
    expect(sink.calls.create).toBe(1);
    expect(events.list({ regarding: { kind: 'Deployment' } })).toHaveLength(1);
  });

  it('patches only the series, keeping eventTime and the first note', async () => {
    const events = new MemorySink().eventsV1();
    const created = await events.create(newEvent());
    const patched = await events.patch(
      created,
      '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:01.500000Z"}}',
    );
    expect(patched.series).toEqual({
      count: 2,
      lastObservedTime: new Date('2026-07-24T10:00:01.500Z'),
    });
    expect(patched.eventTime).toEqual(created.eventTime);
    expect(patched.note).toBe('Scaled to 3');
  });

  it('refuses a patch of an immutable field with Invalid', async () => {
    const events = new MemorySink().eventsV1();
    const created = await events.create(newEvent());
    for (const body of [
      '{"note":"other"}',
      '{"reason":"Other"}',
      '{"eventTime":"2026-07-24T10:00:09.000000Z"}',
    ]) {
      const error = await rejection(events.patch(created, body));
      expect(error.code, body).toBe('Invalid');
      expect(error.message, body).toContain('field is immutable');
    }
  });

  it('refuses a series with count 1 and the deprecated fields on create', async () => {
    const events = new MemorySink().eventsV1();
    const created = await events.create(newEvent());
    const error = await rejection(
      events.patch(
        created,
        '{"series":{"count":1,"lastObservedTime":"2026-07-24T10:00:01.000000Z"}}',
      ),
    );
    expect(error.message).toContain('should be at least 2');
    const deprecated = await rejection(
      events.create(
        newEvent({
          metadata: { name: 'x.1', namespace: 'shop' },
          deprecatedCount: 3,
        }),
      ),
    );
    expect(deprecated.message).toContain('deprecatedCount');
  });

  it('requires the strict fields and a DNS subdomain name through events.k8s.io/v1 only', async () => {
    const sink = new MemorySink();
    const bad = newEvent({
      metadata: { name: 'Web_1', namespace: 'shop' },
      action: '',
    });
    const error = await rejection(sink.eventsV1().create(bad));
    expect(error.message).toContain('metadata.name');
    expect(error.message).toContain('action: Required value');
    // The same object posted as core/v1 is checked by the legacy rules only…
    const asCore = eventsV1ToCoreV1(bad);
    expect((await rejection(sink.create(asCore))).message).not.toContain(
      'metadata.name',
    );
  });

  it('patches the series of an event created through core/v1', async () => {
    const sink = new MemorySink();
    await sink.create(coreEvent());
    const events = sink.eventsV1();
    const view = events.get('shop', 'web-1.1')!;
    const patched = await events.patch(
      view,
      '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:01.000000Z"}}',
    );
    expect(patched.series?.count).toBe(2);
    expect(sink.get('shop', 'web-1.1')).not.toHaveProperty('eventTime');
  });
});

describe('MemorySink with hostile or badly typed input', () => {
  it('stores every event whole when reading a create writes to the sink', () => {
    // A Date whose getTime creates another event on the same sink each time
    // it is called: the create must not be mixed up with the inner ones.
    const sink = new MemorySink();
    let inner = 0;
    class Reentrant extends Date {
      override getTime(): number {
        if (inner < 5) {
          inner++;
          sink.createNow(
            coreEvent(
              { message: `inner ${inner}`, type: 'Normal', count: 7 },
              `inner.${inner}`,
            ),
          );
        }
        return super.getTime();
      }
    }
    const outer = coreEvent(
      { message: 'outer', lastTimestamp: new Reentrant(t0.getTime() + 5000) },
      'outer.1',
    );
    sink.createNow(outer);
    expect(inner).toBeGreaterThan(0);
    for (let i = 1; i <= inner; i++) {
      expect(sink.get('shop', `inner.${i}`)).toMatchObject({
        message: `inner ${i}`,
        type: 'Normal',
        count: 7,
        lastTimestamp: t0,
      });
    }
    expect(sink.get('shop', 'outer.1')).toMatchObject({
      message: 'outer',
      type: 'Warning',
      count: 1,
      firstTimestamp: t0,
      lastTimestamp: new Date(t0.getTime() + 5000),
    });
    expect(sink.size).toBe(inner + 1);
  });

  const countBody =
    '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"m"}';

  it('answers a write with the event written even when a waitFor predicate writes and reuses its slot', async () => {
    const sink = new MemorySink({ maxEvents: 1 });
    let calls = 0;
    const waited = sink.waitFor((s) => {
      calls++;
      if (calls === 2) {
        // Each create evicts the one before: the slot of "outer" is reused.
        void s.create(coreEvent({}, 'inner-2'));
        void s.create(coreEvent({}, 'inner-3'));
      }
      return calls >= 2;
    });
    const reply = await sink.create(coreEvent({}, 'outer-1'));
    await waited;
    expect(reply.metadata.name).toBe('outer-1');
    expect(sink.list().map((e) => e.metadata.name)).toEqual(['inner-3']);
  });

  it('validates exactly what it stores, reading each field of a create once', async () => {
    const sink = new MemorySink();
    let reads = 0;
    const involvedObject = {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'web-1',
      uid: 'u1',
      // Another namespace on the first read, which is the one stored.
      get namespace() {
        reads++;
        return reads === 1 ? 'elsewhere' : 'shop';
      },
    };
    const error = await rejection(sink.create(coreEvent({ involvedObject })));
    expect(error.code).toBe('Invalid');
    expect(error.message).toContain('"elsewhere": does not match');
    expect(reads).toBe(1);
    expect(sink.size).toBe(0);
  });

  it('answers a count or series patch of an event stored without a namespace (validate off) as the generic path does', async () => {
    const run = async (api: 'v1' | 'events', body: string): Promise<string> => {
      const sink = new MemorySink({ validate: false });
      const created = await sink.create(coreEvent({ metadata: { name: 'a' } }));
      const patched =
        api === 'v1'
          ? sink.patch(created, body)
          : sink.eventsV1().patch(sink.eventsV1().get('', 'a')!, body);
      return patched.then(
        () => 'ok',
        (e: SinkError) => `${e.code} ${e.status}`,
      );
    };
    const series =
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:01.250000Z"}}';
    // A space takes a body off the fast path, onto JSON.parse and the merge.
    expect(await run('v1', countBody)).toBe('Invalid 400');
    expect(await run('v1', countBody.replace('{', '{ '))).toBe('Invalid 400');
    expect(await run('events', series)).toBe('Invalid 400');
    expect(await run('events', series.replace('{', '{ '))).toBe('Invalid 400');
  });

  it('prunes "__proto__" in a patch body like any unknown field, leaving Object.prototype alone', async () => {
    const sink = new MemorySink();
    const created = await sink.create(coreEvent());
    try {
      for (const body of [
        '{"__proto__":{"polluted":"yes"}}',
        '{"metadata":{"__proto__":{"polluted":"yes"}},"reason":"Patched"}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
      ]) {
        await sink.patch(created, body);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }
      const stored = sink.get('shop', 'web-1.1')!;
      expect(stored.reason).toBe('Patched');
      expect(Object.getPrototypeOf(stored.metadata)).toBe(Object.prototype);
      expect(Object.keys(stored)).not.toContain('constructor');
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });

  it('takes a null nested record (source, related, series, labels) as absent, as the server decodes it', async () => {
    const sink = new MemorySink();
    await sink.create(coreEvent({ source: null as never }));
    await sink.create(coreEvent({ related: null as never }, 'web-1.2'));
    await sink.create(
      coreEvent(
        {
          metadata: {
            name: 'web-1.3',
            namespace: 'shop',
            labels: null as never,
          },
          series: null as never,
        },
        'web-1.3',
      ),
    );
    expect(sink.get('shop', 'web-1.1')).not.toHaveProperty('source');
    expect(sink.get('shop', 'web-1.2')).not.toHaveProperty('related');
    expect(sink.get('shop', 'web-1.3')).not.toHaveProperty('series');
    expect(sink.get('shop', 'web-1.3')!.metadata).not.toHaveProperty('labels');
    expect(sink.eventsV1().get('shop', 'web-1.1')).toBeDefined();
    expect(sink.eventsV1().list()).toHaveLength(3);
    expect(sink.list()).toHaveLength(3);
  });

  it('answers Invalid (400) for badly typed nested values, so nothing stored is shared with the caller', async () => {
    const bad: Array<Partial<Event>> = [
      { source: new Date(0) as never },
      { source: 'kubelet' as never },
      { source: { component: 7 as never } },
      {
        metadata: {
          name: 'web-1.1',
          namespace: 'shop',
          labels: { a: { x: 1 } as never },
        },
      },
      {
        metadata: {
          name: 'web-1.1',
          namespace: 'shop',
          annotations: { a: 1 as never },
        },
      },
      {
        involvedObject: {
          kind: 'Pod',
          name: { toString: () => 'web-1' } as never,
          namespace: 'shop',
        },
      },
      { related: { kind: 'Node', uid: 1 as never } },
      { series: { count: 2, lastObservedTime: 'yesterday' as never } },
    ];
    for (const validate of [true, false]) {
      const sink = new MemorySink({ validate });
      for (const overrides of bad) {
        const error = await rejection(sink.create(coreEvent(overrides)));
        expect([error.code, error.status], JSON.stringify(overrides)).toEqual([
          'Invalid',
          400,
        ]);
      }
      expect(sink.size).toBe(0);
      const created = await sink.create(coreEvent());
      for (const body of [
        '{"metadata":{"labels":{"a":{"x":1}}}}',
        '{"involvedObject":{"name":5}}',
        '{"source":"kubelet"}',
      ]) {
        const error = await rejection(sink.patch(created, body));
        expect([error.code, error.status], body).toEqual(['Invalid', 400]);
      }
      expect(sink.get('shop', 'web-1.1')).toEqual(created);
    }
  });

  it('rejects only with SinkErrors and logs the request, even for a throwing metadata getter or a Symbol name', async () => {
    const sink = new MemorySink();
    const trap = {
      get metadata(): never {
        throw new Error('boom');
      },
    } as unknown as Event;
    const symbol = coreEvent({
      metadata: { name: Symbol('x') as never, namespace: 'shop' },
    });
    const calls: Array<() => Promise<unknown>> = [
      () => sink.create(trap),
      () => sink.update(trap),
      () => sink.patch(trap, countBody),
      () => sink.eventsV1().create(trap as never),
      () => sink.create(symbol),
      () => sink.update(symbol),
      () => sink.patch(symbol, countBody),
    ];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(isSinkError(error), String(error)).toBe(true);
    }
    expect(await rejection(sink.create(trap))).toMatchObject({
      code: 'RequestConstruction',
      message: expect.stringContaining('boom') as unknown,
    });
    expect(sink.requests).toHaveLength(calls.length + 1);
    expect(sink.requests[4]).toMatchObject({ name: 'Symbol(x)' });
  });
});
