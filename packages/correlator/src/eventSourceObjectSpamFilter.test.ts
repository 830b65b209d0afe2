import { FakeClock, InvalidOptionError } from '@event-recorder/core';
import type { Event } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventSourceObjectSpamFilter } from './eventSourceObjectSpamFilter.js';

const T0 = Date.UTC(2026, 6, 24, 10, 0, 0);

function eventAbout(name: string, type = 'Normal', reason = 'Started'): Event {
  return {
    metadata: {},
    involvedObject: { kind: 'Pod', name, namespace: 'ns', uid: 'u1' },
    source: { component: 'c', host: 'h' },
    type,
    reason,
    message: `m-${reason}`,
  };
}

describe('EventSourceObjectSpamFilter', () => {
  it('lets a burst of 25 per object pass, then one every 300 seconds', () => {
    const clock = new FakeClock(T0);
    const filter = new EventSourceObjectSpamFilter({ clock });
    const spam: boolean[] = [];
    for (let i = 0; i < 26; i++) spam.push(filter.filter(eventAbout('a')));
    expect(spam.slice(0, 25).every((s) => !s)).toBe(true);
    expect(spam[25]).toBe(true);
    clock.step(300_000);
    expect(filter.filter(eventAbout('a'))).toBe(false);
    expect(filter.filter(eventAbout('a'))).toBe(true);
  });

  it('keeps one bucket per source, object and type, ignoring the reason', () => {
    const filter = new EventSourceObjectSpamFilter({
      clock: new FakeClock(T0),
      burst: 1,
    });
    expect(filter.filter(eventAbout('a', 'Normal', 'One'))).toBe(false);
    expect(filter.filter(eventAbout('a', 'Normal', 'Two'))).toBe(true);
    expect(filter.filter(eventAbout('a', 'Warning', 'Two'))).toBe(false);
    expect(filter.filter(eventAbout('b', 'Normal', 'One'))).toBe(false);
  });

  it('uses a custom spam key function', () => {
    const filter = new EventSourceObjectSpamFilter({
      clock: new FakeClock(T0),
      burst: 1,
      spamKeyFunc: (e) => e.reason ?? '',
    });
    expect(filter.filter(eventAbout('a', 'Normal', 'One'))).toBe(false);
    expect(filter.filter(eventAbout('b', 'Warning', 'One'))).toBe(true);
    expect(filter.filter(eventAbout('a', 'Normal', 'Two'))).toBe(false);
  });

  it('gives an evicted key a fresh, full bucket', () => {
    const filter = new EventSourceObjectSpamFilter({
      clock: new FakeClock(T0),
      burst: 1,
      lruCacheSize: 2,
    });
    expect(filter.filter(eventAbout('a'))).toBe(false);
    expect(filter.filter(eventAbout('a'))).toBe(true);
    expect(filter.filter(eventAbout('b'))).toBe(false);
    // A is used again, so C evicts B rather than A.
    expect(filter.filter(eventAbout('a'))).toBe(true);
    expect(filter.filter(eventAbout('c'))).toBe(false);
    expect(filter.filter(eventAbout('a'))).toBe(true);
    expect(filter.filter(eventAbout('b'))).toBe(false);
  });

  it('reads the clock once per event', () => {
    let reads = 0;
    const filter = new EventSourceObjectSpamFilter({
      clock: { now: () => (reads++, new Date(T0)) },
    });
    filter.filter(eventAbout('a'));
    filter.filter(eventAbout('b'));
    expect(reads).toBe(2);
  });

  it('treats 0 as the default and rejects negative or fractional options', () => {
    const filter = new EventSourceObjectSpamFilter({
      clock: new FakeClock(T0),
      burst: 0,
      qps: 0,
      lruCacheSize: 0,
    });
    let passed = 0;
    for (let i = 0; i < 30; i++) if (!filter.filter(eventAbout('a'))) passed++;
    expect(passed).toBe(25);
    expect(() => new EventSourceObjectSpamFilter({ burst: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new EventSourceObjectSpamFilter({ qps: -1 })).toThrow(
      InvalidOptionError,
    );
    expect(
      () => new EventSourceObjectSpamFilter({ lruCacheSize: 1.5 }),
    ).toThrow(InvalidOptionError);
  });

  it('never admits more than burst + elapsed × qps for one key', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 5_000 }),
            object: fc.constantFrom('a', 'b', 'c'),
          }),
          { maxLength: 300 },
        ),
        (burst, qps, steps) => {
          const clock = new FakeClock(T0);
          const filter = new EventSourceObjectSpamFilter({
            clock,
            burst,
            qps,
          });
          const admitted = new Map<string, number>();
          let elapsedMs = 0;
          for (const { gap, object } of steps) {
            clock.step(gap);
            elapsedMs += gap;
            if (!filter.filter(eventAbout(object))) {
              admitted.set(object, (admitted.get(object) ?? 0) + 1);
            }
            const limit = burst + (elapsedMs / 1000) * Math.fround(qps);
            for (const n of admitted.values()) {
              expect(n).toBeLessThanOrEqual(limit + 1e-6);
            }
          }
        },
      ),
    );
  });
});
