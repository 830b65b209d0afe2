import type { Event } from '@event-recorder/core';
import { describe, expect, it } from 'vitest';
import { EventLogger } from './eventLogger.js';

const T0 = Date.UTC(2026, 6, 24, 10, 0, 0);

function event(message: string, at: number, extra: Partial<Event> = {}): Event {
  return {
    metadata: { name: `web-0.${at}`, namespace: 'ns1' },
    involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'ns1' },
    source: { component: 'kubelet' },
    type: 'Normal',
    reason: 'Pulled',
    message,
    count: 1,
    firstTimestamp: new Date(at),
    lastTimestamp: new Date(at),
    ...extra,
  };
}

describe('EventLogger', () => {
  it('returns an unchanged copy and no patch for a first occurrence', () => {
    const logger = new EventLogger();
    const input = event('M', T0);
    const result = logger.eventObserve(input, 'k');
    expect(result.patch).toBeUndefined();
    expect(result.event).toEqual(input);
    expect(result.event).not.toBe(input);
    expect(result.event.firstTimestamp).not.toBe(input.firstTimestamp);
  });

  it('turns a repeat into a patch of the first occurrence (spec §4.6 vector 1)', () => {
    const logger = new EventLogger();
    const first = Date.parse('2026-07-24T10:00:00.250Z');
    const second = Date.parse('2026-07-24T10:00:05.900Z');
    logger.eventObserve(
      event('M', first, { metadata: { name: 'a', resourceVersion: '5' } }),
      'k',
    );
    const input = event('M', second);
    const result = logger.eventObserve(input, 'k');
    expect(result.patch).toBe(
      '{"count":2,"lastTimestamp":"2026-07-24T10:00:05Z","message":"M"}',
    );
    expect(result.event.metadata).toEqual({
      name: 'a',
      namespace: 'ns1',
      resourceVersion: '5',
    });
    expect(result.event.count).toBe(2);
    expect(result.event.firstTimestamp).toEqual(new Date(first));
    expect(result.event.lastTimestamp).toEqual(new Date(second));
    expect(input.count).toBe(1);
    expect(input.metadata.name).toBe(`web-0.${second}`);
  });

  it('keeps counting from the stored count and takes the latest message', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('one', T0), 'k');
    logger.eventObserve(event('two', T0 + 1000), 'k');
    const third = logger.eventObserve(event('three', T0 + 2000), 'k');
    expect(third.event.count).toBe(3);
    expect(JSON.parse(third.patch!)).toEqual({
      count: 3,
      lastTimestamp: '2026-07-24T10:00:02Z',
      message: 'three',
    });
  });

  it('leaves out the message when it is empty and writes a missing lastTimestamp as null', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('', T0), 'k');
    const result = logger.eventObserve(
      event('', T0, { lastTimestamp: undefined }),
      'k',
    );
    expect(result.patch).toBe('{"count":2,"lastTimestamp":null}');
  });

  it('leaves out lastTimestamp when it is the epoch second, as a two-way merge would', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('m', 0), 'k');
    const result = logger.eventObserve(
      event('m', 0, { lastTimestamp: new Date(999) }),
      'k',
    );
    expect(result.patch).toBe('{"count":2,"message":"m"}');
  });

  it('escapes <, > and & as Go encoding/json does', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('a<b>&c\u2028', T0), 'k');
    const result = logger.eventObserve(event('a<b>&c\u2028', T0), 'k');
    expect(result.patch).toContain(
      '"message":"a\\u003cb\\u003e\\u0026c\\u2028"',
    );
    expect((JSON.parse(result.patch!) as { message: string }).message).toBe(
      'a<b>&c\u2028',
    );
  });

  it('never patches an event stored with count 0', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('m', T0, { count: 0 }), 'k');
    const again = logger.eventObserve(event('m', T0, { count: 0 }), 'k');
    expect(again.patch).toBeUndefined();
    const absent = logger.eventObserve(
      event('m', T0, { count: undefined }),
      'k',
    );
    expect(absent.patch).toBeUndefined();
  });

  it('wraps the count as a Go int32', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('m', T0, { count: 2147483647 }), 'k');
    const result = logger.eventObserve(event('m', T0), 'k');
    expect(result.event.count).toBe(-2147483648);
  });

  it('takes the name, resourceVersion, count and first timestamp from updateState', () => {
    const logger = new EventLogger();
    const input = event('m', T0 + 5000);
    logger.updateState({
      ...event('m', T0),
      metadata: { name: 'server-name', resourceVersion: '42' },
      count: 7,
    });
    const result = logger.eventObserve(
      input,
      'kubeletPodns1web-0NormalPulledm',
    );
    expect(result.event.metadata.name).toBe('server-name');
    expect(result.event.metadata.resourceVersion).toBe('42');
    expect(result.event.count).toBe(8);
    expect(result.event.firstTimestamp).toEqual(new Date(T0));
  });

  it('drops a remembered empty name or resourceVersion from the result, as Go sets them to ""', () => {
    const logger = new EventLogger();
    logger.eventObserve(event('m', T0, { metadata: {} }), 'k');
    const result = logger.eventObserve(
      event('m', T0, { metadata: { name: 'x', resourceVersion: '9' } }),
      'k',
    );
    expect(result.event.metadata).toEqual({});
  });

  it('forgets the least recently used key, where a lookup counts as use', () => {
    const logger = new EventLogger({ lruCacheSize: 2 });
    logger.eventObserve(event('m', T0), 'a');
    logger.eventObserve(event('m', T0), 'b');
    logger.eventObserve(event('m', T0), 'a');
    logger.eventObserve(event('m', T0), 'c');
    expect(logger.eventObserve(event('m', T0), 'a').event.count).toBe(3);
    expect(logger.eventObserve(event('m', T0), 'b').patch).toBeUndefined();
  });

  it('ignores updateState with something that is not an object', () => {
    const logger = new EventLogger();
    expect(() => logger.updateState(null as unknown as Event)).not.toThrow();
  });
});
