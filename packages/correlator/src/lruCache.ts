// A small least-recently-used cache for the correlator's three caches. Not
// exported from the package entry point.
//
// Why not `lru-cache`: in the churn benchmark (every event a miss and an
// eviction in all three caches) its general-purpose bookkeeping took about a
// third of the correlator's time. This one has only what client-go's
// `golang/groupcache/lru` has: a map from key to a node of a doubly linked
// recency list. An eviction keeps the evicted node for the next insertion and
// hands the evicted value back for reuse, so a full cache allocates nothing
// per miss but the key. (A plain `Map` promoting by delete + set is no
// alternative: evicting its first key scans the holes that earlier deletes
// left, which makes churn about ten times slower.)

interface LruNode<K, V> {
  key: K;
  value: V;
  /** The next more recently used node; undefined for the most recent. */
  newer: LruNode<K, V> | undefined;
  /** The next less recently used node; undefined for the least recent. */
  older: LruNode<K, V> | undefined;
}

/**
 * A cache of at most `max` entries that forgets the least recently used one
 * when full. {@link LruCache.get}, {@link LruCache.set} and
 * {@link LruCache.add} mark the key as the most recently used; nothing else
 * does.
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #nodes = new Map<K, LruNode<K, V>>();
  /** The most recently used node. */
  #newest: LruNode<K, V> | undefined;
  /** The least recently used node, the next to be evicted. */
  #oldest: LruNode<K, V> | undefined;
  /** A node taken out by an eviction, for the next add to reuse. */
  #spare: LruNode<K, V> | undefined;

  /** Creates an empty cache of at most `max` entries (a positive integer). */
  constructor(max: number) {
    this.#max = max;
  }

  /** How many entries the cache holds. */
  get size(): number {
    return this.#nodes.size;
  }

  /** The value stored under `key`, marked most recently used; or `undefined`. */
  get(key: K): V | undefined {
    // The most recent key is asked for again often (updateState after
    // correlate, a storm of one event): answer it without hashing the key.
    const newest = this.#newest;
    if (newest !== undefined && newest.key === key) return newest.value;
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#promote(node);
    return node.value;
  }

  /**
   * Stores `value` under `key` (replacing any value there) as the most
   * recently used entry, first evicting the least recently used entry when
   * the key is new and the cache is full.
   */
  set(key: K, value: V): void {
    const node = this.#nodes.get(key);
    if (node === undefined) {
      this.add(key, value);
      return;
    }
    node.value = value;
    this.#promote(node);
  }

  /**
   * {@link LruCache.set} for a key known to be absent (a `get` of it just
   * returned `undefined`), which saves looking it up again. Adding a present
   * key would corrupt the cache.
   */
  add(key: K, value: V): void {
    if (this.#nodes.size >= this.#max) this.takeOldestIfFull();
    let node = this.#spare;
    if (node === undefined) {
      node = { key, value, newer: undefined, older: this.#newest };
    } else {
      this.#spare = undefined;
      node.key = key;
      node.value = value;
      node.older = this.#newest;
    }
    if (this.#newest === undefined) this.#oldest = node;
    else this.#newest.newer = node;
    this.#newest = node;
    this.#nodes.set(key, node);
  }

  /**
   * When the cache is full, forgets the least recently used entry and returns
   * its value, so that the caller can reuse it for the entry it is about to
   * {@link LruCache.add} (Go adds first and then evicts; the result is the
   * same). Returns `undefined` when the cache is not full.
   */
  takeOldestIfFull(): V | undefined {
    const oldest = this.#oldest;
    if (oldest === undefined || this.#nodes.size < this.#max) return undefined;
    this.#nodes.delete(oldest.key);
    const newer = oldest.newer;
    this.#oldest = newer;
    if (newer === undefined) this.#newest = undefined;
    else newer.older = undefined;
    // Keep the node for the next add, so that a full cache allocates none.
    oldest.newer = undefined;
    this.#spare = oldest;
    return oldest.value;
  }

  /** The keys from the least to the most recently used (for tests). */
  *keysOldestFirst(): IterableIterator<K> {
    for (let n = this.#oldest; n !== undefined; n = n.newer) yield n.key;
  }

  #promote(node: LruNode<K, V>): void {
    const newest = this.#newest;
    if (node === newest) return;
    // Unlink: node is not the newest, so node.newer is defined.
    const newer = node.newer!;
    const older = node.older;
    newer.older = older;
    if (older === undefined) this.#oldest = newer;
    else older.newer = newer;
    // Link as the newest.
    node.newer = undefined;
    node.older = newest;
    newest!.newer = node;
    this.#newest = node;
  }
}
