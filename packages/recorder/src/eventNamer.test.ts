import { isDNS1123Subdomain } from '@event-recorder/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventNamer, isSubdomainFast } from './eventNamer.js';

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

describe('EventNamer', () => {
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
