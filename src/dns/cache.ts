/**
 * A bounded in-memory cache whose entries expire. Map iteration order is insertion order, so
 * the first key is the oldest entry and eviction costs O(1).
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** A TTL of zero or less stores nothing: such an answer must not be reused. */
  set(key: string, value: V, ttlSeconds: number): void {
    if (!(ttlSeconds > 0) || this.#maxEntries < 1) return;
    // Re-inserting moves the key to the young end, so a refreshed entry is evicted last.
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlSeconds * 1000 });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}
