// The index of the stored events by (namespace, name). Not exported from the
// package entry point.
//
// Why not a `Map` of `Map`s: on a stream of distinct events (every write a
// create into a full sink) each create is a miss, an insert and, for the
// evicted event, a delete in the inner map, all with fresh name strings that
// V8 flattens and hashes on first use, and an inner map of thousands of
// entries that churn keeps rehashing. (`bench/scripts/ab.mjs`, streams
// `distinct` and `sink-creates`, compares builds with and without it.) This is an
// open-addressing hash table (linear probing, at most half full) of slot
// numbers in an `Int32Array`, probed by a 32-bit hash kept per slot, so that a
// probe reads the key strings only when the hashes match; a deletion shifts
// the probe run back (no tombstones), so that churn never degrades the table.
//
// The hash is FNV-1a over the UTF-16 code units of the namespace, a `/`, and
// the name, with a per-process random basis and a final mix. With validation
// off a name may hold a `/`, so the namespace and the name are compared
// separately on a hash match, never as one joined string. A key set crafted to
// collide can only lengthen probe runs within the table, which never holds
// more than twice as many table slots as entries (beyond its 16 at the start).

/** A slot number meaning "no event", as `NO_SLOT` of the stored events. */
const NONE = -1;
const EMPTY = -1;
const INITIAL_SIZE = 16;
// A per-process random basis: the same keys hash differently in every run.
const SEED = (Math.random() * 0x1_0000_0000) | 0;
const SEPARATOR = 0x2f; // '/', which no DNS name holds

/** FNV-1a of `text`, continued from `hash`. */
function hashMore(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h;
}

/** The hash of a namespace and its separator, to be continued by a name. */
function hashNamespace(namespace: string): number {
  return Math.imul(
    hashMore(SEED ^ 0x811c9dc5, namespace) ^ SEPARATOR,
    0x01000193,
  );
}

/** Finishes a hash, folding the high bits into the low ones the table uses. */
function hashEnd(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * A map from (namespace, name) to the slot number of a stored event. The
 * slots are the caller's (small non-negative integers, each in the index at
 * most once); the index keeps each slot's key and hash beside it, so that
 * {@link SlotIndex.remove} needs only the slot.
 */
export class SlotIndex {
  /** Slot number per table position, or EMPTY; its length is a power of two. */
  #table = new Int32Array(INITIAL_SIZE).fill(EMPTY);
  /** Per slot: its key and hash while the slot is in the index. */
  readonly #namespaces: string[] = [];
  readonly #names: string[] = [];
  readonly #hashes: number[] = [];
  #size = 0;
  // The namespace last hashed and its partial hash: most sinks see one or two.
  #lastNamespace: string | undefined = undefined;
  #lastNamespaceHash = 0;
  // The key a `get` last missed and its hash, so that `add` needs no rehash.
  #missNamespace: string | undefined = undefined;
  #missName: string | undefined = undefined;
  #missHash = 0;

  /** How many entries the index holds. */
  get size(): number {
    return this.#size;
  }

  /** The slot stored under (`namespace`, `name`), or -1. */
  get(namespace: string, name: string): number {
    const hash = this.#hash(namespace, name);
    const table = this.#table;
    const mask = table.length - 1;
    for (let pos = hash & mask; ; pos = (pos + 1) & mask) {
      const slot = table[pos] as number;
      if (slot === EMPTY) break;
      if (
        this.#hashes[slot] === hash &&
        this.#names[slot] === name &&
        this.#namespaces[slot] === namespace
      ) {
        return slot;
      }
    }
    this.#missNamespace = namespace;
    this.#missName = name;
    this.#missHash = hash;
    return NONE;
  }

  /**
   * Stores `slot` under (`namespace`, `name`), a key not in the index (a `get`
   * of it returned -1) and a slot not in the index: adding either twice would
   * corrupt the index.
   */
  add(namespace: string, name: string, slot: number): void {
    const hash =
      name === this.#missName && namespace === this.#missNamespace
        ? this.#missHash
        : this.#hash(namespace, name);
    this.#missName = undefined;
    this.#missNamespace = undefined;
    // Slots are dense: a new one is at most one past the end.
    while (this.#hashes.length <= slot) {
      this.#namespaces.push('');
      this.#names.push('');
      this.#hashes.push(0);
    }
    this.#namespaces[slot] = namespace;
    this.#names[slot] = name;
    this.#hashes[slot] = hash;
    this.#size++;
    if (this.#size * 2 > this.#table.length) this.#grow();
    this.#place(slot, hash);
  }

  /**
   * Takes `slot` (which must be in the index) out of it, moving later entries
   * of its probe run back so that every entry stays reachable from its home
   * position.
   */
  remove(slot: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let hole = (this.#hashes[slot] as number) & mask;
    while (table[hole] !== slot) hole = (hole + 1) & mask;
    for (let pos = (hole + 1) & mask; ; pos = (pos + 1) & mask) {
      const moved = table[pos] as number;
      if (moved === EMPTY) break;
      const home = (this.#hashes[moved] as number) & mask;
      // `moved` may fill the hole unless its home lies after the hole,
      // cyclically, up to its own position.
      const stays =
        hole <= pos ? home > hole && home <= pos : home > hole || home <= pos;
      if (stays) continue;
      table[hole] = moved;
      hole = pos;
    }
    table[hole] = EMPTY;
    // The key strings stay until the slot is reused, as the stored event's
    // values do: what they hold is bounded by the most events ever stored.
    this.#size--;
  }

  /** Forgets every entry. */
  clear(): void {
    this.#table = new Int32Array(INITIAL_SIZE).fill(EMPTY);
    this.#namespaces.length = 0;
    this.#names.length = 0;
    this.#hashes.length = 0;
    this.#size = 0;
    this.#lastNamespace = undefined;
    this.#missNamespace = undefined;
    this.#missName = undefined;
  }

  /** How many table positions hold a slot: always {@link SlotIndex.size} (for tests). */
  occupiedPositions(): number {
    let n = 0;
    for (const slot of this.#table) if (slot !== EMPTY) n++;
    return n;
  }

  /** How many positions the table has (for tests). */
  get capacity(): number {
    return this.#table.length;
  }

  #hash(namespace: string, name: string): number {
    if (namespace !== this.#lastNamespace) {
      this.#lastNamespace = namespace;
      this.#lastNamespaceHash = hashNamespace(namespace);
    }
    return hashEnd(hashMore(this.#lastNamespaceHash, name));
  }

  /** Puts a slot into the first free position of its probe run. */
  #place(slot: number, hash: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let pos = hash & mask;
    while (table[pos] !== EMPTY) pos = (pos + 1) & mask;
    table[pos] = slot;
  }

  /** Doubles the table and places every entry already in it again. */
  #grow(): void {
    const old = this.#table;
    this.#table = new Int32Array(old.length * 2).fill(EMPTY);
    for (const slot of old) {
      if (slot !== EMPTY) this.#place(slot, this.#hashes[slot] as number);
    }
  }
}
