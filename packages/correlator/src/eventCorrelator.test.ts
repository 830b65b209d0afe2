import {
  FakeClock,
  InvalidObjectError,
  InvalidOptionError,
} from '@event-recorder/core';
import type {
  Event,
  ObjectReference,
  PassiveClock,
} from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { EventCorrelator } from './eventCorrelator.js';
import type { CorrelationResult } from './eventCorrelator.js';
import { eventAggregatorByReasonFunc, getSpamKey } from './keys.js';

const T0 = Date.UTC(2026, 6, 24, 10, 0, 0);

/** k8s.io/utils SimpleIntervalClock: each now() first advances by I. */
class SimpleIntervalClock implements PassiveClock {
  #ms: number;
  readonly #step: number;
  constructor(start: number, stepMs: number) {
    this.#ms = start;
    this.#step = stepMs;
  }
  now(): Date {
    this.#ms += this.#step;
    return new Date(this.#ms);
  }
}

// Fixtures of client-go's events_cache_test.go (spec §4 conventions).
function makeObjectReference(
  kind: string,
  name: string,
  namespace: string,
): ObjectReference {
  return {
    kind,
    name,
    namespace,
    uid: 'C934D34AFB20242',
    apiVersion: 'version',
    fieldPath: 'spec.containers{mycontainer}',
  };
}

function makeEvent(
  reason: string,
  message: string,
  involvedObject: ObjectReference,
): Event {
  return {
    metadata: {},
    reason,
    message,
    involvedObject: { ...involvedObject },
    source: { component: 'kubelet', host: 'kublet.node1' },
    count: 1,
    type: 'Normal',
  };
}

function makeSimilarEvents(
  n: number,
  template: Event,
  prefix: string,
): Event[] {
  return Array.from({ length: n }, (_, i) => ({
    ...template,
    message: `${prefix}-${i}-${template.message ?? ''}`,
  }));
}

function makeUniqueEvents(n: number): Event[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent(
      `reason-${i}`,
      `message-${i}`,
      makeObjectReference('Pod', `pod-${i}`, `ns-${i}`),
    ),
  );
}

const myPod = makeObjectReference('Pod', 'my-pod', 'my-ns');
const firstEvent = makeEvent('first', 'i am first', myPod);
const duplicateEvent = makeEvent('duplicate', 'me again', myPod);
const uniqueEvent = makeEvent('unique', 'snowflake', myPod);
const similarEvent = makeEvent('similar', 'similar message', {
  ...myPod,
  fieldPath: 'spec.containers{container1}',
});
const similarButDifferentContainerEvent: Event = {
  ...similarEvent,
  involvedObject: {
    ...similarEvent.involvedObject,
    fieldPath: 'spec.containers{container2}',
  },
};

interface Played {
  result: CorrelationResult;
  /** When the harness stamped the new event, i.e. its lastTimestamp. */
  stampedAt: Date;
}

/**
 * Plays TestEventCorrelator's loop: each event is stamped with clock.now(),
 * correlated, and a non-skipped result is fed back through updateState.
 */
function play(previous: Event[], next: Event, intervalSeconds: number): Played {
  const clock = new SimpleIntervalClock(T0, intervalSeconds * 1000);
  const correlator = new EventCorrelator({ clock });
  for (const e of previous) {
    const now = clock.now();
    const result = correlator.correlate({
      ...e,
      firstTimestamp: now,
      lastTimestamp: now,
    });
    if (!result.skip) correlator.updateState(result.event);
  }
  const stampedAt = clock.now();
  const result = correlator.correlate({
    ...next,
    firstTimestamp: stampedAt,
    lastTimestamp: stampedAt,
  });
  return { result, stampedAt };
}

function written(result: CorrelationResult): Event {
  if (result.skip) throw new Error('expected the event to be written');
  return result.event;
}

const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const hexNanos = (d: Date): string =>
  (BigInt(d.getTime()) * 1_000_000n).toString(16);

describe('EventCorrelator: client-go TestEventCorrelator scenarios (spec §4.1)', () => {
  it('create-a-single-event: written as given with count 1', () => {
    const { result, stampedAt } = play([], firstEvent, 5);
    expect(result).toEqual({
      skip: false,
      event: {
        ...firstEvent,
        firstTimestamp: stampedAt,
        lastTimestamp: stampedAt,
      },
    });
  });

  it('the-same-event-should-just-count: count 2 keeps the first timestamp and name', () => {
    const { result } = play([duplicateEvent], duplicateEvent, 5);
    const event = written(result);
    expect(event.count).toBe(2);
    expect(event.firstTimestamp).toEqual(at(5));
    expect(event.lastTimestamp).toEqual(at(20));
    expect(event.metadata.name).toBeUndefined();
    expect(result).toMatchObject({
      patch: `{"count":2,"lastTimestamp":"2026-07-24T10:00:20Z","message":"me again"}`,
    });
  });

  it('the-same-event-should-just-count-even-if-more-than-aggregate: count 11, no aggregation', () => {
    const { result } = play(
      Array<Event>(10).fill(duplicateEvent),
      duplicateEvent,
      30,
    );
    const event = written(result);
    expect(event.count).toBe(11);
    expect(event.message).toBe('me again');
    expect(event.firstTimestamp).toEqual(at(30));
  });

  it('the-same-event-is-spam-if-happens-too-frequently: the 27th in 81 s is skipped', () => {
    const { result } = play(
      Array<Event>(26).fill(duplicateEvent),
      duplicateEvent,
      1,
    );
    expect(result).toEqual({ skip: true });
  });

  it('create-many-unique-events: a new event after 30 unique ones has count 1', () => {
    const { result, stampedAt } = play(makeUniqueEvents(30), uniqueEvent, 5);
    expect(written(result)).toEqual({
      ...uniqueEvent,
      firstTimestamp: stampedAt,
      lastTimestamp: stampedAt,
    });
    expect(result).not.toHaveProperty('patch');
  });

  it('similar-events-should-aggregate-event: the 10th distinct message becomes a combined event', () => {
    const { result } = play(
      makeSimilarEvents(9, similarEvent, 'similar message'),
      similarEvent,
      5,
    );
    const aggregatorNow = at(145);
    expect(result).toEqual({
      skip: false,
      event: {
        metadata: { name: `my-pod.${hexNanos(aggregatorNow)}` },
        involvedObject: similarEvent.involvedObject,
        count: 1,
        firstTimestamp: aggregatorNow,
        lastTimestamp: aggregatorNow,
        message: '(combined from similar events): similar message',
        source: similarEvent.source,
        type: 'Normal',
        reason: 'similar',
      },
    });
  });

  it('similar-events-many-times-should-count-the-aggregate: the combined event counts to 2', () => {
    const { result } = play(
      makeSimilarEvents(10, similarEvent, 'similar message'),
      similarEvent,
      5,
    );
    const event = written(result);
    expect(event.count).toBe(2);
    expect(event.metadata.name).toBe(`my-pod.${hexNanos(at(145))}`);
    expect(event.firstTimestamp).toEqual(at(145));
    expect(event.lastTimestamp).toEqual(at(160));
    expect(result).toMatchObject({
      patch:
        '{"count":2,"lastTimestamp":"2026-07-24T10:02:40Z","message":"(combined from similar events): similar message"}',
    });
  });

  it('events-from-different-containers-do-not-aggregate: count 1, message unchanged', () => {
    const { result } = play(
      [similarButDifferentContainerEvent],
      similarEvent,
      5,
    );
    const event = written(result);
    expect(event.count).toBe(1);
    expect(event.message).toBe('similar message');
    expect(event.involvedObject.fieldPath).toBe('spec.containers{container1}');
  });

  it('similar-events-whose-interval-is-greater-than-aggregate-interval-do-not-aggregate', () => {
    const { result } = play(
      makeSimilarEvents(9, similarEvent, 'similar message'),
      similarEvent,
      600,
    );
    const event = written(result);
    expect(event.count).toBe(1);
    expect(event.message).toBe('similar message');
  });

  it('reads the clock exactly twice per event: once to aggregate, once to filter', () => {
    let reads = 0;
    const correlator = new EventCorrelator({
      clock: { now: () => (reads++, new Date(T0)) },
    });
    correlator.correlate(duplicateEvent);
    correlator.correlate(duplicateEvent);
    expect(reads).toBe(4);
  });

  it('reads the real clock once per event, for the aggregator and the spam filter alike', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(T0);
    try {
      const correlator = new EventCorrelator({ burstSize: 2, qps: 1 });
      const results: CorrelationResult[] = [];
      for (let i = 0; i < 3; i++)
        results.push(correlator.correlate(duplicateEvent));
      expect(now).toHaveBeenCalledTimes(3);
      // The bucket saw the same time: the third event in the same instant is spam.
      expect(results.map((r) => r.skip)).toEqual([false, false, true]);
      now.mockReturnValue(T0 + 1000);
      expect(correlator.correlate(duplicateEvent).skip).toBe(false);
      // A combined event's first and last timestamps are the time read.
      now.mockReturnValue(T0 + 2000);
      const combining = new EventCorrelator({ maxEvents: 2 });
      combining.correlate({ ...duplicateEvent, message: 'm1' });
      const combined = combining.correlate({
        ...duplicateEvent,
        message: 'm2',
      });
      if (combined.skip) throw new Error('skipped');
      expect(combined.event.message).toContain(
        '(combined from similar events)',
      );
      expect(combined.event.firstTimestamp?.getTime()).toBe(T0 + 2000);
    } finally {
      now.mockRestore();
    }
  });
});

describe('EventCorrelator: client-go TestEventSpamFilter (spec §4.1)', () => {
  const byObjectAndReason = (e: Event): string =>
    [
      e.source?.component,
      e.source?.host,
      e.involvedObject.kind,
      e.involvedObject.namespace,
      e.involvedObject.name,
      e.involvedObject.uid,
      e.involvedObject.apiVersion,
      e.reason,
    ].join('');
  const original = makeEvent('original', 'i am first', myPod);
  const differentReason = makeEvent('duplicate', 'me again', myPod);
  const spam = makeEvent('original', 'me again', myPod);

  function second(
    next: Event,
    spamKeyFunc?: (e: Event) => string,
  ): CorrelationResult {
    const correlator = new EventCorrelator({
      clock: new SimpleIntervalClock(T0, 1000),
      spamKeyFunc,
      burstSize: 1,
    });
    const first = correlator.correlate(original);
    expect(first.skip).toBe(false);
    if (!first.skip) correlator.updateState(first.event);
    return correlator.correlate(next);
  }

  it('reports spam for the same object with the default filter, whatever the reason', () => {
    expect(second(differentReason)).toEqual({ skip: true });
  });

  it('admits a different reason when the custom spam key includes the reason', () => {
    expect(second(differentReason, byObjectAndReason)).toEqual({
      skip: false,
      event: differentReason,
    });
  });

  it('reports spam for the same reason and a different message with that custom key', () => {
    expect(second(spam, byObjectAndReason)).toEqual({ skip: true });
  });
});

/** A minimal server: stores created events, applies patches, returns copies. */
class TinyServer {
  readonly #events = new Map<string, Event>();
  #serial = 0;
  readonly creates: Event[] = [];
  readonly patches: string[] = [];

  write(result: CorrelationResult): Event | undefined {
    if (result.skip) return undefined;
    const stored = result.patch
      ? this.#events.get(result.event.metadata.name ?? '')
      : undefined;
    if (result.patch !== undefined && stored !== undefined) {
      this.patches.push(result.patch);
      const body = JSON.parse(result.patch) as {
        count?: number;
        lastTimestamp?: string;
        message?: string;
      };
      if (body.count !== undefined) stored.count = body.count;
      if (body.lastTimestamp !== undefined) {
        stored.lastTimestamp = new Date(body.lastTimestamp);
      }
      if (body.message !== undefined) stored.message = body.message;
      stored.metadata.resourceVersion = String(++this.#serial);
      return structuredClone(stored);
    }
    const created = structuredClone(result.event);
    created.metadata.name ??= `ev-${this.#serial}`;
    created.metadata.resourceVersion = String(++this.#serial);
    this.#events.set(created.metadata.name, created);
    this.creates.push(structuredClone(created));
    return structuredClone(created);
  }
}

function alert(
  at: number,
  extra: Partial<Event> = {},
  name = `n-${at}`,
): Event {
  return {
    metadata: { name, namespace: 'ns1' },
    involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'ns1', uid: 'u' },
    source: { component: 'kubelet', host: 'node1' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    count: 1,
    firstTimestamp: new Date(at),
    lastTimestamp: new Date(at),
    ...extra,
  };
}

describe('EventCorrelator: derived vectors (spec §4.6)', () => {
  it('vector 1: the patch body of a repeat has count, seconds-precision lastTimestamp and message', () => {
    const clock = new FakeClock(Date.parse('2026-07-24T10:00:00.250Z'));
    const correlator = new EventCorrelator({ clock });
    const first = correlator.correlate(
      alert(clock.now().getTime(), { message: 'M' }),
    );
    correlator.updateState(written(first));
    clock.setTime(Date.parse('2026-07-24T10:00:05.900Z'));
    const second = correlator.correlate(
      alert(clock.now().getTime(), { message: 'M' }),
    );
    expect(second).toMatchObject({
      skip: false,
      patch: '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}',
    });
  });

  it('vector 2: 25 writes, then skips that are still counted, then a write at 300 s carrying the total', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock });
    const server = new TinyServer();
    const outcomes: (number | 'skip')[] = [];
    const send = (t: number): CorrelationResult => {
      clock.setTime(T0 + t * 1000);
      const result = correlator.correlate(alert(T0 + t * 1000));
      const reply = server.write(result);
      if (reply) correlator.updateState(reply);
      outcomes.push(result.skip ? 'skip' : (result.event.count ?? 0));
      return result;
    };
    for (let t = 0; t < 30; t++) send(t);
    expect(outcomes).toEqual([
      ...Array.from({ length: 25 }, (_, i) => i + 1),
      ...Array<string>(5).fill('skip'),
    ]);
    expect(server.creates).toHaveLength(1);
    expect(server.patches).toHaveLength(24);
    expect(send(299)).toEqual({ skip: true });
    const at300 = send(300);
    expect(written(at300).count).toBe(32);
    expect(at300).toMatchObject({
      patch:
        '{"count":32,"lastTimestamp":"2026-07-24T10:05:00Z","message":"Back-off restarting failed container"}',
    });
    expect(written(at300).metadata.name).toBe(server.creates[0]!.metadata.name);
  });

  it('vector 3: the spam key includes the type, so a Warning passes after 25 Normal events', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock });
    for (let i = 0; i < 25; i++) {
      expect(correlator.correlate(alert(T0, { type: 'Normal' })).skip).toBe(
        false,
      );
    }
    expect(correlator.correlate(alert(T0, { type: 'Normal' })).skip).toBe(true);
    expect(correlator.correlate(alert(T0, { type: 'Warning' })).skip).toBe(
      false,
    );
  });

  it('vector 4: 9 creates, a combined create with count 1, then a patch of the combined event', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock });
    const server = new TinyServer();
    const results: CorrelationResult[] = [];
    for (let i = 1; i <= 11; i++) {
      clock.step(10_000);
      const result = correlator.correlate(
        alert(clock.now().getTime(), { message: `m${i}` }),
      );
      results.push(result);
      const reply = server.write(result);
      if (reply) correlator.updateState(reply);
    }
    expect(server.creates).toHaveLength(10);
    expect(results.slice(0, 9).map((r) => written(r).message)).toEqual(
      Array.from({ length: 9 }, (_, i) => `m${i + 1}`),
    );
    const combined = written(results[9]!);
    expect(combined.metadata.name).toBe(`web-0.${hexNanos(at(100))}`);
    expect(combined.message).toBe('(combined from similar events): m10');
    expect(combined.count).toBe(1);
    expect(results[9]).not.toHaveProperty('patch');
    expect(results[10]).toMatchObject({
      patch:
        '{"count":2,"lastTimestamp":"2026-07-24T10:01:50Z","message":"(combined from similar events): m11"}',
    });
    expect(written(results[10]!).metadata.name).toBe(combined.metadata.name);
  });

  it('vector 5: a gap over 600 s never aggregates; a gap of exactly 600 s does', () => {
    for (const [gap, aggregated] of [
      [601, false],
      [600, true],
    ] as const) {
      const clock = new FakeClock(T0);
      const correlator = new EventCorrelator({ clock });
      let last: CorrelationResult = { skip: true };
      for (let i = 1; i <= 10; i++) {
        clock.step(gap * 1000);
        last = correlator.correlate(
          alert(clock.now().getTime(), { message: `m${i}` }),
        );
      }
      expect(written(last).message!.startsWith('(combined')).toBe(aggregated);
    }
  });

  it('vector 6 (state part): after a lost event the next repeat carries the cached name and the running count', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock });
    for (let i = 0; i < 3; i++) {
      const r = correlator.correlate(alert(T0, {}, 'kept'));
      correlator.updateState(written(r));
    }
    const fourth = written(correlator.correlate(alert(T0 + 1000, {}, 'other')));
    expect(fourth.metadata.name).toBe('kept');
    expect(fourth.count).toBe(4);
    expect(fourth.firstTimestamp).toEqual(new Date(T0));
  });
});

describe('EventCorrelator: state and LRU effects', () => {
  it('counts suppressed occurrences before the spam decision', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock, burstSize: 1 });
    correlator.correlate(alert(T0));
    expect(correlator.correlate(alert(T0)).skip).toBe(true);
    expect(correlator.correlate(alert(T0)).skip).toBe(true);
    clock.step(300_000);
    expect(written(correlator.correlate(alert(T0))).count).toBe(4);
  });

  it('creates a duplicate with its own name when the de-duplication entry was evicted', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock, lruCacheSize: 1 });
    correlator.correlate(alert(T0, {}, 'a'));
    correlator.correlate(alert(T0, { reason: 'Other' }, 'b'));
    const again = correlator.correlate(alert(T0, {}, 'c'));
    expect(again).not.toHaveProperty('patch');
    expect(written(again).metadata.name).toBe('c');
    expect(written(again).count).toBe(1);
  });

  it('keys updateState by the combined event’s own key, so the aggregate key keeps its own state', () => {
    const clock = new FakeClock(T0);
    const correlator = new EventCorrelator({ clock, maxEvents: 2 });
    correlator.correlate(alert(T0, { message: 'a' }));
    const combined = written(correlator.correlate(alert(T0, { message: 'b' })));
    correlator.updateState({
      ...combined,
      metadata: { ...combined.metadata, resourceVersion: '42' },
      count: 9,
    });
    const next = written(correlator.correlate(alert(T0, { message: 'c' })));
    expect(next.count).toBe(2);
    expect(next.metadata.resourceVersion).toBeUndefined();
    expect(next.metadata.name).toBe(combined.metadata.name);
  });

  it('never changes the caller’s event and shares no object with it', () => {
    const correlator = new EventCorrelator({ clock: new FakeClock(T0) });
    const input = alert(T0, {
      metadata: { name: 'x', annotations: { a: 'b' } },
      related: { kind: 'Node', name: 'n' },
      series: { count: 2, lastObservedTime: new Date(T0) },
    });
    const before = structuredClone(input);
    correlator.correlate(input);
    const result = written(correlator.correlate(input));
    expect(input).toEqual(before);
    expect(result).not.toBe(input);
    expect(result.metadata).not.toBe(input.metadata);
    expect(result.metadata.annotations).not.toBe(input.metadata.annotations);
    expect(result.involvedObject).not.toBe(input.involvedObject);
    expect(result.source).not.toBe(input.source);
    expect(result.related).not.toBe(input.related);
    expect(result.series).not.toBe(input.series);
    expect(result.lastTimestamp).not.toBe(input.lastTimestamp);
  });

  it('correlateOwned writes the handed-over event itself, and copies a malformed one', () => {
    const correlator = new EventCorrelator({ clock: new FakeClock(T0) });
    const first = alert(T0, {}, 'e1');
    const a = correlator.correlateOwned(first);
    expect(a.skip).toBe(false);
    if (a.skip) return;
    expect(a.event).toBe(first);
    correlator.updateState({
      ...a.event,
      metadata: { ...a.event.metadata, resourceVersion: '7' },
    });
    const second = alert(T0 + 1000, {}, 'e2');
    const b = correlator.correlateOwned(second);
    if (b.skip) throw new Error('skipped');
    expect(b.event).toBe(second);
    expect(b.event.count).toBe(2);
    expect(b.event.metadata.name).toBe('e1');
    const malformed = {
      ...alert(T0, {}, 'e3'),
      metadata: new Date(0),
    } as unknown as Event;
    const c = correlator.correlateOwned(malformed);
    if (c.skip) throw new Error('skipped');
    expect(c.event).not.toBe(malformed);
    // Counted onto e1 like any repeat, in a copy: the Date is left alone.
    expect(c.event.metadata).toEqual({ name: 'e1', resourceVersion: '7' });
    expect(Object.keys(malformed.metadata)).toEqual([]);
  });

  it('correlateOwned copies, as correlate does, records that are class instances', () => {
    class Source {
      get component(): string {
        return 'kubelet';
      }
      get host(): string {
        return 'node-1';
      }
    }
    class Strings {
      get team(): string {
        return 'shop';
      }
    }
    const variants: Array<(e: Event) => Event> = [
      (e) => ({ ...e, source: new Source() }),
      (e) => ({ ...e, related: new Source() as unknown as Event['related'] }),
      (e) => ({ ...e, series: new Source() as unknown as Event['series'] }),
      (e) => ({
        ...e,
        metadata: {
          ...e.metadata,
          annotations: new Strings() as unknown as Record<string, string>,
        },
      }),
      (e) => ({
        ...e,
        metadata: {
          ...e.metadata,
          labels: new Strings() as unknown as Record<string, string>,
        },
      }),
    ];
    for (const variant of variants) {
      const copying = new EventCorrelator({ clock: new FakeClock(T0) });
      const owning = new EventCorrelator({ clock: new FakeClock(T0) });
      const a = copying.correlate(variant(alert(T0, {}, 'e1')));
      const b = owning.correlateOwned(variant(alert(T0, {}, 'e1')));
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it('returns a typed skip for input that is not an object', () => {
    const correlator = new EventCorrelator();
    for (const bad of [null, undefined, 42, 'event', [] as unknown]) {
      const result = correlator.correlate(bad as Event);
      expect(result.skip).toBe(true);
      expect(result).toHaveProperty('error');
      if (result.skip) expect(result.error).toBeInstanceOf(InvalidObjectError);
    }
  });

  it('treats a missing involvedObject or metadata as empty, as Go’s zero value', () => {
    const correlator = new EventCorrelator({ clock: new FakeClock(T0) });
    const result = correlator.correlate({ message: 'm' } as unknown as Event);
    expect(written(result)).toEqual({
      message: 'm',
      metadata: {},
      involvedObject: {},
    });
  });

  it('throws InvalidOptionError for negative or fractional options only', () => {
    expect(() => new EventCorrelator({ burstSize: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new EventCorrelator({ lruCacheSize: 2.5 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new EventCorrelator({ maxEvents: -3 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new EventCorrelator({ qps: Number.NaN })).toThrow(
      InvalidOptionError,
    );
    expect(
      () =>
        new EventCorrelator({
          burstSize: 0,
          qps: 0,
          lruCacheSize: 0,
          maxEvents: 0,
          maxIntervalInSeconds: 0,
        }),
    ).not.toThrow();
  });
});

const arbitraryEvent = fc.oneof(
  fc.anything(),
  fc.record(
    {
      metadata: fc.oneof(
        fc.record({ name: fc.string(), namespace: fc.string() }),
        fc.anything(),
      ),
      involvedObject: fc.oneof(
        fc.record({
          kind: fc.constantFrom('Pod', 'Node'),
          name: fc.constantFrom('a', 'b', ''),
          fieldPath: fc.string(),
        }),
        fc.anything(),
      ),
      source: fc.anything(),
      reason: fc.oneof(fc.string(), fc.anything()),
      message: fc.oneof(fc.string(), fc.anything()),
      type: fc.anything(),
      count: fc.oneof(fc.integer(), fc.double(), fc.anything()),
      firstTimestamp: fc.oneof(fc.date(), fc.anything()),
      lastTimestamp: fc.oneof(fc.date(), fc.anything()),
      series: fc.anything(),
      related: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);

/**
 * Checks that two correlators decide alike on any stream of `event`s, with
 * gaps and `updateState` feedback: each step's results must be equal.
 * `second` is built with extra options and correlates through `correlate2`.
 */
function assertSideBySide(
  event: fc.Arbitrary<unknown>,
  secondOptions: Partial<ConstructorParameters<typeof EventCorrelator>[0]>,
  correlate2: (c: EventCorrelator, e: unknown) => CorrelationResult,
): void {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          event,
          gapMs: fc.oneof(fc.nat(2_000), fc.nat(700_000)),
          feedBack: fc.boolean(),
        }),
        { maxLength: 100 },
      ),
      fc.integer({ min: 1, max: 6 }),
      (steps, size) => {
        const options = { lruCacheSize: size, maxEvents: 3, burstSize: 2 };
        const clockA = new FakeClock(T0);
        const clockB = new FakeClock(T0);
        const first = new EventCorrelator({ ...options, clock: clockA });
        const second = new EventCorrelator({
          ...options,
          ...secondOptions,
          clock: clockB,
        });
        for (const step of steps) {
          clockA.step(step.gapMs);
          clockB.step(step.gapMs);
          const a = first.correlate(step.event as Event);
          const b = correlate2(second, step.event);
          expect(b).toEqual(a);
          if (!a.skip && !b.skip && step.feedBack) {
            first.updateState(a.event);
            second.updateState(b.event);
          }
        }
      },
    ),
  );
}

describe('EventCorrelator: properties', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        (events, size) => {
          const correlator = new EventCorrelator({
            clock: new FakeClock(T0),
            lruCacheSize: size,
            maxEvents: 3,
          });
          for (const e of events) {
            const result = correlator.correlate(e as Event);
            if (!result.skip) {
              if (result.patch !== undefined) JSON.parse(result.patch);
              correlator.updateState(result.event);
            }
          }
        },
      ),
    );
  });

  it('decides exactly as with the same key functions passed as custom ones', () => {
    // With the default key functions the correlator computes the keys in one
    // pass (and the spam key as a slice of the aggregate key); custom
    // functions take the general path. Both must agree on every step.
    const piece = fc.constantFrom('', 'a', 'ab');
    const few = fc.constantFrom('', 'a');
    const event = fc.oneof(
      { arbitrary: arbitraryEvent, weight: 1 },
      {
        arbitrary: fc.record({
          metadata: fc.record({ name: piece }),
          involvedObject: fc.record(
            {
              kind: few,
              name: piece,
              namespace: few,
              uid: few,
              fieldPath: few,
            },
            { requiredKeys: [] },
          ),
          source: fc.record({ component: few, host: few }),
          type: fc.constantFrom('Normal', 'Warning', 'a'),
          reason: piece,
          message: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
          reportingComponent: piece,
        }),
        weight: 4,
      },
    );
    assertSideBySide(
      event,
      {
        keyFunc: (e) => eventAggregatorByReasonFunc(e),
        spamKeyFunc: (e) => getSpamKey(e),
      },
      (c, e) => c.correlate(e as Event),
    );
  });

  it('decides exactly as correlate when the events are handed over (correlateOwned)', () => {
    const deep = (v: unknown): unknown =>
      v instanceof Date
        ? new Date(v.getTime())
        : Array.isArray(v)
          ? v.map(deep)
          : typeof v === 'object' && v !== null
            ? Object.fromEntries(
                Object.entries(v).map(([k, x]) => [k, deep(x)]),
              )
            : v;
    const piece = fc.constantFrom('', 'a', 'ab');
    const shaped = fc.record({
      metadata: fc.record({ name: piece, namespace: piece }),
      involvedObject: fc.record(
        {
          kind: piece,
          apiVersion: piece,
          name: piece,
          namespace: piece,
          uid: piece,
        },
        { requiredKeys: [] },
      ),
      reason: piece,
      message: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
      source: fc.record({ component: piece }),
      firstTimestamp: fc.date({ noInvalidDate: true }),
      lastTimestamp: fc.date({ noInvalidDate: true }),
      count: fc.constant(1),
      type: fc.constantFrom('Normal', 'Warning'),
      reportingComponent: piece,
      reportingInstance: piece,
    });
    const event = fc.oneof(
      { arbitrary: arbitraryEvent, weight: 1 },
      { arbitrary: shaped, weight: 4 },
    );
    assertSideBySide(event, {}, (c, e) => c.correlateOwned(deep(e) as Event));
  });

  it('never lowers the count written for a key', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 1, max: 400_000 }),
            object: fc.constantFrom('a', 'b', 'c'),
            reason: fc.constantFrom('R1', 'R2'),
            message: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
            feedBack: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (steps) => {
          const clock = new FakeClock(T0);
          const correlator = new EventCorrelator({
            clock,
            maxEvents: 3,
            burstSize: 3,
            qps: 0.01,
          });
          const lastCount = new Map<string, number>();
          let serial = 0;
          for (const s of steps) {
            clock.step(s.gapMs);
            const now = clock.now().getTime();
            // Unique names, so a name identifies the first occurrence.
            const result = correlator.correlate({
              ...alert(now, {}, `e${serial++}`),
              involvedObject: { kind: 'Pod', name: s.object },
              reason: s.reason,
              message: s.message,
            });
            if (result.skip) continue;
            const key = result.event.metadata.name ?? '';
            const count = result.event.count ?? 0;
            if (result.patch !== undefined) {
              expect(count).toBeGreaterThan(lastCount.get(key) ?? 0);
            }
            lastCount.set(key, Math.max(count, lastCount.get(key) ?? 0));
            if (s.feedBack) correlator.updateState(result.event);
          }
        },
      ),
    );
  });
});
