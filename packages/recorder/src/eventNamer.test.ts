import { isDNS1123Subdomain } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventNamer, isSubdomainFast, nanosHex } from './eventNamer.js';

describe('isSubdomainFast', () => {
  it('agrees with core isDNS1123Subdomain on arbitrary strings', () => {
    const chars = fc.constantFrom(...'abz09-.A_/'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 80 }), (s) => {
        expect(isSubdomainFast(s)).toBe(isDNS1123Subdomain(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on the length limits of labels and names', () => {
    for (const s of [
      'a'.repeat(63),
      'a'.repeat(64),
      'a'.repeat(253),
      `${'a'.repeat(63)}.`.repeat(4).slice(0, 253),
      'a'.repeat(254),
    ]) {
      expect(isSubdomainFast(s)).toBe(isDNS1123Subdomain(s));
    }
  });
});

describe('nanosHex', () => {
  it('equals the BigInt computation of milliseconds × 10⁶ + offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 43 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        (ms, offset) => {
          expect(nanosHex(ms, offset)).toBe(
            (BigInt(ms) * 1_000_000n + BigInt(offset)).toString(16),
          );
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('formats client-go vectors', () => {
    expect(nanosHex(Date.parse('2023-01-01T12:00:00Z'), 0)).toBe(
      '17362d8e1c698000',
    );
    expect(nanosHex(0, 0)).toBe('0');
    expect(nanosHex(0, 255)).toBe('ff');
    expect(nanosHex(16_777_215, 999_999)).toBe(
      (16_777_215n * 1_000_000n + 999_999n).toString(16),
    );
  });
});

describe('EventNamer', () => {
  it('keeps `<name>.<hex>` exactly when it is a DNS-1123 subdomain, else makes a UUID', () => {
    const chars = fc.constantFrom(...'abz09-.A_/'.split(''));
    const uuid =
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: chars, maxLength: 12 }),
            fc.constantFrom('a'.repeat(236), 'a'.repeat(237), 'web-1'),
          ),
          { maxLength: 20 },
        ),
        (refNames) => {
          const namer = new EventNamer();
          const ms = Date.UTC(2026, 0, 1);
          for (const [offset, refName] of refNames.entries()) {
            const expected = `${refName}.${nanosHex(ms, offset)}`;
            const name = namer.next(refName, ms);
            if (isDNS1123Subdomain(expected)) expect(name).toBe(expected);
            else expect(name).toMatch(uuid);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('names a burst in one millisecond as nanosHex does, across a carry out of the low digits, and before 1970', () => {
    const uuid =
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 2 ** 43 }),
          fc.integer({ min: -(2 ** 43), max: 0 }),
        ),
        fc.integer({ min: 1, max: 3000 }),
        (ms, burst) => {
          const namer = new EventNamer();
          for (let offset = 0; offset < burst; offset++) {
            const expected = `pod.${(BigInt(ms) * 1_000_000n + BigInt(offset)).toString(16)}`;
            const name = namer.next('pod', ms);
            // Before 1970 the hex is negative, not a label: a UUID instead.
            if (isDNS1123Subdomain(expected)) expect(name).toBe(expected);
            else expect(name).toMatch(uuid);
          }
        },
      ),
      { numRuns: 200 },
    );
    // A millisecond whose low 24 bits of nanoseconds are 2²⁴ − 64: the 64th
    // name of its burst carries into the seventh hex digit.
    let ms = 0;
    while ((BigInt(ms) * 1_000_000n) % 2n ** 24n !== 2n ** 24n - 64n) ms++;
    const namer = new EventNamer();
    for (let offset = 0; offset < 200; offset++) {
      expect(namer.next('pod', ms + 2 ** 24)).toBe(
        `pod.${(BigInt(ms + 2 ** 24) * 1_000_000n + BigInt(offset)).toString(16)}`,
      );
    }
  });

  it('never lets the nanosecond value go down, whatever the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 300 }),
        (steps) => {
          const namer = new EventNamer();
          let ms = Date.UTC(2026, 0, 1);
          let last = -1n;
          for (const step of steps) {
            ms += step;
            const hex = namer.next('pod', ms).slice('pod.'.length);
            const value = BigInt(`0x${hex}`);
            expect(value).toBeGreaterThan(last);
            expect(value).toBeGreaterThanOrEqual(
              BigInt(ms) * 1_000_000n - 5_000_000n * 300n,
            );
            last = value;
          }
        },
      ),
    );
  });

  it('continues past a millisecond that a stuck clock overran by a million events', () => {
    const namer = new EventNamer();
    let last = '';
    for (let i = 0; i < 1_000_002; i++) last = namer.next('p', 1);
    // 1 ms + 1,000,001 ns is past 2 ms, so the event at 2 ms continues from it.
    expect(last).toBe(`p.${(1_000_000 + 1_000_001).toString(16)}`);
    expect(namer.next('p', 2)).toBe(
      `p.${(1_000_000 + 1_000_002).toString(16)}`,
    );
    expect(namer.next('p', 3)).toBe(`p.${(3_000_000).toString(16)}`);
  });

  it('never repeats a name, whatever the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2000, max: 2000 }), { maxLength: 200 }),
        (steps) => {
          const namer = new EventNamer();
          let ms = Date.UTC(2026, 0, 1);
          const names = new Set<string>();
          for (const step of steps) {
            ms += step;
            const name = namer.next('pod', ms);
            expect(isDNS1123Subdomain(name)).toBe(true);
            names.add(name);
          }
          expect(names.size).toBe(steps.length);
        },
      ),
    );
  });

  it('gives the first event of each millisecond the exact client-go name', () => {
    const namer = new EventNamer();
    const ms = Date.parse('2023-01-01T12:00:00Z');
    expect(namer.next('pod1', ms)).toBe('pod1.17362d8e1c698000');
    expect(namer.next('pod1', ms)).toBe('pod1.17362d8e1c698001');
    expect(namer.next('pod1', ms + 1)).toBe(
      `pod1.${(BigInt(ms + 1) * 1_000_000n).toString(16)}`,
    );
  });
});
