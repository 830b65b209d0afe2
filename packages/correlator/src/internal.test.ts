import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Event } from '@event-recorder/core';
import { cloneEvent } from './internal.js';

// What the copy must equal: every own enumerable field of the input, with the
// nested records and the Dates copied one level deep (the spread-based copy
// cloneEvent replaced for speed).
function reference(event: Record<string, unknown>): Record<string, unknown> {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const copy = (v: unknown): unknown =>
    v instanceof Date
      ? new Date(v.getTime())
      : isRecord(v)
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [
              k,
              x instanceof Date ? new Date(x.getTime()) : x,
            ]),
          )
        : v;
  // The nested records are spread, even when they are (malformed) Dates.
  const records = ['metadata', 'involvedObject', 'source', 'series', 'related'];
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(event).map(([k, v]) => [
      k,
      records.includes(k)
        ? v instanceof Date
          ? {}
          : copy(v)
        : v instanceof Date
          ? new Date(v.getTime())
          : v,
    ]),
  );
  for (const k of ['metadata', 'involvedObject']) {
    if (!isRecord(out[k])) out[k] = {};
  }
  const meta = out.metadata as Record<string, unknown>;
  for (const k of ['annotations', 'labels']) {
    if (isRecord(meta[k])) meta[k] = { ...(meta[k] as object) };
  }
  return out;
}

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);
const fieldName = fc.constantFrom(
  'name',
  'namespace',
  'uid',
  'kind',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
  'component',
  'host',
  'count',
  'lastObservedTime',
  'creationTimestamp',
  'extra',
  '__proto__',
);
const record = fc.dictionary(fieldName, scalar, { maxKeys: 6 });
const event = fc.dictionary(
  fc.constantFrom(
    'apiVersion',
    'kind',
    'metadata',
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
    'unknownField',
    '__proto__',
  ),
  fc.oneof(scalar, record, fc.constant(null)),
  { maxKeys: 14 },
);

// The objects a copy must not share with its input: the known nested records,
// the annotations and labels, and the known timestamps.
function owned(event: Record<string, unknown>): object[] {
  const out: object[] = [];
  const take = (v: unknown) => {
    if (typeof v === 'object' && v !== null) out.push(v);
  };
  for (const k of ['metadata', 'involvedObject', 'source', 'series', 'related'])
    take(event[k]);
  for (const k of ['firstTimestamp', 'lastTimestamp', 'eventTime'])
    if (event[k] instanceof Date) take(event[k]);
  const meta = event.metadata as Record<string, unknown> | null | undefined;
  if (typeof meta === 'object' && meta !== null) {
    take(meta.annotations);
    take(meta.labels);
    if (meta.creationTimestamp instanceof Date) take(meta.creationTimestamp);
  }
  const series = event.series as Record<string, unknown> | null | undefined;
  if (typeof series === 'object' && series !== null) {
    if (series.lastObservedTime instanceof Date) take(series.lastObservedTime);
  }
  return out;
}

/** The copy equals the spread-based reference and shares no object with its input. */
function expectFaithfulCopy(input: Record<string, unknown>): void {
  const copy = cloneEvent(input as unknown as Event) as unknown as Record<
    string,
    unknown
  >;
  expect(copy).toStrictEqual(reference(input));
  expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  const theirs = new Set(owned(input));
  for (const mine of owned(copy)) expect(theirs.has(mine)).toBe(false);
}

describe('cloneEvent', () => {
  it('copies every field, known or not, and shares no object with its input', () => {
    fc.assert(fc.property(event, expectFaithfulCopy), { numRuns: 500 });
  });

  // The recorder's shapes take literal fast paths (the event, its metadata,
  // reference and source): the same property, on inputs in those shapes,
  // with values of any type, now and then an unknown field, or a known one
  // missing.
  it('copies the recorder’s shapes (the fast paths) exactly as any other', () => {
    const optional = (arb: fc.Arbitrary<unknown>) =>
      fc.oneof({ arbitrary: arb, weight: 9 }, { arbitrary: scalar, weight: 1 });
    const metadata = fc.record(
      { name: optional(fc.string()), namespace: optional(fc.string()) },
      { requiredKeys: [] },
    );
    const ref = fc.record(
      {
        kind: optional(fc.string()),
        apiVersion: optional(fc.string()),
        name: optional(fc.string()),
        namespace: optional(fc.string()),
        uid: optional(fc.string()),
        resourceVersion: fc.string(),
        fieldPath: fc.string(),
      },
      { requiredKeys: ['kind', 'apiVersion', 'name', 'namespace', 'uid'] },
    );
    const source = fc.record(
      { component: optional(fc.string()), host: fc.string() },
      { requiredKeys: ['component'] },
    );
    const withExtra = (arb: fc.Arbitrary<Record<string, unknown>>) =>
      fc
        .tuple(arb, fc.option(fc.dictionary(fieldName, scalar, { maxKeys: 2 })))
        .map(([base, extra]) => {
          const out: Record<string, unknown> = { ...base };
          for (const [k, v] of Object.entries(extra ?? {})) {
            Object.defineProperty(out, k, {
              value: v,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
          return out;
        });
    const shaped = withExtra(
      fc.record(
        {
          metadata: optional(withExtra(metadata)),
          involvedObject: optional(withExtra(ref)),
          reason: optional(fc.string()),
          message: optional(fc.string()),
          source: optional(withExtra(source)),
          firstTimestamp: optional(fc.date({ noInvalidDate: true })),
          lastTimestamp: optional(fc.date({ noInvalidDate: true })),
          count: optional(fc.integer()),
          type: optional(fc.constantFrom('Normal', 'Warning')),
          reportingComponent: optional(fc.string()),
          reportingInstance: optional(fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(fc.property(shaped, expectFaithfulCopy), { numRuns: 1000 });
  });

  it('keeps a __proto__ field as a plain field, never as the prototype', () => {
    const input = JSON.parse(
      '{"metadata":{"__proto__":{"polluted":true}},"involvedObject":{},"__proto__":{"x":1}}',
    ) as Event;
    const copy = cloneEvent(input) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
