import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from './lruCache.js';

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
        for (const { kind, key, value } of ops) {
          if (kind === 'get') {
            expect(cache.get(key)).toBe(model.get(key));
          } else if (kind === 'set') {
            cache.set(key, value);
            model.set(key, value);
          } else if (kind === 'take') {
            const full = model.entries.length >= model.max;
            const taken = cache.takeOldestIfFull();
            expect(taken).toBe(full ? model.entries.shift()![1] : undefined);
          } else {
            // add is only for a key a get just missed.
            const got = cache.get(key);
            expect(got).toBe(model.get(key));
            if (got === undefined) {
              cache.add(key, value);
              model.set(key, value);
            }
          }
          expect([...cache.keysOldestFirst()]).toEqual(
            model.entries.map(([k]) => k),
          );
          expect(cache.size).toBe(model.entries.length);
        }
      }),
    );
  });
});
