import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKeyLevel, KeyParts, spamKeyLevel } from './keys.js';
import { hashKey, LruCache } from './lruCache.js';
import type { CacheKey } from './lruCache.js';

/** The obvious model: entries in an array, least recently used first. */
class ModelLru {
  readonly entries: [string, number][] = [];
  constructor(readonly max: number) {}
  get(key: string): number | undefined {
    const i = this.entries.findIndex(([k]) => k === key);
    if (i < 0) return undefined;
    const [entry] = this.entries.splice(i, 1);
    this.entries.push(entry!);
    return entry![1];
  }
  set(key: string, value: number): void {
    const i = this.entries.findIndex(([k]) => k === key);
    if (i >= 0) this.entries.splice(i, 1);
    else if (this.entries.length >= this.max) this.entries.shift();
    this.entries.push([key, value]);
  }
  delete(key: string): boolean {
    const i = this.entries.findIndex(([k]) => k === key);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

type Op = {
  kind: 'get' | 'set' | 'add' | 'take' | 'delete';
  key: string;
  value: number;
};

/** Applies one operation to the cache and to the model, checking each answer. */
function applyOp(
  cache: LruCache<string, number>,
  model: ModelLru,
  { kind, key, value }: Op,
): void {
  if (kind === 'get') {
    expect(cache.get(key)).toBe(model.get(key));
  } else if (kind === 'set') {
    cache.set(key, value);
    model.set(key, value);
  } else if (kind === 'take') {
    const full = model.entries.length >= model.max;
    const taken = cache.takeOldestIfFull();
    expect(taken).toBe(full ? model.entries.shift()![1] : undefined);
  } else if (kind === 'delete') {
    expect(cache.delete(key)).toBe(model.delete(key));
  } else {
    // add is only for a key a get just missed.
    const got = cache.get(key);
    expect(got).toBe(model.get(key));
    if (got === undefined) {
      cache.add(key, value);
      model.set(key, value);
    }
  }
}

/** The cache's entries, oldest first, as [key, value] pairs. */
function entriesOf<K extends CacheKey, V>(cache: LruCache<K, V>): [K, V][] {
  const entries: [K, V][] = [];
  cache.forEachOldestFirst((value, key) => entries.push([key, value]));
  return entries;
}

describe('LruCache', () => {
  it('evicts the least recently used key when a new key comes to a full cache', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('counts a get as a use, so the key got survives the next eviction', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect([...cache.keysOldestFirst()]).toEqual(['a', 'c']);
  });

  it('replaces the value of a present key without evicting anything, and marks it used', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10);
    expect([...cache.keysOldestFirst()]).toEqual(['b', 'a']);
    expect(cache.get('a')).toBe(10);
    expect(cache.size).toBe(2);
  });

  it('hands back the least recently used value when full, and reuses its slot for the next add', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    expect(cache.takeOldestIfFull()).toBeUndefined();
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    expect(cache.takeOldestIfFull()).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
    cache.add('c', 3);
    expect([...cache.keysOldestFirst()]).toEqual(['a', 'c']);
  });

  it('holds a single entry when its size is 1', () => {
    const cache = new LruCache<string, number>(1);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    cache.set('b', 3);
    expect(cache.get('b')).toBe(3);
    expect(cache.size).toBe(1);
  });

  it('behaves like a list ordered by last use, for any sequence of gets, sets, takes and adds after a miss', () => {
    const op = fc.record({
      kind: fc.constantFrom('get', 'set', 'add', 'take'),
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      value: fc.integer(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op), (max, ops) => {
        const cache = new LruCache<string, number>(max);
        const model = new ModelLru(max);
        for (const op of ops) {
          applyOp(cache, model, op);
          expect([...cache.keysOldestFirst()]).toEqual(
            model.entries.map(([k]) => k),
          );
          expect(cache.size).toBe(model.entries.length);
        }
      }),
    );
  });

  it('stays equal to the model with many keys, so that probe runs collide, wrap around, shift back on eviction and grow', () => {
    const op = fc.record({
      kind: fc.constantFrom('get', 'set', 'add', 'take', 'delete'),
      // Fresh strings of equal content, as the correlator's keys are.
      key: fc
        .integer({ min: 0, max: 80 })
        .map((k) => ['key-', String(k)].join('')),
      value: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(op, { maxLength: 600 }),
        (max, ops) => {
          const cache = new LruCache<string, number>(max);
          const model = new ModelLru(max);
          for (const op of ops) {
            applyOp(cache, model, op);
            expect(cache.size).toBe(model.entries.length);
            expect(cache.occupiedSlots()).toBe(cache.size);
          }
          expect([...cache.keysOldestFirst()]).toEqual(
            model.entries.map(([k]) => k),
          );
          expect(entriesOf(cache)).toEqual(model.entries);
          // Every key the model holds is found, every other one is not.
          for (let k = 0; k <= 80; k++) {
            const key = `key-${k}`;
            const inModel = model.entries.find(([mk]) => mk === key);
            expect(cache.get(key)).toBe(inModel?.[1]);
            if (inModel !== undefined) model.get(key);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lets a walk delete the entry it is at, and reuses deleted entries', () => {
    const cache = new LruCache<string, number>(4);
    for (const [k, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ] as const)
      cache.set(k, v);
    const seen: string[] = [];
    cache.forEachOldestFirst((value, key) => {
      seen.push(key);
      if (value % 2 === 1) cache.delete(key);
    });
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(entriesOf(cache)).toEqual([
      ['b', 2],
      ['d', 4],
    ]);
    expect(cache.delete('a')).toBe(false);
    cache.set('e', 5);
    cache.set('f', 6);
    expect(cache.size).toBe(4);
    expect(cache.occupiedSlots()).toBe(4);
    cache.set('g', 7);
    expect([...cache.keysOldestFirst()]).toEqual(['d', 'e', 'f', 'g']);
  });

  it('keeps keys that are not strings (from a custom key function) apart by identity', () => {
    const cache = new LruCache<string, number>(3);
    const one = { toString: () => 'same' } as unknown as string;
    const two = { toString: () => 'same' } as unknown as string;
    cache.set(one, 1);
    cache.set(two, 2);
    cache.set(7 as unknown as string, 3);
    expect(cache.get(one)).toBe(1);
    expect(cache.get(two)).toBe(2);
    expect(cache.get(7 as unknown as string)).toBe(3);
    expect(cache.get('7')).toBeUndefined();
  });

  it('finds a key given as parts or as its string alike, whatever the split, and only by its text', () => {
    // Keys at the spam level: the text is the eight spam parts; fieldPath,
    // reason and message are not part of it.
    // Mostly empty pieces, so that keys often have equal texts split
    // differently ('a' + 'b' and 'ab' + '').
    const piece = fc.oneof(
      { arbitrary: fc.constant(''), weight: 6 },
      { arbitrary: fc.constantFrom('a', 'b', 'ab'), weight: 1 },
    );
    const parts = fc
      .tuple(fc.array(piece, { minLength: 13, maxLength: 13 }), fc.boolean())
      .map(([p, asString]): CacheKey => {
        const k = new KeyParts(
          p[0]!,
          p[1]!,
          p[2]!,
          p[3]!,
          p[4]!,
          p[5]!,
          p[6]!,
          p[7]!,
          p[8]!,
          p[9]!,
          p[10]!,
          p[11]!,
          p[12]!,
        );
        return asString ? spamKeyLevel.text(k) : k;
      });
    const op = fc.record({
      kind: fc.constantFrom('get', 'set', 'add', 'take', 'delete'),
      key: parts,
      withHash: fc.boolean(),
      value: fc.integer(),
    });
    const text = (k: CacheKey) =>
      typeof k === 'string' ? k : spamKeyLevel.text(k);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op), (max, ops) => {
        const cache = new LruCache<CacheKey, number>(max, spamKeyLevel);
        const model = new ModelLru(max);
        for (const { kind, key, withHash, value } of ops) {
          const hash = withHash ? hashKey(text(key)) : undefined;
          if (kind === 'get') {
            expect(cache.get(key, hash)).toBe(model.get(text(key)));
          } else if (kind === 'set') {
            cache.set(key, value);
            model.set(text(key), value);
          } else if (kind === 'take') {
            const full = model.entries.length >= model.max;
            expect(cache.takeOldestIfFull()).toBe(
              full ? model.entries.shift()![1] : undefined,
            );
          } else if (kind === 'delete') {
            expect(cache.delete(key, hash)).toBe(model.delete(text(key)));
          } else {
            const got = cache.get(key, hash);
            expect(got).toBe(model.get(text(key)));
            if (got === undefined) {
              cache.add(key, value);
              model.set(text(key), value);
            }
          }
          expect([...cache.keysOldestFirst()].map(text)).toEqual(
            model.entries.map(([k]) => k),
          );
        }
      }),
    );
  });

  it('keeps parts apart from keys of other kinds, which only equal themselves', () => {
    const cache = new LruCache<CacheKey, number>(4, eventKeyLevel);
    const k = new KeyParts('a', '', '', '', '', '', '', '', '', '', '', '', '');
    // An array (from a custom key function) whose string form is the text.
    const array = ['a'] as unknown as CacheKey;
    cache.set(k, 1);
    cache.set(array, 2);
    expect(cache.get('a')).toBe(1);
    expect(cache.get(array)).toBe(2);
    expect(cache.get(['a'] as unknown as CacheKey)).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
