/**
 * The state of `POST /v1/verify` batches in Redis, so `GET /v1/verify/:id` can answer from any
 * API process: one hash per batch (its owner tenant, and one entry per input address: a final
 * result or a pending one) that expires a day after its last write, and an `alive` key with a
 * short TTL that the process verifying the batch keeps renewing. A batch with pending entries
 * and no `alive` key was abandoned — its process stopped or died — and nobody will finish it:
 * its pending entries are then reported `unknown / timeout`, rule `verification-interrupted`.
 */
import { addressFlags, parseAddress } from '../address/index.ts';
import type { RedisClient } from '../redis/connect.ts';
import { verifyBatchKeys } from '../redis/keys.ts';
import { type AddressResult, buildResult } from '../verdict/result.ts';

/** An address whose verdict is not final yet. */
export interface PendingEntry {
  email: string;
  email_normalized: string | null;
  status: 'pending';
  reason: null;
  /** Why it waits (the server's last words, e.g. a greylisting 450), if a round has run. */
  detail: string | null;
  /** When its next round starts, if one is scheduled. */
  next_attempt_at: string | null;
}

export type VerifyEntry = AddressResult | PendingEntry;

/** What `POST /v1/verify` and `GET /v1/verify/:id` answer. */
export interface VerifyBatchState {
  id: string;
  /** `done` once every address has a final verdict. */
  status: 'pending' | 'done';
  /** How many addresses are still pending. */
  pending: number;
  created_at: string;
  updated_at: string;
  /** One entry per address given, in the order given. */
  results: VerifyEntry[];
}

export function isPending(entry: VerifyEntry): entry is PendingEntry {
  return entry.status === 'pending';
}

export function pendingEntry(email: string): PendingEntry {
  const parsed = parseAddress(email);
  return {
    email,
    email_normalized: parsed.ok ? parsed.normalized : null,
    status: 'pending',
    reason: null,
    detail: null,
    next_attempt_at: null,
  };
}

export function batchState(
  id: string,
  createdAt: string,
  updatedAt: string,
  results: VerifyEntry[],
): VerifyBatchState {
  const pending = results.filter(isPending).length;
  return {
    id,
    status: pending === 0 ? 'done' : 'pending',
    pending,
    created_at: createdAt,
    updated_at: updatedAt,
    results,
  };
}

/** Rule of the verdict given to an address whose verification was abandoned. */
export const INTERRUPTED_RULE = 'verification-interrupted';

/** The final verdict of a pending address nobody is verifying any more. */
export function interruptedResult(entry: PendingEntry, now: Date): AddressResult {
  const parsed = parseAddress(entry.email);
  return buildResult({
    email: entry.email,
    normalized: entry.email_normalized,
    reason: 'timeout',
    flags: parsed.ok
      ? addressFlags(parsed.local, parsed.domain)
      : { role: false, free: false, disposable: false, suggestion: null },
    catchAll: false,
    mxHost: null,
    smtpCode: null,
    smtpEnhancedCode: null,
    detail:
      'the server verifying it stopped before a verdict (restart or crash)' +
      `${entry.detail ? `; last answer: ${entry.detail}` : ''}; verify it again`,
    checkedAt: now,
    rule: INTERRUPTED_RULE,
  });
}

interface BatchMeta {
  tenant: string;
  created_at: string;
  size: number;
}

export interface StoredBatch {
  tenant: string;
  state: VerifyBatchState;
  /** A process is verifying it (its lease is current). */
  alive: boolean;
}

export interface VerificationStoreOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** How long a batch outlives its last write (default one day). */
  ttlMs?: number;
  /** How long the `alive` lease lasts unless renewed (default 30 s). */
  leaseMs?: number;
}

export class VerificationStore {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly ttlMs: number;
  readonly leaseMs: number;

  constructor(client: RedisClient, options: VerificationStoreOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.ttlMs = options.ttlMs ?? 86_400_000;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /**
   * Stores a new batch with its entries so far, in one MULTI; with `alive` it also takes the
   * lease the verifying process then renews.
   */
  async create(
    id: string,
    tenant: string,
    state: VerifyBatchState,
    options: { alive: boolean },
  ): Promise<void> {
    const keys = verifyBatchKeys(this.#prefix, id);
    const meta: BatchMeta = { tenant, created_at: state.created_at, size: state.results.length };
    const fields: string[] = ['meta', JSON.stringify(meta), 'updated_at', state.updated_at];
    for (const [index, entry] of state.results.entries()) {
      fields.push(String(index), JSON.stringify(entry));
    }
    const transaction = this.#client.multi().hset(keys.batch, ...fields);
    transaction.pexpire(keys.batch, this.ttlMs);
    if (options.alive) transaction.set(keys.alive, '1', 'PX', this.leaseMs);
    await exec(transaction);
  }

  /** Replaces entries (by input index) of a stored batch and refreshes its TTL. */
  async put(id: string, entries: ReadonlyArray<readonly [number, VerifyEntry]>): Promise<void> {
    if (entries.length === 0) return;
    const keys = verifyBatchKeys(this.#prefix, id);
    const fields: string[] = ['updated_at', new Date().toISOString()];
    for (const [index, entry] of entries) fields.push(String(index), JSON.stringify(entry));
    await exec(
      this.#client
        .multi()
        .hset(keys.batch, ...fields)
        .pexpire(keys.batch, this.ttlMs),
    );
  }

  async renew(id: string): Promise<void> {
    await this.#client.set(verifyBatchKeys(this.#prefix, id).alive, '1', 'PX', this.leaseMs);
  }

  /** The verifying process is done with the batch (finished, or stopping). */
  async release(id: string): Promise<void> {
    await this.#client.del(verifyBatchKeys(this.#prefix, id).alive);
  }

  /** The batch as stored, or null when there is none (never created, or expired). */
  async get(id: string): Promise<StoredBatch | null> {
    const keys = verifyBatchKeys(this.#prefix, id);
    // One transaction: entries still pending and no lease is then a fact, not a race with a
    // process writing its last verdicts (it writes them before it gives the lease up).
    const replies = await this.#client.multi().exists(keys.alive).hgetall(keys.batch).exec();
    const failure = replies?.find(([error]) => error !== null)?.[0];
    if (failure || !replies) throw failure ?? new Error('the transaction was discarded');
    const alive = replies[0]?.[1] as number;
    const hash = (replies[1]?.[1] ?? {}) as Record<string, string>;
    const meta = parseMeta(hash.meta);
    if (meta === null) return null;
    const results: VerifyEntry[] = [];
    for (let index = 0; index < meta.size; index += 1) {
      const raw = hash[String(index)];
      results.push(raw === undefined ? pendingEntry('') : (JSON.parse(raw) as VerifyEntry));
    }
    return {
      tenant: meta.tenant,
      alive: alive === 1,
      state: batchState(id, meta.created_at, hash.updated_at ?? meta.created_at, results),
    };
  }
}

function parseMeta(raw: string | undefined): BatchMeta | null {
  if (raw === undefined) return null;
  try {
    const meta = JSON.parse(raw) as Partial<BatchMeta>;
    return typeof meta.tenant === 'string' &&
      typeof meta.created_at === 'string' &&
      typeof meta.size === 'number'
      ? (meta as BatchMeta)
      : null;
  } catch {
    return null;
  }
}

async function exec(transaction: ReturnType<RedisClient['multi']>): Promise<void> {
  const results = await transaction.exec();
  const failure = results?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}
