/**
 * One `POST /v1/verify` batch at work in the API process: `verifyAddresses` (the code path of
 * `listclean verify`) runs in the background, and the batch keeps every address's entry — its
 * result, or pending — in memory. Once published (when the request's `wait` is over) the batch
 * is in Redis and every later change is written through, in order, so `GET /v1/verify/:id`
 * answers from any API process; while it runs it keeps renewing its lease there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import type { CachedVerdict } from '../redis/compact-verdict.ts';
import type { AddressResult } from '../verdict/result.ts';
import type { RoundContext } from './domain-round.ts';
import type { RetryPolicy } from './retry-plan.ts';
import {
  batchState,
  isPending,
  pendingEntry,
  type VerificationStore,
  type VerifyBatchState,
  type VerifyEntry,
} from './verification-store.ts';
import { type RetryNotice, verifyAddresses } from './verify-addresses.ts';

export interface BatchDeps {
  ctx: RoundContext;
  retry: RetryPolicy;
  /** Domains verified at once. */
  concurrency: number;
  store: VerificationStore;
  log: Logger;
  /** Fresh verdicts known already (the verdict cache): answered at once, not probed. */
  cached?: (addresses: readonly string[]) => Promise<ReadonlyMap<string, CachedVerdict>>;
  /** Told each verdict probed now (to fill the verdict cache). */
  remember?: (address: string, verdict: CachedVerdict) => Promise<void>;
}

export class VerificationBatch {
  readonly id: string;
  readonly tenant: string;
  readonly createdAt: string;
  /** Resolves when the verification is over: finished, stopped or failed. Never rejects. */
  readonly finished: Promise<void>;
  readonly #deps: BatchDeps;
  readonly #entries: VerifyEntry[];
  readonly #indexes = new Map<string, number[]>();
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  #updatedAt: string;
  #ended = false;
  #published = false;
  #writes: Promise<void> = Promise.resolve();
  #lease: NodeJS.Timeout | null = null;

  constructor(
    id: string,
    tenant: string,
    emails: readonly string[],
    deps: BatchDeps,
    shutdown?: AbortSignal,
  ) {
    this.id = id;
    this.tenant = tenant;
    this.#deps = deps;
    this.createdAt = new Date().toISOString();
    this.#updatedAt = this.createdAt;
    this.#entries = emails.map(pendingEntry);
    this.#entries.forEach((entry, index) => {
      if (entry.email_normalized === null) return;
      this.#indexes.set(entry.email_normalized, [
        ...(this.#indexes.get(entry.email_normalized) ?? []),
        index,
      ]);
    });
    this.#signal = shutdown ? AbortSignal.any([shutdown, this.#stop.signal]) : this.#stop.signal;
    this.finished = this.#run(emails, this.#signal);
  }

  /** Stops verifying: what is pending stays pending (and is reported interrupted). */
  stop(): void {
    this.#stop.abort();
  }

  state(): VerifyBatchState {
    return batchState(this.id, this.createdAt, this.#updatedAt, [...this.#entries]);
  }

  /** Resolves once the batch is finished or stopped, or after `ms`, whichever comes first. */
  async settled(ms: number): Promise<void> {
    const over = new AbortController();
    const waited = sleep(ms, undefined, {
      signal: AbortSignal.any([this.#signal, over.signal]),
    }).catch(() => undefined);
    await Promise.race([this.finished, waited]);
    over.abort();
  }

  /**
   * Stores the batch as it is now; from then on every change is written through. Rejects when
   * Redis refuses the write (the request then fails; the verification goes on unseen).
   */
  async publish(): Promise<VerifyBatchState> {
    this.#published = true;
    const state = this.state();
    const alive = !this.#ended && !this.#signal.aborted && state.pending > 0;
    const write = this.#writes.then(() =>
      this.#deps.store.create(this.id, this.tenant, state, { alive }),
    );
    this.#writes = write.catch((error) => this.#writeFailed(error));
    await write;
    if (alive && !this.#ended && !this.#signal.aborted) {
      const every = Math.max(100, Math.floor(this.#deps.store.leaseMs / 3));
      this.#lease = setInterval(() => {
        this.#deps.store
          .renew(this.id)
          .catch((error) => this.#deps.log.warn({ err: error, verification: this.id }, 'lease'));
      }, every);
      this.#lease.unref();
    }
    return state;
  }

  async #run(emails: readonly string[], signal: AbortSignal): Promise<void> {
    const { ctx, retry, concurrency, log } = this.#deps;
    try {
      await verifyAddresses(emails, ctx, {
        ...retry,
        concurrency,
        signal,
        cached: this.#deps.cached,
        onResult: (result, index, source) => this.#settle(result, index, source === 'probe'),
        onRetry: (notice) => this.#waiting(notice),
        onProgress: (message) => log.info({ verification: this.id }, message),
      });
    } catch (error) {
      if (!signal.aborted) {
        log.error({ err: error, verification: this.id }, 'verification failed');
      }
    } finally {
      this.#ended = true;
      if (this.#lease) clearInterval(this.#lease);
      this.#lease = null;
      // The lease goes last, after every entry written: with entries still pending, its absence
      // says nobody will finish them.
      if (this.#published) this.#write(() => this.#deps.store.release(this.id));
      await this.#writes;
    }
  }

  #settle(result: AddressResult, index: number, probed: boolean): void {
    this.#entries[index] = result;
    this.#updatedAt = new Date().toISOString();
    if (this.#published) this.#write(() => this.#deps.store.put(this.id, [[index, result]]));
    if (probed && result.email_normalized !== null && this.#deps.remember) {
      const { remember } = this.#deps;
      const address = result.email_normalized;
      remember(address, {
        reason: result.reason,
        catchAll: result.catch_all,
        mxHost: result.mx_host,
        smtpCode: result.smtp_code,
        smtpEnhancedCode: result.smtp_enhanced_code,
        detail: result.detail,
        checkedAt: new Date(result.checked_at),
        rule: result.rule,
      }).catch(() => undefined);
    }
  }

  #waiting(notice: RetryNotice): void {
    const changed: Array<[number, VerifyEntry]> = [];
    for (const address of notice.addresses) {
      for (const index of this.#indexes.get(address) ?? []) {
        const entry = this.#entries[index];
        if (!entry || !isPending(entry)) continue;
        const updated = {
          ...entry,
          detail: notice.outcomes.get(address)?.detail ?? entry.detail,
          next_attempt_at: notice.retryAt.toISOString(),
        };
        this.#entries[index] = updated;
        changed.push([index, updated]);
      }
    }
    if (changed.length === 0) return;
    this.#updatedAt = new Date().toISOString();
    if (this.#published) this.#write(() => this.#deps.store.put(this.id, changed));
  }

  /** Queues a write behind the earlier ones, so Redis sees them in order. */
  #write(operation: () => Promise<void>): void {
    this.#writes = this.#writes.then(operation).catch((error) => this.#writeFailed(error));
  }

  #writeFailed(error: unknown): void {
    this.#deps.log.warn(
      { err: error, verification: this.id },
      'could not store a verification result in Redis',
    );
  }
}
