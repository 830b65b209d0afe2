import {
  FakeClock,
  formatTime,
  isSinkError,
  type Event,
} from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySink } from './memorySink.js';

// What a client does with the sink, step by step.
type Step =
  | { kind: 'occur'; key: number; message: number }
  | { kind: 'expire'; key: number }
  | {
      kind: 'fail';
      times: number;
      code: 'Transport' | 'ServerError' | 'TooManyRequests';
    }
  | { kind: 'tick'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('occur' as const),
      key: fc.nat(3),
      message: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('expire' as const),
      key: fc.nat(3),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      times: fc.integer({ min: 1, max: 3 }),
      code: fc.constantFrom(
        'Transport' as const,
        'ServerError' as const,
        'TooManyRequests' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 120_000 }),
    }),
  },
);

interface Cached {
  name: string;
  count: number;
  first: Date;
}

/**
 * A client that writes as client-go's correlator does (spec §2.6, §2.9): the
 * first occurrence of a key is created with count 1; later ones patch
 * `{"count","lastTimestamp","message"}` with the locally incremented count,
 * and a patch answered with NotFound re-creates the event under the cached
 * name with the full count. Retryable failures are retried up to 3 times.
 */
async function occur(
  sink: MemorySink,
  clock: FakeClock,
  cache: Map<number, Cached>,
  key: number,
  message: string,
): Promise<Cached | undefined> {
  const now = clock.now();
  let cached = cache.get(key);
  const isNew = cached === undefined;
  cached ??= {
    name: `pod-${key}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}`,
    count: 0,
    first: now,
  };
  cached.count++;
  cache.set(key, cached);
  const full: Event = {
    metadata: { name: cached.name, namespace: 'ns' },
    involvedObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      name: `pod-${key}`,
      namespace: 'ns',
    },
    reason: 'R',
    message,
    type: 'Normal',
    count: cached.count,
    firstTimestamp: cached.first,
    lastTimestamp: now,
  };
  const patch = JSON.stringify({
    count: cached.count,
    lastTimestamp: formatTime(now),
    message,
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (isNew) await sink.create(full);
      else {
        try {
          await sink.patch(full, patch);
        } catch (error) {
          if (!isSinkError(error) || error.code !== 'NotFound') throw error;
          await sink.create(full);
        }
      }
      return cached;
    } catch (error) {
      if (!isSinkError(error) || !error.retryable) throw error;
    }
  }
  return undefined;
}

describe('MemorySink properties', () => {
  it('never lets a stored count decrease under correlator-style writes, expiry and transient faults', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 80 }), async (steps) => {
        const clock = new FakeClock(Date.UTC(2026, 0, 1));
        const sink = new MemorySink({ clock });
        const cache = new Map<number, Cached>();
        const highest = new Map<string, number>();
        // The count of the last write that got through, per stored name.
        const delivered = new Map<string, number>();
        for (const s of steps) {
          switch (s.kind) {
            case 'occur': {
              const written = await occur(
                sink,
                clock,
                cache,
                s.key,
                `m${s.message}`,
              );
              if (written !== undefined)
                delivered.set(written.name, written.count);
              break;
            }
            case 'expire': {
              const name = cache.get(s.key)?.name;
              if (name !== undefined) sink.deleteEvent('ns', name);
              if (name !== undefined) delivered.delete(name);
              break;
            }
            case 'fail':
              sink.failNext(s.times, s.code);
              break;
            case 'tick':
              clock.step(s.ms);
              break;
          }
          for (const event of sink.list()) {
            const name = event.metadata.name!;
            const count = event.count ?? 0;
            expect(count).toBeGreaterThanOrEqual(highest.get(name) ?? 0);
            highest.set(name, count);
            // The stored count never runs ahead of what the client observed.
            const key = Number(/^pod-(\d+)\./.exec(name)![1]);
            expect(count).toBeLessThanOrEqual(cache.get(key)!.count);
          }
        }
        // What is stored is exactly the last write that got through.
        expect(
          new Map(sink.list().map((e) => [e.metadata.name!, e.count!])),
        ).toEqual(delivered);
      }),
      { numRuns: 300 },
    );
  });

  it('gives strictly increasing resourceVersions to every successful write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const clock = new FakeClock(Date.UTC(2026, 0, 1));
        const sink = new MemorySink({ clock });
        const cache = new Map<number, Cached>();
        for (const s of steps) {
          if (s.kind === 'occur')
            await occur(sink, clock, cache, s.key, `m${s.message}`).catch(
              () => undefined,
            );
          else if (s.kind === 'fail') sink.failNext(s.times, s.code);
          else if (s.kind === 'tick') clock.step(s.ms);
        }
        const versions = sink.requests
          .filter((r) => r.outcome === 'ok')
          .map((r) => Number(r.resourceVersion));
        for (let i = 1; i < versions.length; i++)
          expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
      }),
      { numRuns: 200 },
    );
  });
});

describe('MemorySink answers at once', () => {
  // ReusedReply.fill and StoredEvents.toEvent read the same stored columns
  // for two purposes: whatever the event's shape, the reused reply must be
  // what create's copy is, field for field and in the same order.
  const optional = <T>(arb: fc.Arbitrary<T>) =>
    fc.option(arb, { nil: undefined });
  const text = fc.constantFrom('a', 'web-1', 'kubelet', '');
  // Fields off the reused reply's shape, present in one event of four.
  const rarely = <T>(value: T) =>
    fc.constantFrom<T | undefined>(undefined, undefined, undefined, value);
  const eventArb = fc.record({
    annotations: rarely({ team: 'shop' }),
    labels: rarely({ app: 'web' }),
    refVersion: optional(fc.constantFrom('1', '42')),
    fieldPath: rarely('spec.containers{web}'),
    host: optional(fc.constant('node-1')),
    withSource: fc.boolean(),
    reason: optional(text),
    message: optional(text),
    type: optional(fc.constantFrom('Normal', 'Warning')),
    count: optional(fc.integer({ min: 1, max: 5 })),
    lastMs: fc.integer({ min: 0, max: 10_000 }),
    reportingComponent: optional(text),
    action: rarely('Binding'),
  });

  it('gives the reply create gives, for any shape of event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 8 }), async (specs) => {
        const t0 = new Date('2026-07-24T10:00:00Z');
        const clock = new FakeClock(t0);
        const now = new MemorySink({ clock });
        const copies = new MemorySink({ clock });
        // Each sink draws its own uid prefix; everything else must agree,
        // keys in the same order (JSON keeps it).
        const same = (e: Event) =>
          JSON.stringify({ ...e, metadata: { ...e.metadata, uid: '' } });
        for (const [i, spec] of specs.entries()) {
          const event: Event = {
            metadata: { name: `web.${i}`, namespace: 'shop' },
            involvedObject: {
              kind: 'Pod',
              apiVersion: 'v1',
              name: 'web',
              namespace: 'shop',
              uid: 'u1',
            },
            firstTimestamp: t0,
            lastTimestamp: new Date(t0.getTime() + spec.lastMs),
          };
          if (spec.annotations) event.metadata.annotations = spec.annotations;
          if (spec.labels) event.metadata.labels = spec.labels;
          if (spec.refVersion !== undefined)
            event.involvedObject.resourceVersion = spec.refVersion;
          if (spec.fieldPath !== undefined)
            event.involvedObject.fieldPath = spec.fieldPath;
          if (spec.withSource)
            event.source =
              spec.host === undefined
                ? { component: 'kubelet' }
                : { component: 'kubelet', host: spec.host };
          if (spec.reason !== undefined) event.reason = spec.reason;
          if (spec.message !== undefined) event.message = spec.message;
          if (spec.type !== undefined) event.type = spec.type;
          if (spec.count !== undefined) event.count = spec.count;
          if (spec.reportingComponent !== undefined)
            event.reportingComponent = spec.reportingComponent;
          if (spec.action !== undefined) event.action = spec.action;
          clock.step(700);
          let reply: string | undefined;
          try {
            const answer = now.createNow(event);
            reply = answer === undefined ? undefined : same(answer);
          } catch (error) {
            expect(isSinkError(error)).toBe(true);
          }
          let expected: string | undefined;
          try {
            expected = same(await copies.create(event));
          } catch (error) {
            expect(isSinkError(error)).toBe(true);
          }
          expect(reply).toBe(expected);
        }
      }),
    );
  });
});
