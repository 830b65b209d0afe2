import { FakeClock, InvalidOptionError } from '@event-recorder/core';
import type { Event } from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { EventAggregator } from './eventAggregator.js';
import { getEventKey } from './keys.js';

const T0 = Date.UTC(2026, 6, 24, 10, 0, 0);

function event(message: string, extra: Partial<Event> = {}): Event {
  return {
    metadata: { name: 'given', namespace: 'ns1' },
    involvedObject: {
      kind: 'Pod',
      name: 'web-0',
      namespace: 'ns1',
      uid: 'u1',
      apiVersion: 'v1',
      fieldPath: 'spec.containers{app}',
    },
    source: { component: 'kubelet', host: 'node1' },
    type: 'Warning',
    reason: 'BackOff',
    message,
    count: 1,
    firstTimestamp: new Date(T0),
    lastTimestamp: new Date(T0),
    ...extra,
  };
}

function feed(
  aggregator: EventAggregator,
  clock: FakeClock,
  messages: string[],
  gapMs = 1000,
): ReturnType<EventAggregator['eventAggregate']>[] {
  return messages.map((m) => {
    clock.step(gapMs);
    return aggregator.eventAggregate(event(m));
  });
}

const tenMessages = Array.from({ length: 10 }, (_, i) => `m${i + 1}`);

describe('EventAggregator', () => {
  it('passes the first 9 distinct messages through with their own key', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock });
    const input = event('m1');
    const result = aggregator.eventAggregate(input);
    expect(result.event).toBe(input);
    expect(result.cacheKey).toBe(getEventKey(input));
    const rest = feed(aggregator, clock, tenMessages.slice(1, 9));
    for (const r of rest) expect(r.event.message).toMatch(/^m\d$/);
  });

  it('replaces the 10th distinct message by a combined event with only the copied fields', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock });
    const extra: Partial<Event> = {
      metadata: { name: 'given', namespace: 'ns1', annotations: { a: 'b' } },
      reportingComponent: 'rc',
      reportingInstance: 'ri',
      action: 'Act',
      related: { kind: 'Node', name: 'n1' },
      eventTime: new Date(T0),
      series: { count: 2, lastObservedTime: new Date(T0) },
    };
    for (const m of tenMessages.slice(0, 9)) {
      clock.step(1000);
      aggregator.eventAggregate(event(m, extra));
    }
    clock.step(1000);
    const at = clock.now();
    const combined = aggregator.eventAggregate(event('m10', extra));
    const nanos = BigInt(at.getTime()) * 1_000_000n;
    expect(combined.cacheKey).toBe(
      'kubeletnode1Podns1web-0u1v1WarningBackOffrcri',
    );
    expect(combined.event).toEqual({
      metadata: { name: `web-0.${nanos.toString(16)}`, namespace: 'ns1' },
      involvedObject: event('m10').involvedObject,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      message: '(combined from similar events): m10',
      source: { component: 'kubelet', host: 'node1' },
      type: 'Warning',
      reason: 'BackOff',
    });
  });

  it('names the combined event <object name>.<hex nanoseconds>, unsanitised', () => {
    const clock = new FakeClock(new Date('2023-01-01T12:00:00Z'));
    const aggregator = new EventAggregator({ clock, maxEvents: 1 });
    const result = aggregator.eventAggregate(
      event('x', {
        involvedObject: { kind: 'Pod', name: 'Upper_Case' },
      }),
    );
    expect(result.event.metadata.name).toBe('Upper_Case.17362d8e1c698000');
  });

  it('counts every later new message onto the aggregate key, keeping 9 remembered', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock });
    const results = feed(aggregator, clock, [...tenMessages, 'm11', 'm12']);
    const keys = results.map((r) => r.cacheKey);
    expect(keys[9]).toBe(keys[10]);
    expect(keys[10]).toBe(keys[11]);
    expect(results[11]!.event.message).toBe(
      '(combined from similar events): m12',
    );
  });

  it('forgets the earliest-inserted message when full (Go forgets a random one)', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock });
    const results = feed(aggregator, clock, [...tenMessages, 'm2', 'm1']);
    // After m10, m1 was dropped: m2 is still remembered and stays individual…
    expect(results[10]!.event.message).toBe('m2');
    expect(results[10]!.cacheKey).toBe(getEventKey(event('m2')));
    // …while m1 is new again and is combined.
    expect(results[11]!.event.message).toBe(
      '(combined from similar events): m1',
    );
  });

  it('starts over after a gap strictly longer than the interval', () => {
    const clock = new FakeClock(T0);
    const over = new EventAggregator({ clock });
    const r1 = feed(over, clock, tenMessages, 600_001);
    expect(r1.every((r) => !r.event.message!.startsWith('('))).toBe(true);

    const exact = new EventAggregator({ clock });
    const r2 = feed(exact, clock, tenMessages, 600_000);
    expect(r2[9]!.event.message).toBe('(combined from similar events): m10');
  });

  it('slides the window with every similar event', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock, maxIntervalInSeconds: 60 });
    // 10 events 50 s apart span 450 s, far more than the 60 s window.
    const results = feed(aggregator, clock, tenMessages, 50_000);
    expect(results[9]!.event.message).toBe(
      '(combined from similar events): m10',
    );
  });

  it('resets the window of a group evicted from the LRU cache', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({ clock, lruCacheSize: 1 });
    feed(aggregator, clock, tenMessages.slice(0, 9));
    aggregator.eventAggregate(event('other', { reason: 'Other' }));
    const [last] = feed(aggregator, clock, ['m10']);
    expect(last!.event.message).toBe('m10');
  });

  it('uses custom key and message functions', () => {
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({
      clock,
      maxEvents: 2,
      keyFunc: (e) => ({ aggregateKey: 'all', localKey: e.reason ?? '' }),
      messageFunc: (e) => `many, latest ${e.reason ?? ''}`,
    });
    aggregator.eventAggregate(event('a', { reason: 'A' }));
    const result = aggregator.eventAggregate(event('b', { reason: 'B' }));
    expect(result.cacheKey).toBe('all');
    expect(result.event.message).toBe('many, latest B');
  });

  it('reads the clock exactly once per event and never changes the input', () => {
    let reads = 0;
    const aggregator = new EventAggregator({
      maxEvents: 1,
      clock: { now: () => (reads++, new Date(T0)) },
    });
    const input = event('x');
    const before = structuredClone(input);
    aggregator.eventAggregate(input);
    aggregator.eventAggregate(input);
    expect(reads).toBe(2);
    expect(input).toEqual(before);
  });

  it('rejects negative options and treats 0 as the default', () => {
    expect(() => new EventAggregator({ maxEvents: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new EventAggregator({ maxIntervalInSeconds: 0.5 })).toThrow(
      InvalidOptionError,
    );
    const clock = new FakeClock(T0);
    const aggregator = new EventAggregator({
      clock,
      maxEvents: 0,
      maxIntervalInSeconds: 0,
    });
    const results = feed(aggregator, clock, tenMessages, 600_000);
    expect(results[8]!.event.message).toBe('m9');
    expect(results[9]!.event.message).toBe(
      '(combined from similar events): m10',
    );
  });
});
