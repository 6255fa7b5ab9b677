/**
 * The verdicts of one list run (DESIGN §1): a hash of normalised address → compact verdict, filled
 * by probe jobs and read back by the aggregate job as it streams the input again, so no process
 * holds a whole list in memory. The hash expires `ttlMs` after the last write, so an abandoned
 * list cleans itself up.
 */

import { type CachedVerdict, decodeVerdict, encodeVerdict } from './compact-verdict.ts';
import type { RedisClient } from './connect.ts';
import { listKeys } from './keys.ts';

export interface ListResultsOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** How long a list's results outlive its last write. */
  ttlMs?: number;
}

/** Fields per HSET: big batches stay in one MULTI without one huge command. */
const HSET_CHUNK = 500;

export class ListResults {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(client: RedisClient, options: ListResultsOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.#ttlMs = options.ttlMs ?? 30 * 86_400_000;
  }

  #key(listId: string, runId: string): string {
    return listKeys(this.#prefix, listId).run(runId).results;
  }

  /** Writes the verdicts and refreshes the TTL in one MULTI, so the hash never lacks a TTL. */
  async setMany(
    listId: string,
    runId: string,
    entries: Iterable<readonly [string, CachedVerdict]>,
  ): Promise<void> {
    const key = this.#key(listId, runId);
    const transaction = this.#client.multi();
    let chunk: string[] = [];
    for (const [address, verdict] of entries) {
      chunk.push(address, encodeVerdict(verdict));
      if (chunk.length >= HSET_CHUNK * 2) {
        transaction.hset(key, ...chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) transaction.hset(key, ...chunk);
    if (transaction.length === 0) return;
    transaction.pexpire(key, this.#ttlMs);
    const results = await transaction.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }

  /** The stored verdicts among `addresses`, in one HMGET. */
  async getMany(
    listId: string,
    runId: string,
    addresses: readonly string[],
  ): Promise<Map<string, CachedVerdict>> {
    const found = new Map<string, CachedVerdict>();
    if (addresses.length === 0) return found;
    const values = await this.#client.hmget(this.#key(listId, runId), ...addresses);
    values.forEach((value, i) => {
      const address = addresses[i];
      const verdict = value === null ? undefined : decodeVerdict(value);
      if (verdict && address !== undefined) found.set(address, verdict);
    });
    return found;
  }

  /** Addresses with a verdict so far. */
  count(listId: string, runId: string): Promise<number> {
    return this.#client.hlen(this.#key(listId, runId));
  }

  /** UNLINK frees a big hash in the background instead of stalling Redis. */
  async delete(listId: string, runId: string): Promise<void> {
    await this.#client.unlink(this.#key(listId, runId));
  }
}
