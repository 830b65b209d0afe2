import { FakeClock, InvalidOptionError } from '@event-recorder/core';
import type { EventsV1Event } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventSeriesTracker,
  getIsomorphicKey,
  seriesFinishTimeMs,
} from './eventSeriesTracker.js';
import type { SeriesWrite } from './eventSeriesTracker.js';

const T0 = Date.parse('2026-07-24T10:00:00.250Z');
const MIN = 60_000;

let serial = 0;
/** An event as the events.k8s.io recorder builds it (spec §4.4 TestEventSeriesf). */
function eventf(at: number, extra: Partial<EventsV1Event> = {}): EventsV1Event {
  serial++;
  return {
    metadata: { name: `foo.${serial}`, namespace: 'baz' },
    eventTime: new Date(at),
    reportingController: 'eventTest',
    reportingInstance: 'eventTest-host',
    action: 'started',
    reason: 'test',
    type: 'Normal',
    note: 'some verbose message: 1',
    regarding: {
      kind: 'Pod',
      name: 'foo',
      namespace: 'baz',
      uid: 'bar',
      apiVersion: 'v1',
      fieldPath: '.spec.containers[1]',
    },
    related: {
      kind: 'Pod',
      name: 'foo',
      namespace: 'baz',
      uid: 'bar',
      apiVersion: 'v1',
      fieldPath: '.spec.containers[0]',
    },
    ...extra,
  };
}

function patchOf(write: SeriesWrite | undefined): string {
  if (write?.kind !== 'patch') throw new Error('expected a patch');
  return write.patch;
}

describe('EventSeriesTracker: client-go TestEventSeriesf (spec §4.4)', () => {
  it('creates the first event, patches the second into a series of 2, and creates a non-isomorphic one', () => {
    const tracker = new EventSeriesTracker();
    const first = eventf(T0);
    const [create] = tracker.observe(first, new Date(T0));
    expect(create).toEqual({
      kind: 'create',
      event: first,
      cause: 'first',
      occurrences: 1,
    });

    const writes = tracker.observe(eventf(T0 + 1000), new Date(T0 + 1000));
    expect(writes).toHaveLength(1);
    const [series] = writes;
    expect(series?.kind).toBe('patch');
    expect(series?.event.metadata.name).toBe(first.metadata.name);
    expect(series?.event.series).toEqual({
      count: 2,
      lastObservedTime: new Date(T0 + 1000),
    });
    expect(series?.cause).toBe('series');

    const stopped = eventf(T0 + 2000, { action: 'stopped' });
    const [other] = tracker.observe(stopped, new Date(T0 + 2000));
    expect(other?.kind).toBe('create');
    expect(other?.event.series).toBeUndefined();
  });
});

describe('EventSeriesTracker: occurrences', () => {
  it('reports every observed occurrence in exactly one write, whatever ends the series', () => {
    // Any sequence of observations (two keys, two notes with 'latest', a
    // cache of one or two entries), heartbeats, finishes and flushes: the
    // occurrences reported by all writes plus those still unsent add up to
    // the observations.
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('observe' as const),
        action: fc.constantFrom('started', 'stopped'),
        note: fc.constantFrom('n1', 'n2'),
        gapMs: fc.nat(500_000),
      }),
      fc.record({
        kind: fc.constantFrom(
          'heartbeat' as const,
          'finish' as const,
          'flush' as const,
        ),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 80 }),
        fc.constantFrom<'first' | 'latest'>('first', 'latest'),
        fc.integer({ min: 1, max: 2 }),
        (steps, notePolicy, maxEntries) => {
          const tracker = new EventSeriesTracker({ notePolicy, maxEntries });
          let now = T0;
          let observed = 0;
          let reported = 0;
          const add = (writes: SeriesWrite[]) => {
            for (const w of writes) reported += w.occurrences;
          };
          for (const s of steps) {
            if (s.kind === 'observe') {
              now += s.gapMs;
              observed++;
              add(
                tracker.observe(
                  eventf(now, { action: s.action, note: s.note }),
                  new Date(now),
                ),
              );
            } else if (s.kind === 'heartbeat') {
              add(tracker.heartbeat(new Date(now)));
            } else if (s.kind === 'finish') {
              add(tracker.finish(new Date(now)));
            } else {
              add(tracker.openSeries({ onlyUnsent: true }));
            }
          }
          const unsent = tracker.takeUnsent();
          expect(reported + unsent).toBe(observed);
          expect(tracker.takeUnsent()).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts repeats of an open series locally and reports them with its next write', () => {
    const tracker = new EventSeriesTracker();
    tracker.observe(eventf(T0), new Date(T0));
    tracker.observe(eventf(T0 + 1), new Date(T0 + 1));
    for (let i = 2; i < 5; i++) {
      expect(tracker.observe(eventf(T0 + i), new Date(T0 + i))).toEqual([]);
    }
    expect(
      tracker.openSeries({ onlyUnsent: true }).map((w) => w.occurrences),
    ).toEqual([3]);
    expect(tracker.openSeries({ onlyUnsent: true })).toEqual([]);
    expect(tracker.openSeries().map((w) => w.occurrences)).toEqual([0]);
    tracker.observe(eventf(T0 + 5), new Date(T0 + 5));
    expect(tracker.heartbeat().map((w) => w.occurrences)).toEqual([1]);
    tracker.observe(eventf(T0 + 6), new Date(T0 + 6));
    const [final] = tracker.finish(new Date(T0 + 6 + seriesFinishTimeMs + 1));
    expect(final?.cause).toBe('finish');
    expect(final?.occurrences).toBe(1);
    expect(tracker.takeUnsent()).toBe(0);
  });
});

describe('EventSeriesTracker: derived vector 8 (spec §4.6)', () => {
  it('counts locally, heartbeats the count, finishes after more than 6 idle minutes, then starts over', () => {
    const tracker = new EventSeriesTracker();
    const first = eventf(T0);
    expect(tracker.observe(first, new Date(T0))[0]?.kind).toBe('create');
    expect(patchOf(tracker.observe(eventf(T0), new Date(T0 + 1000))[0])).toBe(
      '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:01.250000Z"}}',
    );
    expect(tracker.observe(eventf(T0), new Date(T0 + 2000))).toEqual([]);

    const beats = tracker.heartbeat(new Date(T0 + 30 * MIN));
    expect(beats.map(patchOf)).toEqual([
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:02.250000Z"}}',
    ]);
    expect(beats[0]?.cause).toBe('heartbeat');
    expect(beats[0]?.event.metadata.name).toBe(first.metadata.name);
    expect(beats[0]?.event.note).toBe(first.note);

    // Exactly 6 minutes idle is not more than 6 minutes.
    expect(tracker.finish(new Date(T0 + 2000 + seriesFinishTimeMs))).toEqual(
      [],
    );
    const finals = tracker.finish(new Date(T0 + 2000 + seriesFinishTimeMs + 1));
    expect(finals.map(patchOf)).toEqual([
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:02.250000Z"}}',
    ]);
    expect(finals[0]?.cause).toBe('finish');
    expect(tracker.size).toBe(0);

    const again = eventf(T0 + 10 * MIN);
    const [create] = tracker.observe(again, new Date(T0 + 10 * MIN));
    expect(create?.kind).toBe('create');
    expect(create?.event.metadata.name).toBe(again.metadata.name);
    expect(create?.event.metadata.name).not.toBe(first.metadata.name);
  });
});

describe('EventSeriesTracker: note policy', () => {
  it('keeps the first note forever by default (spec §4.6 vector 9)', () => {
    const tracker = new EventSeriesTracker();
    tracker.observe(eventf(T0, { note: 'A' }), new Date(T0));
    const [write] = tracker.observe(eventf(T0, { note: 'B' }), new Date(T0));
    expect(patchOf(write)).toBe(
      '{"series":{"count":2,"lastObservedTime":"2026-07-24T10:00:00.250000Z"}}',
    );
    expect(write?.event.note).toBe('A');
    expect(tracker.heartbeat()[0]?.event.note).toBe('A');
  });

  it("with 'latest', ends the series with its final count and creates an event with the new note", () => {
    const tracker = new EventSeriesTracker({ notePolicy: 'latest' });
    const a = eventf(T0, { note: 'A' });
    tracker.observe(a, new Date(T0));
    tracker.observe(eventf(T0, { note: 'A' }), new Date(T0 + 1000));
    tracker.observe(eventf(T0, { note: 'A' }), new Date(T0 + 2000));
    const b = eventf(T0 + 3000, { note: 'B' });
    const writes = tracker.observe(b, new Date(T0 + 3000));
    expect(writes.map((w) => [w.kind, w.cause, w.event.note])).toEqual([
      ['patch', 'noteChanged', 'A'],
      ['create', 'first', 'B'],
    ]);
    expect(patchOf(writes[0])).toBe(
      '{"series":{"count":3,"lastObservedTime":"2026-07-24T10:00:02.250000Z"}}',
    );
    expect(writes[0]?.event.metadata.name).toBe(a.metadata.name);
    expect(writes[1]?.event.metadata.name).toBe(b.metadata.name);
    // The new event forms its own series.
    const [next] = tracker.observe(
      eventf(T0, { note: 'B' }),
      new Date(T0 + 4000),
    );
    expect(next?.event.metadata.name).toBe(b.metadata.name);
    expect(next?.event.series?.count).toBe(2);
    expect(tracker.size).toBe(1);
  });

  it("with 'latest', replaces a single event without a final write", () => {
    const tracker = new EventSeriesTracker({ notePolicy: 'latest' });
    tracker.observe(eventf(T0, { note: 'A' }), new Date(T0));
    const writes = tracker.observe(eventf(T0, { note: 'B' }), new Date(T0));
    expect(writes.map((w) => [w.kind, w.event.note])).toEqual([
      ['create', 'B'],
    ]);
  });

  it('rejects an unknown policy', () => {
    expect(
      () =>
        new EventSeriesTracker({
          notePolicy: 'newest' as unknown as 'latest',
        }),
    ).toThrow(InvalidOptionError);
  });
});

describe('EventSeriesTracker: finish and heartbeat (spec §4.4 TestFinishSeries, TestRefreshExistingEventSeries)', () => {
  it('finishes a series idle for 9 minutes with one patch and keeps a fresh single event', () => {
    const now = T0 + 20 * MIN;
    const tracker = new EventSeriesTracker();
    for (let i = 0; i < 10; i++) {
      tracker.observe(eventf(now - 9 * MIN), new Date(now - 9 * MIN));
    }
    tracker.observe(
      eventf(now, { reportingController: 'nonFinished-controller' }),
      new Date(now),
    );
    const writes = tracker.finish(new Date(now));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.event.series).toEqual({
      count: 10,
      lastObservedTime: new Date(now - 9 * MIN),
    });
    expect(tracker.size).toBe(1);
  });

  it('forgets a single event whose eventTime is more than 6 minutes old, silently', () => {
    const tracker = new EventSeriesTracker();
    tracker.observe(eventf(T0), new Date(T0));
    expect(tracker.finish(new Date(T0 + seriesFinishTimeMs))).toEqual([]);
    expect(tracker.size).toBe(1);
    expect(tracker.finish(new Date(T0 + seriesFinishTimeMs + 1))).toEqual([]);
    expect(tracker.size).toBe(0);
  });

  it('heartbeats every open series, and only those, without forgetting them', () => {
    const tracker = new EventSeriesTracker();
    for (let i = 0; i < 10; i++) {
      tracker.observe(eventf(T0 - 9 * MIN), new Date(T0 - 9 * MIN));
    }
    tracker.observe(eventf(T0, { action: 'single' }), new Date(T0));
    const writes = tracker.heartbeat(new Date(T0));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.event.series?.count).toBe(10);
    expect(tracker.size).toBe(2);
    expect(tracker.heartbeat(new Date(T0))).toHaveLength(1);
  });

  it('lists every open series for shutdown without changing anything', () => {
    const tracker = new EventSeriesTracker();
    tracker.observe(eventf(T0), new Date(T0));
    tracker.observe(eventf(T0), new Date(T0));
    tracker.observe(eventf(T0, { action: 'single' }), new Date(T0));
    const open = tracker.openSeries();
    expect(open.map((w) => [w.kind, w.cause, w.event.series?.count])).toEqual([
      ['patch', 'shutdown', 2],
    ]);
    expect(tracker.size).toBe(2);
    expect(tracker.observe(eventf(T0), new Date(T0))).toEqual([]);
  });

  it('uses its clock when no time is given', () => {
    const clock = new FakeClock(T0);
    const tracker = new EventSeriesTracker({ clock });
    tracker.observe(eventf(T0));
    clock.step(1000);
    const [write] = tracker.observe(eventf(T0));
    expect(write?.event.series?.lastObservedTime).toEqual(new Date(T0 + 1000));
    clock.step(seriesFinishTimeMs + 1);
    expect(tracker.finish()).toHaveLength(1);
  });
});

describe('EventSeriesTracker: bounded size', () => {
  it('evicts the least recently observed key, surfacing the final write of an open series', () => {
    const tracker = new EventSeriesTracker({ maxEntries: 2 });
    const k1 = eventf(T0, { action: 'k1' });
    tracker.observe(k1, new Date(T0));
    tracker.observe(eventf(T0, { action: 'k2' }), new Date(T0));
    tracker.observe(eventf(T0, { action: 'k1' }), new Date(T0 + 1000));
    // k1 was observed last, so k2 (a single event) goes silently.
    const w3 = tracker.observe(eventf(T0, { action: 'k3' }), new Date(T0));
    expect(w3.map((w) => [w.kind, w.cause])).toEqual([['create', 'first']]);
    // Now k1 is the least recently observed, with an open series.
    const w4 = tracker.observe(eventf(T0, { action: 'k4' }), new Date(T0));
    expect(w4.map((w) => [w.kind, w.cause, w.event.action])).toEqual([
      ['patch', 'evicted', 'k1'],
      ['create', 'first', 'k4'],
    ]);
    expect(w4[0]?.event.metadata.name).toBe(k1.metadata.name);
    expect(tracker.size).toBe(2);
  });
});

describe('getIsomorphicKey', () => {
  it('is what the tracker groups by: a second event joins the first’s series exactly when their keys are equal', () => {
    // The tracker keys by the fields joined with NUL characters, or by the
    // isomorphic key when a field holds a NUL; pieces of '', 'a', 'b' and
    // NULs make joins that would collide without that rule.
    const piece = fc.constantFrom('', 'a', 'b', '\u0000', 'a\u0000', '\u0000b');
    const event = fc.record({
      type: piece,
      action: piece,
      reason: piece,
      reportingController: piece,
      regarding: fc.record({ kind: piece, name: piece }),
      related: fc.record({ uid: piece }, { requiredKeys: [] }),
    });
    fc.assert(
      fc.property(event, event, (a, b) => {
        const tracker = new EventSeriesTracker({ clock: new FakeClock(T0) });
        const first = { ...eventf(T0), ...a } as EventsV1Event;
        const second = { ...eventf(T0), ...b } as EventsV1Event;
        if (b.related === undefined || Object.keys(b.related).length === 0)
          delete second.related;
        expect(tracker.observe(first).map((w) => w.kind)).toEqual(['create']);
        const same = getIsomorphicKey(first) === getIsomorphicKey(second);
        expect(tracker.observe(second).map((w) => w.kind)).toEqual([
          same ? 'patch' : 'create',
        ]);
        expect(tracker.size).toBe(same ? 1 : 2);
      }),
      { numRuns: 3000 },
    );
    // Fields whose NUL-joins are equal, as a random pair rarely is: the
    // NUL moves across the boundary between two fields, at either end.
    const cases: Array<[Partial<EventsV1Event>, Partial<EventsV1Event>]> = [
      [
        { type: 'a\u0000', action: '' },
        { type: 'a', action: '\u0000' },
      ],
      [
        { reason: 'x', reportingController: '\u0000y' },
        { reason: 'x\u0000', reportingController: 'y' },
      ],
      [
        { reportingInstance: 'i\u0000' },
        {
          reportingInstance: 'i',
          regarding: { ...eventf(T0).regarding, kind: '\u0000Pod' },
        },
      ],
    ];
    for (const [a, b] of cases) {
      const tracker = new EventSeriesTracker({ clock: new FakeClock(T0) });
      const first = { ...eventf(T0), ...a };
      const second = { ...eventf(T0), ...b };
      expect(getIsomorphicKey(first)).not.toBe(getIsomorphicKey(second));
      tracker.observe(first);
      expect(tracker.observe(second).map((w) => w.kind)).toEqual(['create']);
      expect(tracker.size).toBe(2);
    }
  });

  it('is the JSON array of the nineteen fields, whatever characters they hold', () => {
    const refFields = [
      'kind',
      'namespace',
      'name',
      'uid',
      'apiVersion',
      'resourceVersion',
      'fieldPath',
    ] as const;
    const text = fc.oneof(
      fc.constantFrom('', 'a', 'Pod', 'web-1'),
      fc.string({
        unit: fc.constantFrom(
          'a',
          '"',
          '\\',
          '\u0000',
          '\u001f',
          '\ud800',
          '\udc00',
          'é',
        ),
      }),
      fc.string({ unit: 'grapheme' }),
    );
    const value = fc.oneof(
      { arbitrary: text, weight: 6 },
      { arbitrary: fc.anything(), weight: 1 },
    );
    const ref = fc.oneof(
      fc.record(
        Object.fromEntries(refFields.map((f) => [f, value])) as Record<
          (typeof refFields)[number],
          fc.Arbitrary<unknown>
        >,
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const event = fc.record(
      {
        type: value,
        action: value,
        reason: value,
        reportingController: value,
        reportingInstance: value,
        regarding: ref,
        related: ref,
      },
      { requiredKeys: [] },
    );
    const asString = (v: unknown): string =>
      typeof v === 'string'
        ? v
        : typeof v === 'number' ||
            typeof v === 'boolean' ||
            typeof v === 'bigint'
          ? String(v)
          : '';
    const fields = (r: unknown): string[] => {
      const o =
        typeof r === 'object' && r !== null && !Array.isArray(r)
          ? (r as Record<string, unknown>)
          : {};
      return refFields.map((f) => asString(o[f]));
    };
    fc.assert(
      fc.property(event, (e) => {
        expect(getIsomorphicKey(e as unknown as EventsV1Event)).toBe(
          JSON.stringify([
            asString(e.type),
            asString(e.action),
            asString(e.reason),
            asString(e.reportingController),
            asString(e.reportingInstance),
            ...fields(e.regarding),
            ...fields(e.related),
          ]),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('includes the resourceVersion and fieldPath of regarding, excludes the note', () => {
    const base = eventf(T0);
    expect(getIsomorphicKey({ ...base, note: 'other' })).toBe(
      getIsomorphicKey(base),
    );
    expect(
      getIsomorphicKey({
        ...base,
        regarding: { ...base.regarding, resourceVersion: '2' },
      }),
    ).not.toBe(getIsomorphicKey(base));
    expect(
      getIsomorphicKey({
        ...base,
        regarding: { ...base.regarding, fieldPath: 'x' },
      }),
    ).not.toBe(getIsomorphicKey(base));
    expect(getIsomorphicKey({ ...base, type: 'Warning' })).not.toBe(
      getIsomorphicKey(base),
    );
    expect(getIsomorphicKey({ ...base, reportingInstance: 'i2' })).not.toBe(
      getIsomorphicKey(base),
    );
  });

  it('treats a missing related as the zero reference', () => {
    const { related: _related, ...base } = eventf(T0);
    expect(getIsomorphicKey(base)).toBe(
      getIsomorphicKey({ ...base, related: {} }),
    );
  });

  it('compares fields one by one, so concatenations do not collide', () => {
    const base = eventf(T0);
    expect(getIsomorphicKey({ ...base, action: 'ab', reason: 'c' })).not.toBe(
      getIsomorphicKey({ ...base, action: 'a', reason: 'bc' }),
    );
  });
});

describe('EventSeriesTracker: ownership', () => {
  it('never changes the input and hands out copies', () => {
    const tracker = new EventSeriesTracker();
    const input = eventf(T0);
    const before = structuredClone(input);
    const [create] = tracker.observe(input, new Date(T0));
    expect(create?.event).not.toBe(input);
    create!.event.metadata.name = 'changed';
    const [series] = tracker.observe(eventf(T0), new Date(T0));
    series!.event.series!.count = 99;
    expect(input).toEqual(before);
    expect(tracker.heartbeat()[0]?.event.metadata.name).toBe(
      input.metadata.name,
    );
    expect(tracker.heartbeat()[0]?.event.series?.count).toBe(2);
  });

  it('ignores input that is not an object', () => {
    const tracker = new EventSeriesTracker();
    expect(tracker.observe(null as unknown as EventsV1Event)).toEqual([]);
    expect(tracker.size).toBe(0);
  });
});

describe('EventSeriesTracker: properties', () => {
  it('loses no occurrence: once everything is finished, the counts written add up to the occurrences', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'first' | 'latest'>('first', 'latest'),
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 0, max: 10 * MIN }),
            action: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            note: fc.constantFrom('n1', 'n2'),
            tick: fc.constantFrom('none', 'finish', 'heartbeat'),
          }),
          { maxLength: 120 },
        ),
        (notePolicy, maxEntries, steps) => {
          const tracker = new EventSeriesTracker({ notePolicy, maxEntries });
          // Highest count written per event name (a create counts 1).
          const written = new Map<string, number>();
          const record = (writes: SeriesWrite[]): void => {
            for (const w of writes) {
              const name = w.event.metadata.name ?? '';
              const count = w.kind === 'patch' ? w.event.series!.count : 1;
              const before = written.get(name) ?? 0;
              expect(count).toBeGreaterThanOrEqual(before);
              written.set(name, count);
            }
          };
          let now = T0;
          for (const s of steps) {
            now += s.gapMs;
            record(
              tracker.observe(
                eventf(now, { action: s.action, note: s.note }),
                new Date(now),
              ),
            );
            if (s.tick === 'finish') record(tracker.finish(new Date(now)));
            if (s.tick === 'heartbeat')
              record(tracker.heartbeat(new Date(now)));
          }
          record(tracker.finish(new Date(now + seriesFinishTimeMs + 1)));
          expect(tracker.size).toBe(0);
          const total = [...written.values()].reduce((a, b) => a + b, 0);
          expect(total).toBe(steps.length);
        },
      ),
    );
  });
});
