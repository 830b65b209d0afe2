import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Event } from '@event-recorder/core';
import {
  applyMergePatch,
  fromWire,
  reviveFrom,
  toWire,
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

describe('toWire', () => {
  it('copies an own __proto__ key of parsed metadata as data, never as the prototype', () => {
    const metadata = JSON.parse(
      '{"name":"a","__proto__":{"polluted":true}}',
    ) as Record<string, unknown>;
    const wire = toWire({
      metadata,
      involvedObject: {},
    });
    const meta = wire.metadata as Record<string, unknown>;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(meta.polluted).toBeUndefined();
    expect(JSON.stringify(wire)).toBe(
      '{"metadata":{"name":"a","__proto__":{"polluted":true}},"involvedObject":{}}',
    );
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

describe('reviveFrom', () => {
  const time = fc.oneof(
    fc.date({ noInvalidDate: false }),
    fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)) }),
    fc.constantFrom(undefined, null, '2026-07-24T10:00:05Z', 'soon'),
  );

  it('gives what fromWire gives for the wire form of the same event (property)', () => {
    fc.assert(
      fc.property(
        time,
        time,
        time,
        time,
        fc.option(fc.record({ count: fc.nat(), lastObservedTime: time })),
        (
          creationTimestamp,
          firstTimestamp,
          lastTimestamp,
          eventTime,
          series,
        ) => {
          const event = {
            metadata: { name: 'a', creationTimestamp },
            involvedObject: { kind: 'Pod' },
            firstTimestamp,
            lastTimestamp,
            eventTime,
            ...(series === null ? {} : { series }),
          } as unknown as Event;
          const expected = fromWire<Event>(toWire(event));
          expect(
            reviveFrom<Event>(toWire(event), event, creationTimestamp),
          ).toStrictEqual(expected);
        },
      ),
    );
  });
});
