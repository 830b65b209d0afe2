// A small least-recently-used cache for the correlator's three caches. Not
// exported from the package entry point.
//
// Why not `lru-cache`, nor a `Map`: every event of a stream of new objects is
// a miss and an eviction in each of the three caches, and their bookkeeping
// was most of the correlator's time. This one has only what client-go's
// `golang/groupcache/lru` has (lookup, recency list, eviction) and keeps it
// in flat arrays:
//
// - an open-addressing hash table (linear probing, at most half full) of
//   entry indices in an `Int32Array`, probed by a 32-bit hash stored beside
//   each entry, so that a probe reads the key string only when the hashes
//   match (a `Map` compares keys by loading each candidate string);
// - the entries' keys, hashes, values and recency links in parallel arrays,
//   so that entries are not objects for the garbage collector to trace;
// - a deletion that shifts the probe run back (no tombstones), so that churn
//   never degrades the table.
//
// A full cache allocates nothing per miss: the evicted entry is reused.
// `npm run bench -- correlator` (churn: every event a miss and an eviction in
// each cache) measures it against client-go; see bench/docs/correlator.md.
//
// The hash is FNV-1a over the UTF-16 code units with a per-process random
// basis and a final mix. A key set crafted to collide can only lengthen probe
// runs within the table, which never holds more than twice `max` slots.

import type { KeyParts } from './keys.js';

const EMPTY = -1;
const NONE = -1;
// A per-process random basis: the same keys hash differently in every run.
const SEED = (Math.random() * 0x1_0000_0000) | 0;

/** Starts a key hash: see {@link hashKey}. */
export function hashStart(): number {
  return SEED ^ 0x811c9dc5;
}

/**
 * Continues a key hash over `part`: hashing the parts of a key one after the
 * other gives the hash of their concatenation, so that keys sharing a prefix
 * (the correlator's three keys share most of theirs) are hashed without
 * hashing the prefix again.
 */
export function hashMore(hash: number, part: string): number {
  let h = hash;
  for (let i = 0; i < part.length; i++) {
    h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
  }
  return h;
}

/** Finishes a key hash, folding the high bits into the low ones the table uses. */
export function hashEnd(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * A 32-bit hash of a key (FNV-1a with a random basis, then mixed). A custom
 * key function may hand back something other than a string: it is hashed by
 * its string form and still compared with `===`.
 */
export function hashKey(value: string): number {
  const key = typeof value === 'string' ? value : String(value);
  return hashEnd(hashMore(hashStart(), key));
}

/**
 * A cache key: a string (or whatever a custom key function returned, which is
 * compared by identity), or {@link KeyParts} that the cache's
 * {@link KeyLevel} reads as a string.
 */
export type CacheKey = string | KeyParts;

/**
 * How a cache reads the keys made of parts that it holds: the correlator's
 * default keys are kept as the parts of the string instead of the string, so
 * that an event's three keys share one small object and nothing is
 * concatenated unless two keys must be compared as text.
 */
export interface KeyLevel {
  /** Whether a key is parts (anything else is a plain key). */
  isParts(key: unknown): key is KeyParts;
  /** The string `parts` stands for. */
  text(parts: KeyParts): string;
  /**
   * Whether the parts that make up the string are pairwise equal (then the
   * strings are; the converse need not hold).
   */
  sameParts(a: KeyParts, b: KeyParts): boolean;
}

/**
 * Whether two keys that are not `===` stand for the same string, in a cache
 * whose keys `level` reads: a string and parts whose text it is, or parts
 * with equal texts (compared part by part first, and as text only when the
 * parts differ: two splits of one string). Any other key is only equal to
 * itself.
 */
function sameText(a: CacheKey, b: CacheKey, level: KeyLevel): boolean {
  const aParts = level.isParts(a);
  const bParts = level.isParts(b);
  if (aParts) {
    if (bParts) return level.sameParts(a, b) || level.text(a) === level.text(b);
    return typeof b === 'string' && level.text(a) === b;
  }
  return bParts && typeof a === 'string' && level.text(b) === a;
}

/**
 * A cache of at most `max` entries, keyed by strings (or by key parts that
 * its level reads as strings), that forgets the least recently used one when
 * full. {@link LruCache.get}, {@link LruCache.set} and
 * {@link LruCache.add} mark the key as the most recently used; nothing else
 * does.
 */
export class LruCache<K extends CacheKey, V> {
  readonly #max: number;
  /** How this cache reads keys made of parts; none if it holds strings only. */
  readonly #level: KeyLevel | undefined;
  /** Entry index per slot, or EMPTY; its length is a power of two. */
  #table: Int32Array;
  readonly #keys: (K | undefined)[] = [];
  readonly #hashes: number[] = [];
  readonly #values: (V | undefined)[] = [];
  /** The next more recently used entry, or NONE for the most recent. */
  readonly #newer: number[] = [];
  /** The next less recently used entry, or NONE for the least recent. */
  readonly #older: number[] = [];
  #newest = NONE;
  #oldest = NONE;
  #size = 0;
  /**
   * Entries freed by an eviction or by {@link LruCache.delete}, for later adds
   * to reuse (most recently freed first). One array rather than a field for
   * the evicted entry: V8 (node 20) runs this class several times slower
   * after a full garbage collection once it has more than 14 fields.
   */
  readonly #free: number[] = [];
  /** The last key a get missed and its hash, so that add needs no rehash. */
  #missKey: K | undefined;
  #missHash = 0;

  /**
   * Creates an empty cache of at most `max` entries (a positive integer).
   * A cache whose keys may be parts needs the `level` that reads them; keys
   * are then equal when their texts are, whichever way each is held.
   */
  constructor(max: number, level?: KeyLevel) {
    this.#max = max;
    this.#level = level;
    this.#table = new Int32Array(16).fill(EMPTY);
  }

  /** How many entries the cache holds. */
  get size(): number {
    return this.#size;
  }

  /**
   * The value stored under `key`, marked most recently used; or `undefined`.
   * `hash`, when given, must be {@link hashKey} of `key`.
   */
  get(key: K, hash?: number): V | undefined {
    // The most recent key is asked for again often (updateState after
    // correlate, a storm of one event): answer it without a probe, and
    // without hashing the key when no hash is given. With a hash, it is
    // compared first: comparing two unequal keys of the same length reads
    // both (and key parts of different events part by part).
    const newest = this.#newest;
    if (
      newest !== NONE &&
      (hash === undefined || this.#hashes[newest] === hash) &&
      this.#same(this.#keys[newest]!, key)
    ) {
      return this.#values[newest];
    }
    const h = hash ?? this.#hashOf(key);
    const entry = this.#find(key, h);
    if (entry === NONE) {
      this.#missKey = key;
      this.#missHash = h;
      return undefined;
    }
    this.#promote(entry);
    return this.#values[entry];
  }

  /**
   * Stores `value` under `key` (replacing any value there) as the most
   * recently used entry, first evicting the least recently used entry when
   * the key is new and the cache is full.
   */
  set(key: K, value: V): void {
    const hash = this.#hashOf(key);
    const entry = this.#find(key, hash);
    if (entry === NONE) {
      this.#missKey = key;
      this.#missHash = hash;
      this.add(key, value);
      return;
    }
    this.#values[entry] = value;
    this.#promote(entry);
  }

  /**
   * {@link LruCache.set} for a key known to be absent (a `get` of it just
   * returned `undefined`), which saves looking it up again. Adding a present
   * key would corrupt the cache.
   */
  add(key: K, value: V): void {
    if (this.#size >= this.#max) this.takeOldestIfFull();
    const hash = key === this.#missKey ? this.#missHash : this.#hashOf(key);
    this.#missKey = undefined;
    let entry = this.#free.length > 0 ? this.#free.pop()! : NONE;
    if (entry === NONE) {
      entry = this.#keys.length;
      this.#keys.push(key);
      this.#hashes.push(hash);
      this.#values.push(value);
      this.#newer.push(NONE);
      this.#older.push(this.#newest);
    } else {
      this.#keys[entry] = key;
      this.#hashes[entry] = hash;
      this.#values[entry] = value;
      this.#newer[entry] = NONE;
      this.#older[entry] = this.#newest;
    }
    if (this.#newest === NONE) this.#oldest = entry;
    else this.#newer[this.#newest] = entry;
    this.#newest = entry;
    this.#size++;
    if (this.#size * 2 > this.#table.length) this.#grow();
    else this.#place(entry, hash);
  }

  /**
   * When the cache is full, forgets the least recently used entry and returns
   * its value, so that the caller can reuse it for the entry it is about to
   * {@link LruCache.add} (Go adds first and then evicts; the result is the
   * same). Returns `undefined` when the cache is not full.
   */
  takeOldestIfFull(): V | undefined {
    const oldest = this.#oldest;
    if (oldest === NONE || this.#size < this.#max) return undefined;
    this.#unplace(oldest);
    const newer = this.#newer[oldest]!;
    this.#oldest = newer;
    if (newer === NONE) this.#newest = NONE;
    else this.#older[newer] = NONE;
    this.#size--;
    // Keep the entry for the next add, so that a full cache allocates none.
    const value = this.#values[oldest];
    this.#keys[oldest] = undefined;
    this.#values[oldest] = undefined;
    this.#free.push(oldest);
    return value;
  }

  /**
   * Forgets `key`; returns whether it was there. Does not count as a use of
   * anything. `hash`, when given, must be {@link hashKey} of `key`.
   */
  delete(key: K, hash?: number): boolean {
    const entry = this.#find(key, hash ?? this.#hashOf(key));
    if (entry === NONE) return false;
    this.#unplace(entry);
    const newer = this.#newer[entry]!;
    const older = this.#older[entry]!;
    if (newer === NONE) this.#newest = older;
    else this.#older[newer] = older;
    if (older === NONE) this.#oldest = newer;
    else this.#newer[older] = newer;
    this.#size--;
    this.#keys[entry] = undefined;
    this.#values[entry] = undefined;
    this.#free.push(entry);
    return true;
  }

  /**
   * Calls `fn` with every entry, from the least to the most recently used,
   * with no object made per entry (a generator's tuples cost the series
   * tracker's every flush about 100 bytes per entry). Deleting the entry just
   * visited is allowed; any other change during the walk is not.
   */
  forEachOldestFirst(fn: (value: V, key: K) => void): void {
    for (let e = this.#oldest; e !== NONE;) {
      const next = this.#newer[e]!;
      fn(this.#values[e]!, this.#keys[e]!);
      e = next;
    }
  }

  /** The keys from the least to the most recently used (for tests). */
  *keysOldestFirst(): IterableIterator<K> {
    for (let e = this.#oldest; e !== NONE; e = this.#newer[e]!) {
      yield this.#keys[e]!;
    }
  }

  /** How many table slots hold an entry: always {@link LruCache.size} (for tests). */
  occupiedSlots(): number {
    let n = 0;
    for (const entry of this.#table) if (entry !== EMPTY) n++;
    return n;
  }

  /** Whether a stored key and a looked-up one stand for the same string. */
  #same(stored: K, key: K): boolean {
    const level = this.#level;
    return (
      stored === key || (level !== undefined && sameText(stored, key, level))
    );
  }

  /** {@link hashKey} of a key's text. */
  #hashOf(key: K): number {
    const level = this.#level;
    return level !== undefined && level.isParts(key)
      ? hashKey(level.text(key))
      : hashKey(key as string);
  }

  /** The entry holding `key`, or NONE. */
  #find(key: K, hash: number): number {
    const table = this.#table;
    const mask = table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot]!;
      if (entry === EMPTY) return NONE;
      if (this.#hashes[entry] === hash && this.#same(this.#keys[entry]!, key)) {
        return entry;
      }
    }
  }

  /** Puts an entry into the first free slot of its probe run. */
  #place(entry: number, hash: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = hash & mask;
    while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
    table[slot] = entry;
  }

  /**
   * Takes an entry out of the table, moving later entries of its probe run
   * back so that every entry stays reachable from its home slot.
   */
  #unplace(entry: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let hole = this.#hashes[entry]! & mask;
    while (table[hole] !== entry) hole = (hole + 1) & mask;
    for (let slot = (hole + 1) & mask; ; slot = (slot + 1) & mask) {
      const moved = table[slot]!;
      if (moved === EMPTY) break;
      const home = this.#hashes[moved]! & mask;
      // `moved` may fill the hole unless its home lies after the hole,
      // cyclically, up to its own slot.
      const stays =
        hole <= slot
          ? home > hole && home <= slot
          : home > hole || home <= slot;
      if (stays) continue;
      table[hole] = moved;
      hole = slot;
    }
    table[hole] = EMPTY;
  }

  /** Doubles the table and places every live entry again. */
  #grow(): void {
    this.#table = new Int32Array(this.#table.length * 2).fill(EMPTY);
    for (let e = this.#oldest; e !== NONE; e = this.#newer[e]!) {
      this.#place(e, this.#hashes[e]!);
    }
  }

  #promote(entry: number): void {
    const newest = this.#newest;
    if (entry === newest) return;
    // Unlink: the entry is not the newest, so it has a newer one.
    const newer = this.#newer[entry]!;
    const older = this.#older[entry]!;
    this.#older[newer] = older;
    if (older === NONE) this.#oldest = newer;
    else this.#newer[older] = newer;
    // Link as the newest.
    this.#newer[entry] = NONE;
    this.#older[entry] = newest;
    this.#newer[newest] = entry;
    this.#newest = entry;
  }
}
