/**
 * A list's metadata and counters, one Redis hash per list. The status moves forward only:
 * queued → ingesting → verifying → aggregating → done (or failed at any point), in one script,
 * so two processes can never move it past each other. A list's keys share its hash tag (one
 * Cluster slot); the tenant and status indexes live elsewhere and are written after it.
 */
import type { ErrorCode } from '../error-codes.ts';
import { ListcleanError } from '../errors.ts';
import type { RedisClient } from '../redis/connect.ts';
import { listKeys, listStatusIndexKey, tenantListsKey } from '../redis/keys.ts';
import { bucketCount } from '../redis/list-results.ts';
import { defineScripts, luaScript, runScript } from '../redis/script.ts';
import type { Summary } from '../report/summary.ts';
import type { EmailColumnInfo } from '../report/types.ts';
import { type ProviderBlockWarning, providerBlockWarning } from '../report/warnings.ts';
import type { BreakerState } from '../throttle/breaker.ts';
import { INITIAL_RUN } from './names.ts';
import type { ListOptions, ListStatus } from './types.ts';

export interface ListMeta {
  id: string;
  name: string;
  tenant: string;
  status: ListStatus;
  options: ListOptions;
  createdAt: string;
  updatedAt: string;
  /** Data rows read by ingest (known once ingest finished; grows while it runs). */
  rows: number;
  /** Distinct normalised addresses. */
  unique: number;
  /** Addresses answered from the verification cache. */
  cached: number;
  /** Addresses waiting for a greylisting retry right now. */
  greylisted: number;
  /** True once ingest has read the whole file (rows/unique are final). */
  ingested: boolean;
  inputBytes: number;
  /** Why the list failed, safe to show its owner (src/pipeline/list-failure.ts). */
  error: string | null;
  /** The catalogued code of that failure. */
  errorCode: ErrorCode | null;
  /** summary.json once aggregated. */
  summary: Summary | null;
  aggregateRuns: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run being processed or last processed (`initial` first, then hygiene runs). */
  currentRun: string;
  /** Completion webhook target, if the uploader gave one. */
  webhookUrl: string | null;
  /** The email column, once ingest has read the file's layout. */
  column: EmailColumnInfo | null;
  /**
   * When the current run finalises what still waits (ISO time); null: no deadline. Set when the
   * run starts from `options.deadlineMs`; a resumed `clean` sets it again.
   */
  deadlineAt: string | null;
}

export interface RunRecord {
  id: string;
  status: ListStatus;
  startedAt: string;
  /** When the run finalises what still waits; null: no deadline. */
  deadlineAt?: string | null;
  finishedAt: string | null;
  summary: Summary | null;
  /** Addresses whose status changed since the previous run. */
  changes: number | null;
}

/** Per-run bookkeeping outlives the run by as long as its results would. */
const RUN_KEY_TTL_MS = 30 * 86_400_000;

const ADVANCE_LIST = luaScript(
  'lcListAdvance',
  1,
  new URL('./scripts/advance-list.lua', import.meta.url),
);

export class ListStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    defineScripts(redis, [ADVANCE_LIST]);
  }

  private key(id: string): string {
    return listKeys(this.prefix, id).meta;
  }

  /** Hash list id → status, so metrics can count lists by state without scanning. */
  statusIndexKey(): string {
    return listStatusIndexKey(this.prefix);
  }

  async create(
    meta: Pick<ListMeta, 'id' | 'name' | 'tenant' | 'options' | 'inputBytes'> & {
      webhookUrl?: string;
      /** Line feeds in the stored input, when counted: sizes the buckets better than bytes. */
      inputLines?: number;
    },
  ): Promise<void> {
    const now = new Date().toISOString();
    const keys = listKeys(this.prefix, meta.id);
    const deadlineAt = deadlineFrom(meta.options.deadlineMs);
    const initialRun: RunRecord = {
      id: INITIAL_RUN,
      status: 'queued',
      startedAt: now,
      deadlineAt,
      finishedAt: null,
      summary: null,
      changes: null,
    };
    await this.redis
      .multi()
      .hset(keys.meta, {
        id: meta.id,
        name: meta.name,
        tenant: meta.tenant,
        status: 'queued',
        options: JSON.stringify(meta.options),
        createdAt: now,
        updatedAt: now,
        rows: 0,
        unique: 0,
        cached: 0,
        greylisted: 0,
        ingested: 0,
        inputBytes: meta.inputBytes,
        // Every run's verdicts and the statuses live in this many small hashes (issue 14).
        buckets: bucketCount(meta.inputBytes, meta.inputLines),
        aggregateRuns: 0,
        currentRun: INITIAL_RUN,
        deadlineAt: deadlineAt ?? '',
        ...(meta.webhookUrl ? { webhookUrl: meta.webhookUrl } : {}),
      })
      .hset(keys.runs, INITIAL_RUN, JSON.stringify(initialRun))
      .exec();
    // The indexes sit in other slots: written after the list, so an index never names a list
    // that does not exist.
    await this.redis.hset(this.statusIndexKey(), meta.id, 'queued');
    await this.redis.zadd(tenantListsKey(this.prefix, meta.tenant), Date.now(), meta.id);
  }

  async get(id: string): Promise<ListMeta | null> {
    const raw = await this.redis.hgetall(this.key(id));
    if (!raw.id) return null;
    const num = (v: string | undefined) => Number(v ?? 0);
    return {
      id: raw.id,
      name: raw.name ?? '',
      tenant: raw.tenant ?? '',
      status: (raw.status ?? 'queued') as ListStatus,
      options: JSON.parse(raw.options ?? '{}') as ListOptions,
      createdAt: raw.createdAt ?? '',
      updatedAt: raw.updatedAt ?? '',
      rows: num(raw.rows),
      unique: num(raw.unique),
      cached: num(raw.cached),
      greylisted: Math.max(0, num(raw.greylisted)),
      ingested: raw.ingested === '1',
      inputBytes: num(raw.inputBytes),
      error: raw.error || null,
      errorCode: (raw.errorCode || null) as ErrorCode | null,
      summary: raw.summary ? JSON.parse(raw.summary) : null,
      aggregateRuns: num(raw.aggregateRuns),
      startedAt: raw.startedAt || null,
      finishedAt: raw.finishedAt || null,
      currentRun: raw.currentRun ?? INITIAL_RUN,
      webhookUrl: raw.webhookUrl || null,
      column: raw.column ? (JSON.parse(raw.column) as EmailColumnInfo) : null,
      deadlineAt: raw.deadlineAt || null,
    };
  }

  /**
   * The list, or the one `list_not_found` error every caller raises for a missing list; `hint`
   * says where ids come from for this caller (the API, the CLI).
   */
  async require(id: string, hint = ''): Promise<ListMeta> {
    const meta = await this.get(id);
    if (meta === null) throw listNotFound(id, hint);
    return meta;
  }

  /** The current run's deadline (ms since the epoch), or null: none. Read by every probe job. */
  async deadlineOf(id: string): Promise<number | null> {
    const raw = await this.redis.hget(this.key(id), 'deadlineAt');
    const at = raw ? Date.parse(raw) : Number.NaN;
    return Number.isFinite(at) ? at : null;
  }

  /** A resumed `clean`: the deadline counts again from now. */
  async restartDeadline(id: string, deadlineMs: number): Promise<void> {
    await this.set(id, { deadlineAt: deadlineFrom(deadlineMs) ?? '' });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }

  /**
   * Moves the status forward (never back; `failed` always wins over unfinished states) and
   * writes `fields`, atomically; returns the status the list has now (null: no such list).
   */
  async advance(
    id: string,
    status: ListStatus,
    fields: Record<string, string | number> = {},
  ): Promise<ListStatus | null> {
    const now = (await runScript(
      this.redis,
      ADVANCE_LIST,
      [this.key(id)],
      [status, new Date().toISOString(), ...Object.entries(fields).flat().map(String)],
    )) as ListStatus | '';
    if (now === '') return null;
    if (now === status) await this.redis.hset(this.statusIndexKey(), id, status);
    return now;
  }

  async set(id: string, fields: Record<string, string | number>): Promise<void> {
    await this.redis.hset(this.key(id), { ...fields, updatedAt: new Date().toISOString() });
  }

  async increment(
    id: string,
    field: 'greylisted' | 'cached' | 'aggregateRuns',
    by: number,
  ): Promise<void> {
    if (by !== 0) await this.redis.hincrby(this.key(id), field, by);
  }

  /**
   * Starts another processing of a finished list (hygiene): counters back to zero, status back
   * to queued. The only move backwards `advance` does not make.
   */
  async startRun(id: string, runId: string, deadlineMs: number): Promise<void> {
    const now = new Date().toISOString();
    const deadlineAt = deadlineFrom(deadlineMs);
    const run: RunRecord = {
      id: runId,
      status: 'queued',
      startedAt: now,
      deadlineAt,
      finishedAt: null,
      summary: null,
      changes: null,
    };
    await this.redis
      .multi()
      .hset(this.key(id), {
        status: 'queued',
        currentRun: runId,
        rows: 0,
        unique: 0,
        cached: 0,
        greylisted: 0,
        ingested: 0,
        aggregateRuns: 0,
        error: '',
        errorCode: '',
        startedAt: '',
        finishedAt: '',
        deadlineAt: deadlineAt ?? '',
        updatedAt: now,
      })
      .hset(this.runsKey(id), runId, JSON.stringify(run))
      .exec();
    await this.redis.hset(this.statusIndexKey(), id, 'queued');
  }

  private runsKey(id: string): string {
    return listKeys(this.prefix, id).runs;
  }

  async saveRun(id: string, run: RunRecord): Promise<void> {
    await this.redis.hset(this.runsKey(id), run.id, JSON.stringify(run));
  }

  async getRun(id: string, runId: string): Promise<RunRecord | null> {
    const raw = await this.redis.hget(this.runsKey(id), runId);
    return raw ? (JSON.parse(raw) as RunRecord) : null;
  }

  /**
   * A failed list back to work (src/pipeline/retry.ts): the one move out of `failed`, with the
   * error cleared. Not atomic with anything else: only a failed list is ever reopened.
   */
  async reopen(id: string, status: 'queued' | 'verifying'): Promise<void> {
    await this.redis.hset(this.key(id), {
      status,
      error: '',
      errorCode: '',
      finishedAt: '',
      updatedAt: new Date().toISOString(),
    });
    await this.redis.hset(this.statusIndexKey(), id, status);
  }

  /** Removes a run's record (its reports and keys are the caller's: src/pipeline/run-retention.ts). */
  async forgetRun(id: string, runId: string): Promise<void> {
    await this.redis.hdel(this.runsKey(id), runId);
  }

  /** Every run of a list, newest first. */
  async runs(id: string): Promise<RunRecord[]> {
    const all = Object.values(await this.redis.hgetall(this.runsKey(id))).map(
      (raw) => JSON.parse(raw) as RunRecord,
    );
    return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /**
   * A provider refused us while verifying this run: remember its breaker (the first one seen)
   * and count the addresses it left `unknown / blocked`, for summary.json and the CLI.
   */
  async noteBlocked(
    id: string,
    runId: string,
    state: BreakerState,
    addresses: number,
  ): Promise<void> {
    const key = listKeys(this.prefix, id).run(runId).blocked;
    await this.redis
      .multi()
      .hsetnx(key, state.provider, JSON.stringify(state))
      .hincrby(key, `${state.provider}\n`, addresses)
      .pexpire(key, RUN_KEY_TTL_MS)
      .exec();
  }

  /** The providers that refused us during a run, with their addresses, most addresses first. */
  async blocked(id: string, runId: string): Promise<ProviderBlockWarning[]> {
    const all = await this.redis.hgetall(listKeys(this.prefix, id).run(runId).blocked);
    const warnings: ProviderBlockWarning[] = [];
    for (const [field, value] of Object.entries(all)) {
      if (field.endsWith('\n')) continue;
      const state = JSON.parse(value) as BreakerState;
      warnings.push(
        providerBlockWarning({
          provider: state.provider,
          reply: state.reply,
          rule: state.rule,
          since: state.openedAt,
          until: state.until,
          addresses: Number(all[`${field}\n`] ?? 0),
        }),
      );
    }
    return warnings.sort((a, b) => b.addresses - a.addresses);
  }

  /** List ids of a tenant, newest first. */
  async idsOf(tenant: string, limit = 100): Promise<string[]> {
    return this.redis.zrevrange(tenantListsKey(this.prefix, tenant), 0, limit - 1);
  }
}

/** "No list …": the same code and wording wherever a list id leads nowhere. */
export function listNotFound(id: string, hint = ''): ListcleanError {
  return new ListcleanError(
    'list_not_found',
    `No list ${JSON.stringify(id)}.${hint ? ` ${hint}` : ''}`,
  );
}

/** `ms` from now as an ISO time; null for 0 or no deadline. */
function deadlineFrom(ms: number | undefined): string | null {
  return ms && ms > 0 ? new Date(Date.now() + ms).toISOString() : null;
}
