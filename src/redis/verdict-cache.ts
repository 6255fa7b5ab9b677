/**
 * The global verdict cache (DESIGN §1): one key per normalised address, shared by every list and
 * tenant, so nightly hygiene re-probes only what is stale. Conclusive verdicts live `maxAgeMs`
 * (7 days); `unknown` ones an hour, since they are worth probing again soon.
 *
 * It may live in a Redis of its own that evicts (REDIS_CACHE_URL, `allkeys-lru`): a lookup or a
 * write that fails is a miss, reported to `onError`, never an error of the list.
 */
import { Cluster } from 'ioredis';
import { REASON_STATUS } from '../verdict/types.ts';
import { type CachedVerdict, decodeVerdict, encodeVerdict } from './compact-verdict.ts';
import type { RedisClient } from './connect.ts';
import { verdictKey } from './keys.ts';
import { evalScript } from './list-results.ts';
import { luaScript } from './script.ts';

const CACHE_SET = luaScript('lcCacheSet', 0, new URL('./cache-set.lua', import.meta.url));
/** Verdicts per script call. */
const SET_CHUNK = 1000;

export interface VerdictCacheOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** Lifetime of deliverable, undeliverable and risky verdicts. */
  maxAgeMs?: number;
  /** Lifetime of unknown verdicts. */
  unknownTtlMs?: number;
  /** Told about a lookup or write that failed (and was treated as a miss). */
  onError?: (error: Error) => void;
}

export interface VerdictLookup {
  /** Only verdicts checked less than this long ago (CACHE_MAX_AGE); 0 returns none. */
  maxAgeMs?: number;
}

export class VerdictCache {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #maxAgeMs: number;
  readonly #unknownTtlMs: number;
  readonly #onError: (error: Error) => void;

  constructor(client: RedisClient, options: VerdictCacheOptions) {
    this.#onError = options.onError ?? (() => undefined);
    this.#client = client;
    this.#prefix = options.prefix;
    this.#maxAgeMs = options.maxAgeMs ?? 7 * 86_400_000;
    this.#unknownTtlMs = options.unknownTtlMs ?? 3_600_000;
  }

  /**
   * The cached verdicts among `addresses`: one MGET, or on a Redis Cluster one GET per key
   * (auto-pipelined by node), since an MGET must stay within one slot.
   */
  async get(
    addresses: readonly string[],
    lookup: VerdictLookup = {},
  ): Promise<Map<string, CachedVerdict>> {
    const found = new Map<string, CachedVerdict>();
    const maxAgeMs = lookup.maxAgeMs ?? Number.POSITIVE_INFINITY;
    const unique = [...new Set(addresses)];
    if (unique.length === 0 || !(maxAgeMs > 0)) return found;
    const keys = unique.map((a) => verdictKey(this.#prefix, a));
    let values: Array<string | null>;
    try {
      const client = this.#client;
      values =
        client instanceof Cluster
          ? await Promise.all(keys.map((key) => client.get(key)))
          : await client.mget(keys);
    } catch (error) {
      this.#onError(error as Error);
      return found;
    }
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
   * Stores verdicts in one pipelined round trip (per node on a cluster). The TTL counts from
   * `checkedAt`, so a verdict stored late expires when it would have anyway, and one already too
   * old is not stored. The egress and transcript name are not kept (see below).
   */
  async set(entries: Iterable<readonly [string, CachedVerdict]>): Promise<void> {
    const writes: Array<[string, string, number]> = [];
    const now = Date.now();
    for (const [address, verdict] of entries) {
      const lifetime =
        REASON_STATUS[verdict.reason] === 'unknown' ? this.#unknownTtlMs : this.#maxAgeMs;
      // A checkedAt in the future (another host's clock) gets the full lifetime, no more.
      const ttlMs = Math.min(lifetime, lifetime - (now - verdict.checkedAt.getTime()));
      if (!(ttlMs >= 1)) continue;
      // The egress and the transcript describe one list's probe (a transcript lives in that
      // list's storage, under its tenant): a verdict reused elsewhere carries neither.
      const shared = { ...verdict, egress: null, trace: null };
      writes.push([verdictKey(this.#prefix, address), encodeVerdict(shared), ttlMs]);
    }
    if (writes.length === 0) return;
    try {
      const client = this.#client;
      if (client instanceof Cluster) {
        await Promise.all(writes.map(([key, value, ttl]) => client.set(key, value, 'PX', ttl)));
        return;
      }
      // One script call per thousand verdicts, not a SET each: a probe job's verdicts cost the
      // client one command (issue 14: a million SETs were a tenth of a big list's CPU).
      for (let start = 0; start < writes.length; start += SET_CHUNK) {
        const part = writes.slice(start, start + SET_CHUNK);
        await evalScript(
          client,
          CACHE_SET,
          part.map(([key]) => key),
          part.flatMap(([, value, ttl]) => [value, ttl]),
        );
      }
    } catch (error) {
      this.#onError(error as Error);
    }
  }
}
