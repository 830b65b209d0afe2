import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotIndex } from './slotIndex.js';

// A small key space, so that keys repeat, tables stay small and probe runs
// collide; names and namespaces with '/' make keys whose joined strings are
// equal ('a' + 'b/x' and 'a/b' + 'x').
const NAMESPACES = ['', 'a', 'a/b', 'default', 'kube-system'];
const NAMES = ['', 'x', 'b/x', 'x/', '/', 'web-1.17f', 'web-2.17f', 'y', 'z'];

type Step =
  | { kind: 'add'; namespace: string; name: string }
  | { kind: 'remove'; namespace: string; name: string };

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('add' as const, 'remove' as const),
  namespace: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom(...NAMES),
});

/** Replays `steps` on an index and on a `Map` model, checking after each. */
function replay(steps: readonly Step[]): void {
  const index = new SlotIndex();
  const model = new Map<string, number>();
  const free: number[] = [];
  let next = 0;
  const keyOf = (namespace: string, name: string): string =>
    JSON.stringify([namespace, name]);
  for (const s of steps) {
    const key = keyOf(s.namespace, s.name);
    const slot = index.get(s.namespace, s.name);
    expect(slot).toBe(model.get(key) ?? -1);
    if (s.kind === 'add' && slot === -1) {
      // Slots as the stored events hand them out: freed ones first.
      const fresh = free.pop() ?? next++;
      index.add(s.namespace, s.name, fresh);
      model.set(key, fresh);
    } else if (s.kind === 'remove' && slot !== -1) {
      index.remove(slot);
      model.delete(key);
      free.push(slot);
    }
    expect(index.size).toBe(model.size);
    expect(index.occupiedPositions()).toBe(model.size);
    expect(index.capacity).toBeGreaterThanOrEqual(2 * model.size);
    for (const namespace of NAMESPACES) {
      for (const name of NAMES) {
        expect(index.get(namespace, name)).toBe(
          model.get(keyOf(namespace, name)) ?? -1,
        );
      }
    }
  }
}

describe('SlotIndex', () => {
  it('finds, adds and removes as a Map does, and never leaves a stale table position', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 200 }), replay), {
      numRuns: 300,
    });
  });

  it('keeps a namespace and a name apart when their joined strings are equal', () => {
    const index = new SlotIndex();
    expect(index.get('a', 'b/x')).toBe(-1);
    index.add('a', 'b/x', 0);
    expect(index.get('a/b', 'x')).toBe(-1);
    index.add('a/b', 'x', 1);
    expect(index.get('a', 'b/x')).toBe(0);
    expect(index.get('a/b', 'x')).toBe(1);
    index.remove(0);
    expect(index.get('a', 'b/x')).toBe(-1);
    expect(index.get('a/b', 'x')).toBe(1);
    expect(index.occupiedPositions()).toBe(1);
  });

  it('stays at most half full while it grows, and survives churn with many entries', () => {
    const index = new SlotIndex();
    const live: string[] = [];
    for (let i = 0; i < 5000; i++) {
      index.add('ns', `event-${i}`, i % 1000);
      live.push(`event-${i}`);
      if (live.length > 999) {
        const oldest = live.shift() as string;
        const slot = index.get('ns', oldest);
        expect(slot).toBe((i - 999) % 1000);
        index.remove(slot);
      }
      expect(index.capacity).toBeGreaterThanOrEqual(2 * index.size);
      expect(index.occupiedPositions()).toBe(index.size);
    }
    expect(index.size).toBe(999);
    expect(index.occupiedPositions()).toBe(999);
    for (const [k, name] of live.entries()) {
      expect(index.get('ns', name)).toBe((5000 - 999 + k) % 1000);
    }
    expect(index.get('ns', 'event-0')).toBe(-1);
  });

  it('forgets everything on clear', () => {
    const index = new SlotIndex();
    for (let i = 0; i < 100; i++) index.add('ns', `e${i}`, i);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.occupiedPositions()).toBe(0);
    expect(index.get('ns', 'e1')).toBe(-1);
    index.add('ns', 'e1', 0);
    expect(index.get('ns', 'e1')).toBe(0);
  });
});
