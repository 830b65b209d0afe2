import { parseTime, type Event } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkShape,
  cloneEvent,
  readCountPatch,
  readSeriesPatch,
} from './eventObject.js';
import { NO_SLOT, StoredEvents } from './storedEvents.js';

const ref = fc.record(
  {
    kind: fc.string(),
    apiVersion: fc.string(),
    name: fc.string(),
    namespace: fc.string(),
    uid: fc.string(),
    resourceVersion: fc.string(),
    fieldPath: fc.string(),
    extra: fc.string(),
  },
  { requiredKeys: [] },
);

const date = fc.date({
  min: new Date(Date.UTC(1960, 0, 1)),
  max: new Date(Date.UTC(2200, 0, 1)),
  noInvalidDate: true,
});

// Events as callers pass them: optional fields, unknown fields, and now and
// then a value of the wrong type or an invalid date.
const input = fc.record(
  {
    metadata: fc.record(
      {
        name: fc.string(),
        namespace: fc.string(),
        labels: fc.dictionary(fc.string(), fc.string()),
        generateName: fc.string(),
      },
      { requiredKeys: [] },
    ),
    involvedObject: fc.oneof(
      { weight: 9, arbitrary: ref },
      { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'pod', []) },
    ),
    reason: fc.oneof(fc.string(), fc.constant(7)),
    message: fc.string(),
    source: fc.oneof(
      fc.record(
        { component: fc.string(), host: fc.string() },
        { requiredKeys: [] },
      ),
      fc.constant('kubelet'),
    ),
    firstTimestamp: fc.oneof(
      { weight: 9, arbitrary: date },
      { weight: 1, arbitrary: fc.constant(new Date(Number.NaN)) },
    ),
    lastTimestamp: date,
    count: fc.oneof(fc.integer(), fc.constant(1.5)),
    type: fc.constantFrom('Normal', 'Warning'),
    eventTime: date,
    series: fc.oneof(
      fc.record({ count: fc.integer(), lastObservedTime: date }),
      fc.record({ count: fc.constant('2') }),
    ),
    action: fc.string(),
    related: ref,
    reportingComponent: fc.string(),
    reportingInstance: fc.string(),
    unknown: fc.string(),
  },
  { requiredKeys: ['metadata'] },
) as unknown as fc.Arbitrary<Event>;

/** What the store kept before: a checked, normalised copy, with the server's fields. */
function expected(event: Event): Event {
  const copy = cloneEvent(event);
  copy.involvedObject ??= {};
  for (const key of ['firstTimestamp', 'lastTimestamp'] as const) {
    const at = copy[key];
    if (at !== undefined)
      copy[key] = new Date(Math.floor(at.getTime() / 1000) * 1000);
  }
  copy.reportingComponent ??= '';
  copy.reportingInstance ??= '';
  Object.assign(copy.metadata, serverFields);
  return copy;
}

const serverFields = {
  resourceVersion: '12',
  uid: 'the-uid',
  creationTimestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
};

function withServerFields(events: StoredEvents, slot: number): number {
  events.resourceVersion[slot] = 12;
  events.creationSeconds[slot] = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
  return slot;
}

describe('StoredEvents', () => {
  it('reads a create straight from the input into what copying, checking and normalising it gave', () => {
    let taken = 0;
    const events = new StoredEvents();
    fc.assert(
      fc.property(input, (event) => {
        const slot = events.fromInput(event);
        const shapeOk =
          typeof event.involvedObject === 'object' &&
          event.involvedObject !== null &&
          checkShape(cloneEvent(event) as unknown as Record<string, unknown>)
            .length === 0;
        if (slot === NO_SLOT) return;
        taken++;
        expect(shapeOk).toBe(true);
        withServerFields(events, slot);
        expect(events.toEvent(slot, 'the-uid', false)).toStrictEqual(
          expected(event),
        );
        // Freed slots are reused: what a slot held must not leak into the next.
        if (taken % 2 === 0) events.release(slot);
      }),
      { numRuns: 2000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('copies the usual shapes out as the field-by-field copy does', () => {
    // Every field a recorder sets, so that the copies take the literal path;
    // each optional one is left out now and then to take the other.
    const usual = fc.record(
      {
        metadata: fc.record(
          { name: fc.string(), namespace: fc.string() },
          { requiredKeys: ['name', 'namespace'] },
        ),
        involvedObject: fc.record(
          {
            kind: fc.string(),
            apiVersion: fc.string(),
            name: fc.string(),
            namespace: fc.string(),
            uid: fc.string(),
            resourceVersion: fc.string(),
          },
          {
            requiredKeys: ['kind', 'apiVersion', 'name', 'namespace', 'uid'],
          },
        ),
        reason: fc.string(),
        message: fc.string(),
        source: fc.record(
          { component: fc.string(), host: fc.string() },
          { requiredKeys: ['component'] },
        ),
        firstTimestamp: date,
        lastTimestamp: date,
        count: fc.nat(),
        type: fc.constantFrom('Normal', 'Warning'),
        reportingComponent: fc.string(),
        reportingInstance: fc.string(),
        action: fc.string(),
      },
      {
        requiredKeys: [
          'metadata',
          'involvedObject',
          'reason',
          'message',
          'source',
          'firstTimestamp',
          'lastTimestamp',
          'count',
          'type',
          'reportingComponent',
          'reportingInstance',
        ],
      },
    ) as unknown as fc.Arbitrary<Event>;
    const events = new StoredEvents();
    fc.assert(
      fc.property(usual, fc.boolean(), (event, typeMeta) => {
        const slot = withServerFields(events, events.fromInput(event));
        // What the store answered before: a copy of the stored event, in
        // cloneEvent's order of fields.
        const want = cloneEvent(expected(event), typeMeta);
        const got = events.toEvent(slot, 'the-uid', typeMeta);
        expect(got).toStrictEqual(want);
        // The same keys in the same order, as JSON shows them.
        expect(JSON.stringify(got)).toBe(JSON.stringify(want));
        events.release(slot);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives back every field of the internal event it was filled from', () => {
    const events = new StoredEvents();
    fc.assert(
      fc.property(input, (event) => {
        const internal = expected(event);
        if (
          !Array.isArray(internal.involvedObject) &&
          typeof internal.involvedObject === 'object' &&
          checkShape(internal as unknown as Record<string, unknown>).length ===
            0
        ) {
          const slot = events.alloc();
          events.fill(slot, cloneEvent(internal));
          withServerFields(events, slot);
          expect(events.toEvent(slot, 'the-uid', true)).toStrictEqual({
            apiVersion: 'v1',
            kind: 'Event',
            ...internal,
          });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('hands out copies that share nothing with the stored event or the input', () => {
    const event: Event = {
      metadata: { name: 'a.1', namespace: 'shop', labels: { app: 'web' } },
      involvedObject: { kind: 'Pod', name: 'a' },
      series: { count: 2, lastObservedTime: new Date(0) },
      related: { kind: 'Node', name: 'n1' },
    };
    const events = new StoredEvents();
    const stored = withServerFields(events, events.fromInput(event));
    event.metadata.labels!['app'] = 'changed';
    event.series!.lastObservedTime.setTime(5);
    event.related!.name = 'changed';
    const first = events.toEvent(stored, 'u', false);
    first.metadata.labels!['app'] = 'again';
    first.series!.count = 9;
    first.related!.name = 'again';
    expect(events.toEvent(stored, 'u', false)).toMatchObject({
      metadata: { labels: { app: 'web' } },
      series: { count: 2, lastObservedTime: new Date(0) },
      related: { name: 'n1' },
    });
  });
});

/** What JSON.parse and the generic count patch take from a body, if they take it. */
function parsed(
  body: string,
): { count: number; lastMs: number; message: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { count, lastTimestamp, message } = value as Record<string, unknown>;
  if (
    !Number.isSafeInteger(count) ||
    typeof lastTimestamp !== 'string' ||
    typeof message !== 'string'
  )
    return undefined;
  const last = parseTime(lastTimestamp);
  if (last === undefined) return undefined;
  return { count: count as number, lastMs: last.getTime(), message };
}

describe('readCountPatch', () => {
  const timeText = fc.oneof(
    date.map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
    fc.constantFrom('2026-11-26T16:00:00.123456+01:00', 'yesterday', ''),
    fc.string(),
  );
  const correlatorBody = fc
    .record({
      count: fc.oneof(
        fc.nat(),
        fc.integer(),
        fc.double(),
        fc.constant(2 ** 60),
      ),
      lastTimestamp: timeText,
      message: fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
    })
    .map((fields) => JSON.stringify(fields));
  const nearMiss = fc.oneof(
    correlatorBody.map((body) => body.replace(':', ': ')),
    correlatorBody.map((body) => body.slice(0, -1)),
    correlatorBody.map((body) => `${body} `),
    correlatorBody.map((body) => body.replace('"count":', '"count":0')),
    fc
      .string({ unit: 'binary' })
      .map(
        (s) =>
          `{"count":1,"lastTimestamp":"2026-11-26T16:00:00Z","message":"${s}"}`,
      ),
  );

  it('reads what JSON.parse reads from the correlator body, or steps aside', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(correlatorBody, nearMiss), (body) => {
        const fast = readCountPatch(body);
        if (fast === undefined) return;
        taken++;
        expect(fast).toStrictEqual(parsed(body));
      }),
      { numRuns: 5000 },
    );
    expect(taken).toBeGreaterThan(300);
  });

  it('takes every body the correlator writes for a plain message', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        date,
        fc.stringMatching(/^[^"\\\p{Cc}]*$/u),
        (count, at, message) => {
          const body = `{"count":${count},"lastTimestamp":"${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}","message":${JSON.stringify(message)}}`;
          expect(readCountPatch(body)).toStrictEqual(parsed(body));
          expect(readCountPatch(body)).toBeDefined();
        },
      ),
    );
  });
});

describe('readSeriesPatch', () => {
  it('reads what JSON.parse reads from the series tracker body, or steps aside', () => {
    let taken = 0;
    const text = fc.oneof(
      date.map((d) => d.toISOString().replace('Z', '000Z')),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(2 ** 60)),
        text,
        fc.constantFrom('', ' ', '0'),
        (count, at, noise) => {
          const body = `{"series":{"count":${noise}${JSON.stringify(count)},"lastObservedTime":${JSON.stringify(at)}}}`;
          const fast = readSeriesPatch(body);
          if (fast === undefined) return;
          taken++;
          const { series } = JSON.parse(body) as {
            series: { count: number; lastObservedTime: string };
          };
          expect(Number.isSafeInteger(series.count)).toBe(true);
          expect(fast).toStrictEqual({
            count: series.count,
            lastMs: parseTime(series.lastObservedTime)?.getTime(),
          });
        },
      ),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(100);
  });
});
