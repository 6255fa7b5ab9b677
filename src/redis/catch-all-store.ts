/**
 * `CatchAllStore` in Redis: every worker sees a domain's catch-all answer, and every worker
 * probes the domain with the same local part (greylisting keys on the recipient, so a different
 * probe address per process would be greylisted afresh by each).
 */

import { type CatchAllStore, randomProbeLocalPart } from '../verify/catch-all-cache.ts';
import type { RedisClient } from './connect.ts';
import { catchAllKey, catchAllProbeKey } from './keys.ts';

export interface RedisCatchAllStoreOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** How long a catch-all answer is trusted. */
  ttlMs?: number;
  /** How long a domain keeps its probe local part. */
  probeTtlMs?: number;
  /** How long one process may hold the right to probe a domain before another may. */
  claimTtlMs?: number;
}

const WEEK_MS = 7 * 86_400_000;

export class RedisCatchAllStore implements CatchAllStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #probeTtlMs: number;
  readonly #claimTtlMs: number;

  constructor(client: RedisClient, options: RedisCatchAllStoreOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.#ttlMs = options.ttlMs ?? WEEK_MS;
    this.#probeTtlMs = options.probeTtlMs ?? WEEK_MS;
    this.#claimTtlMs = options.claimTtlMs ?? 60_000;
  }

  /**
   * One probe per domain across every process: big domains are split into many batches that
   * run at once, and each probing the same random address would multiply the rejections the
   * server counts against us.
   */
  async claimProbe(domain: string): Promise<boolean> {
    return (
      (await this.#client.set(this.#claimKey(domain), '1', 'PX', this.#claimTtlMs, 'NX')) === 'OK'
    );
  }

  async releaseProbe(domain: string): Promise<void> {
    await this.#client.del(this.#claimKey(domain));
  }

  #claimKey(domain: string): string {
    return `${catchAllProbeKey(this.#prefix, domain)}:claim`;
  }

  /**
   * Waits for another process's probe answer, up to `timeoutMs`; undefined if none came, also
   * as soon as the prober gave up its claim without an answer (its probe was greylisted, say).
   */
  async waitFor(domain: string, timeoutMs: number): Promise<boolean | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [answer, claimed] = await Promise.all([
        this.get(domain),
        this.#client.exists(this.#claimKey(domain)),
      ]);
      if (answer !== undefined || Date.now() >= deadline) return answer;
      // The claim went between our two reads: the answer, if any, is stored by now.
      if (claimed === 0) return this.get(domain);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async get(domain: string): Promise<boolean | undefined> {
    const value = await this.#client.get(catchAllKey(this.#prefix, domain));
    return value === null ? undefined : value === '1';
  }

  async set(domain: string, catchAll: boolean): Promise<void> {
    await this.#client.set(
      catchAllKey(this.#prefix, domain),
      catchAll ? '1' : '0',
      'PX',
      this.#ttlMs,
    );
  }

  /** The first process to ask wins the SET NX; the rest read its choice (one MULTI). */
  async probeLocalPart(domain: string): Promise<string> {
    const key = catchAllProbeKey(this.#prefix, domain);
    const candidate = randomProbeLocalPart();
    const results = await this.#client
      .multi()
      .set(key, candidate, 'PX', this.#probeTtlMs, 'NX')
      .get(key)
      .exec();
    const [error, stored] = results?.[1] ?? [new Error('MULTI was aborted'), null];
    if (error) throw error;
    return typeof stored === 'string' ? stored : candidate;
  }
}
