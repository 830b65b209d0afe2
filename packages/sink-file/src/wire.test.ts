import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Event } from '@event-recorder/core';
import {
  applyMergePatch,
  fromWire,
  isPlainEvent,
  storedEvent,
  toWireEvent,
} from './wire.js';

describe('toWireEvent', () => {
  it('writes timestamps as the API server does, without touching the event', () => {
    const at = new Date('2026-07-24T10:00:05.123Z');
    const event: Event = {
      metadata: { name: 'a', namespace: 'b', creationTimestamp: at },
      involvedObject: { kind: 'Pod', name: 'p' },
      firstTimestamp: at,
      lastTimestamp: at,
      eventTime: at,
      series: { count: 2, lastObservedTime: at },
    };
    const wire = toWireEvent(event);
    expect(wire).toMatchObject({
      metadata: { creationTimestamp: '2026-07-24T10:00:05Z' },
      firstTimestamp: '2026-07-24T10:00:05Z',
      lastTimestamp: '2026-07-24T10:00:05Z',
      eventTime: '2026-07-24T10:00:05.123000Z',
      series: { count: 2, lastObservedTime: '2026-07-24T10:00:05.123000Z' },
    });
    expect(event.firstTimestamp).toBe(at);
    expect(event.series!.lastObservedTime).toBe(at);
    const back = fromWire<Event>(
      JSON.parse(JSON.stringify(wire)) as Record<string, unknown>,
    );
    expect(back.eventTime).toEqual(at);
    expect(back.lastTimestamp).toEqual(new Date('2026-07-24T10:00:05Z'));
  });
});

describe('applyMergePatch', () => {
  it('merges maps, deletes on null, replaces scalars and lists', () => {
    expect(
      applyMergePatch(
        { a: 1, m: { x: 1, y: 2 }, l: [1, 2], gone: true },
        { a: 2, m: { y: null, z: 3 }, l: [3], gone: null },
      ),
    ).toEqual({ a: 2, m: { x: 1, z: 3 }, l: [3] });
  });

  it('honours $patch replace and delete on a map', () => {
    expect(
      applyMergePatch(
        { m: { x: 1 }, n: { y: 1 } },
        { m: { $patch: 'replace', z: 2 }, n: { $patch: 'delete' } },
      ),
    ).toEqual({ m: { z: 2 } });
  });

  it('never lets a patch set the prototype', () => {
    const out = applyMergePatch(
      {},
      JSON.parse('{"__proto__":{"polluted":true}}'),
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is idempotent: applying the same patch twice gives the same document (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), json),
        fc.dictionary(fc.string(), json),
        (doc, patch) => {
          const once = applyMergePatch(doc, patch);
          expect(applyMergePatch(once, patch)).toEqual(once);
        },
      ),
    );
  });
});

describe('storedEvent', () => {
  const time = fc.date({
    min: new Date(0),
    max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
    noInvalidDate: true,
  });
  const text = fc.string({ unit: 'grapheme-composite', maxLength: 12 });
  const anyText = fc.oneof(text, fc.string({ unit: 'binary', maxLength: 12 }));
  const event = fc.record(
    {
      metadata: fc.record(
        {
          name: text,
          namespace: text,
          uid: text,
          creationTimestamp: time,
          labels: fc.dictionary(anyText, anyText, { noNullPrototype: true }),
        },
        { requiredKeys: ['name'], noNullPrototype: true },
      ),
      involvedObject: fc.record(
        { kind: text, name: anyText, uid: fc.option(text, { nil: undefined }) },
        { requiredKeys: ['kind'], noNullPrototype: true },
      ),
      reason: anyText,
      message: anyText,
      type: fc.constantFrom('Normal', 'Warning'),
      count: fc.oneof(fc.integer(), fc.double()),
      firstTimestamp: time,
      lastTimestamp: fc.option(time, { nil: undefined }),
      eventTime: time,
      series: fc.record(
        { count: fc.integer(), lastObservedTime: time },
        { requiredKeys: [], noNullPrototype: true },
      ),
      related: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      extra: fc.constantFrom(undefined, null, true, [1, 'x'], new Date(5)),
    },
    { requiredKeys: ['metadata', 'involvedObject'], noNullPrototype: true },
  );

  it('writes and returns exactly what the general path through the wire form does (property)', () => {
    fc.assert(
      fc.property(event, time, (e, now) => {
        const input = e as unknown as Event;
        const copy = structuredClone(input);
        expect(isPlainEvent(input)).toBe(true);
        const assigned = {
          uid: input.metadata.uid ?? 'u-1',
          creationTimestamp: input.metadata.creationTimestamp ?? now,
          resourceVersion: '7',
        };
        const { json, result } = storedEvent<Event>(input, assigned);
        const wire = toWireEvent({
          ...input,
          metadata: { ...input.metadata, ...assigned },
        });
        expect(json).toBe(JSON.stringify(wire));
        // The general path resolves with the wire form revived in place.
        expect(result).toStrictEqual(fromWire<Event>(wire));
        expect(input).toStrictEqual(copy);
      }),
    );
  });

  it('leaves events with string or invalid timestamps to the general path', () => {
    const base = { metadata: { name: 'a' }, involvedObject: {} };
    expect(isPlainEvent({ ...base })).toBe(true);
    for (const odd of [
      { firstTimestamp: '2026-07-24T10:00:05Z' },
      { eventTime: new Date(Number.NaN) },
      { lastTimestamp: null },
      { series: { lastObservedTime: 'x' } },
      { metadata: { name: 'a', creationTimestamp: new Date(-1) } },
    ])
      expect(isPlainEvent({ ...base, ...odd } as unknown as Event)).toBe(false);
  });
});
