import type { Event } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyCountPatch,
  applyMergePatch,
  cloneEvent,
  parsePatchBody,
} from './eventObject.js';

function generic(event: Event, body: string): Event {
  return cloneEvent(
    applyMergePatch(
      cloneEvent(event) as unknown as Record<string, unknown>,
      parsePatchBody(body),
    ) as unknown as Event,
  );
}

const stored = fc.record(
  {
    metadata: fc.record({
      name: fc.constantFrom('web-1.17a', 'db.17b'),
      namespace: fc.constantFrom('shop', 'default'),
      resourceVersion: fc.constantFrom('1', '42'),
      uid: fc.constant('u-1'),
      creationTimestamp: fc.constant(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))),
    }),
    involvedObject: fc.record({ kind: fc.constant('Pod'), name: fc.string() }),
    reason: fc.string(),
    message: fc.string(),
    source: fc.record({ component: fc.string() }),
    firstTimestamp: fc.date({ noInvalidDate: true }),
    lastTimestamp: fc.date({ noInvalidDate: true }),
    count: fc.nat(),
    type: fc.constantFrom('Normal', 'Warning'),
    reportingComponent: fc.string(),
    reportingInstance: fc.string(),
  },
  { requiredKeys: ['metadata', 'involvedObject'] },
) as fc.Arbitrary<Event>;

const time = fc.oneof(
  fc
    .date({
      min: new Date(Date.UTC(1970, 0, 1)),
      max: new Date(Date.UTC(9999, 0, 1)),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  fc.constantFrom(
    '2026-11-26T16:00:00Z',
    '2026-11-26T16:00:00.123456+01:00',
    'not a time',
    '',
  ),
);

// Bodies in the correlator's shape, and near misses that must take the
// generic path: other keys, other value types, a null, a missing key.
const mostly = (
  usual: fc.Arbitrary<unknown>,
  ...others: fc.Arbitrary<unknown>[]
): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3 * others.length, arbitrary: usual },
    ...others.map((arbitrary) => ({ weight: 1, arbitrary })),
  );

const body = fc
  .record({
    count: mostly(fc.nat(), fc.double(), fc.constant(null), fc.string()),
    lastTimestamp: mostly(time, fc.constant(null), fc.nat()),
    message: mostly(fc.string(), fc.constant(null), fc.nat()),
    extra: mostly(fc.constant(undefined), fc.string()),
    keys: mostly(
      fc.shuffledSubarray(['count', 'lastTimestamp', 'message'], {
        minLength: 3,
      }),
      fc.shuffledSubarray(['count', 'lastTimestamp', 'message'], {
        minLength: 1,
      }),
    ),
  })
  .map(({ extra, keys, ...fields }) => {
    const out: Record<string, unknown> = {};
    for (const key of keys as string[])
      out[key] = fields[key as keyof typeof fields];
    if (extra !== undefined) out['reason'] = extra;
    return JSON.stringify(out);
  });

describe('applyCountPatch', () => {
  it('gives the same event as the generic merge, or steps aside', () => {
    let taken = 0;
    fc.assert(
      fc.property(stored, body, (event, patchBody) => {
        const fast = applyCountPatch(event, parsePatchBody(patchBody));
        if (fast === undefined) return;
        taken++;
        expect(fast).toStrictEqual(generic(event, patchBody));
        expect(fast.lastTimestamp).not.toBe(event.lastTimestamp);
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise the fast path, not only the near misses.
    expect(taken).toBeGreaterThan(300);
  });

  it('takes the correlator count patch, in any key order', () => {
    const event: Event = {
      metadata: { name: 'web-1.17a', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'web-1' },
      count: 1,
    };
    const body =
      '{"message":"again","lastTimestamp":"2026-11-26T16:00:01Z","count":2}';
    const fast = applyCountPatch(event, parsePatchBody(body));
    expect(fast).toStrictEqual({
      ...generic(event, body),
      lastTimestamp: new Date(Date.UTC(2026, 10, 26, 16, 0, 1)),
    });
    expect(applyCountPatch(event, parsePatchBody('{"count":2}'))).toBe(
      undefined,
    );
  });
});

describe('applyMergePatch', () => {
  it('never merges into or through "__proto__", whatever the patch', () => {
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(
            '{"__proto__":{"polluted":"yes"}}',
            '{"metadata":{"__proto__":{"polluted":"yes"}}}',
            '{"a":{"__proto__":{"polluted":"yes"}},"__proto__":"x"}',
            '{"constructor":{"prototype":{"polluted":"yes"}}}',
            '{"toString":{"polluted":"yes"}}',
          ),
          (body) => {
            const target: Record<string, unknown> = { metadata: { name: 'a' } };
            applyMergePatch(target, parsePatchBody(body));
            expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
            expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
            expect(Object.hasOwn(target, '__proto__')).toBe(false);
          },
        ),
      );
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });
});
