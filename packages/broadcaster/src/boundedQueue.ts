import { InvalidOptionError } from '@event-recorder/core';

/**
 * A fixed-capacity FIFO ring buffer. `push` never grows memory beyond the
 * capacity: it returns `false` when full, so the caller can count the drop.
 *
 * @typeParam T - the item type.
 */
export class BoundedQueue<T> {
  #items: (T | undefined)[];
  /** A flag per item, beside it (see {@link BoundedQueue.push}). */
  #flags: boolean[];
  #head = 0;
  #size = 0;
  #shiftedFlag = false;

  /**
   * Creates an empty queue.
   *
   * @param capacity - the most items held at once; a positive integer.
   */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError(
        `queue capacity must be a positive integer, got ${capacity}`,
      );
    }
    // Grown lazily up to `capacity`, so a 1000-slot queue that never fills
    // costs little.
    this.#items = [];
    this.#flags = [];
  }

  /** How many items are queued. */
  get length(): number {
    return this.#size;
  }

  /**
   * Appends an item, with a flag that {@link BoundedQueue.shiftedFlag} gives
   * back when the item is shifted. Returns `false`, leaving the queue
   * unchanged, when full.
   */
  push(item: T, flag = false): boolean {
    if (this.#size === this.capacity) return false;
    const at = (this.#head + this.#size) % this.capacity;
    this.#items[at] = item;
    this.#flags[at] = flag;
    this.#size++;
    return true;
  }

  /** The flag pushed with the item the last {@link BoundedQueue.shift} returned. */
  get shiftedFlag(): boolean {
    return this.#shiftedFlag;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#shiftedFlag = this.#flags[this.#head] ?? false;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }

  /** Removes every item and returns them, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) {
      out.push(item);
    }
    return out;
  }
}
