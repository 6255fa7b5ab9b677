/**
 * The global verdict cache (DESIGN §1): one key per normalised address, shared by every list and
 * tenant, so nightly hygiene re-probes only what is stale. Conclusive verdicts live `maxAgeMs`
 * (7 days); `unknown` ones an hour, since they are worth probing again soon.
 */
import type { Redis } from 'ioredis';
import { REASON_STATUS } from '../verdict/types.ts';
import { type CachedVerdict, decodeVerdict, encodeVerdict } from './compact-verdict.ts';
import { verdictKey } from './keys.ts';

export interface VerdictCacheOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** Lifetime of deliverable, undeliverable and risky verdicts. */
  maxAgeMs?: number;
  /** Lifetime of unknown verdicts. */
  unknownTtlMs?: number;
}

export interface VerdictLookup {
  /** Only verdicts checked less than this long ago (CACHE_MAX_AGE); 0 returns none. */
  maxAgeMs?: number;
}

export class VerdictCache {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #maxAgeMs: number;
  readonly #unknownTtlMs: number;

  constructor(client: Redis, options: VerdictCacheOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.#maxAgeMs = options.maxAgeMs ?? 7 * 86_400_000;
    this.#unknownTtlMs = options.unknownTtlMs ?? 3_600_000;
  }

  /** The cached verdicts among `addresses`, in one MGET. */
  async get(
    addresses: readonly string[],
    lookup: VerdictLookup = {},
  ): Promise<Map<string, CachedVerdict>> {
    const found = new Map<string, CachedVerdict>();
    const maxAgeMs = lookup.maxAgeMs ?? Number.POSITIVE_INFINITY;
    const unique = [...new Set(addresses)];
    if (unique.length === 0 || !(maxAgeMs > 0)) return found;
    const values = await this.#client.mget(unique.map((a) => verdictKey(this.#prefix, a)));
    const now = Date.now();
    values.forEach((value, i) => {
      const address = unique[i];
      if (value === null || address === undefined) return;
      const verdict = decodeVerdict(value);
      if (verdict && now - verdict.checkedAt.getTime() < maxAgeMs) found.set(address, verdict);
    });
    return found;
  }

  /**
   * Stores verdicts in one pipelined round trip. The TTL counts from `checkedAt`, so a verdict
   * stored late expires when it would have anyway, and one already too old is not stored.
   */
  async set(entries: Iterable<readonly [string, CachedVerdict]>): Promise<void> {
    const pipeline = this.#client.pipeline();
    const now = Date.now();
    for (const [address, verdict] of entries) {
      const lifetime =
        REASON_STATUS[verdict.reason] === 'unknown' ? this.#unknownTtlMs : this.#maxAgeMs;
      // A checkedAt in the future (another host's clock) gets the full lifetime, no more.
      const ttlMs = Math.min(lifetime, lifetime - (now - verdict.checkedAt.getTime()));
      if (!(ttlMs >= 1)) continue;
      pipeline.set(verdictKey(this.#prefix, address), encodeVerdict(verdict), 'PX', ttlMs);
    }
    if (pipeline.length === 0) return;
    const results = await pipeline.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }
}
