/**
 * Hashing normalised addresses for the per-run Redis structures (docs/ARCHITECTURE.md, "Redis
 * per row"): which small result bucket an address lives in, and an in-process set of the
 * addresses a pass has met (ingest's and the aggregate's dedupe) that costs 12 bytes a slot
 * instead of a Redis set's ~88 bytes and one call per address.
 *
 * MurmurHash3 (x86, 32-bit) over the string's UTF-16 code units: stable across processes and
 * versions, which the bucket of an address must be (a list's buckets outlive the process).
 */

export function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  const length = text.length;
  let i = 0;
  // Two UTF-16 units per 32-bit block.
  for (; i + 1 < length; i += 2) {
    let k = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < length) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const BUCKET_SEED = 0x6c697374; // "list"

/** The bucket (0 … buckets−1; `buckets` a power of two) an address's entries live in. */
export function bucketOf(address: string, buckets: number): number {
  return buckets <= 1 ? 0 : murmur32(address, BUCKET_SEED) & (buckets - 1);
}

const SEEDS = [0x9747b28c, 0x2f6b1d35, 0x5bd1e995] as const;

/**
 * The addresses met so far, as 96-bit fingerprints in an open-addressing table (12 bytes a
 * slot, grown ×2 past ¾ full): `add` answers whether the address is new. Two different
 * addresses share a fingerprint with probability ~n²/2⁹⁷ (≈ 6·10⁻¹⁸ for a million addresses),
 * far below any other error of the pipeline; nothing is stored in Redis and a new pass (a
 * retried ingest, an aggregate attempt, a partial report) starts from an empty set, as each
 * must.
 */
export class AddressSet {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.#slots = new Uint32Array(capacity * 3);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** True when `address` was not in the set (and now is). */
  add(address: string): boolean {
    // A zero first word marks an empty slot: fingerprints never have one.
    const a = murmur32(address, SEEDS[0]) || 1;
    const b = murmur32(address, SEEDS[1]);
    const c = murmur32(address, SEEDS[2]);
    if (this.#insert(a, b, c)) {
      this.#size += 1;
      if (this.#size > (this.#mask + 1) * 0.75) this.#grow();
      return true;
    }
    return false;
  }

  #insert(a: number, b: number, c: number): boolean {
    const slots = this.#slots;
    let i = (a ^ c) & this.#mask;
    for (;;) {
      const at = i * 3;
      const first = slots[at] as number;
      if (first === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        return true;
      }
      if (first === a && slots[at + 1] === b && slots[at + 2] === c) return false;
      i = (i + 1) & this.#mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = (this.#mask + 1) * 2 - 1;
    for (let at = 0; at < old.length; at += 3) {
      const a = old[at] as number;
      if (a !== 0) this.#insert(a, old[at + 1] as number, old[at + 2] as number);
    }
  }
}
