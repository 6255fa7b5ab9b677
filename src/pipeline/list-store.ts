/**
 * A list's metadata and counters, one Redis hash per list. The status moves forward only:
 * queued → ingesting → verifying → aggregating → done (or failed at any point).
 */
import type { Redis } from 'ioredis';
import { listBlockedKey } from '../redis/keys.ts';
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
  error: string | null;
  /** summary.json once aggregated. */
  summary: unknown;
  aggregateRuns: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run being processed or last processed (`initial` first, then hygiene runs). */
  currentRun: string;
  /** Completion webhook target, if the uploader gave one. */
  webhookUrl: string | null;
}

export interface RunRecord {
  id: string;
  status: ListStatus;
  startedAt: string;
  finishedAt: string | null;
  summary: unknown;
  /** Addresses whose status changed since the previous run. */
  changes: number | null;
}

const ORDER: ListStatus[] = ['queued', 'ingesting', 'verifying', 'aggregating', 'done'];
/** Per-run bookkeeping outlives the run by as long as its results would. */
const RUN_KEY_TTL_MS = 30 * 86_400_000;

export class ListStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}list:${id}`;
  }

  /** Hash list id → status, so metrics can count lists by state without scanning. */
  statusIndexKey(): string {
    return `${this.prefix}list-status`;
  }

  async create(
    meta: Pick<ListMeta, 'id' | 'name' | 'tenant' | 'options' | 'inputBytes'> & {
      webhookUrl?: string;
    },
  ): Promise<void> {
    const now = new Date().toISOString();
    await this.redis
      .multi()
      .hset(this.key(meta.id), {
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
        aggregateRuns: 0,
        currentRun: INITIAL_RUN,
        ...(meta.webhookUrl ? { webhookUrl: meta.webhookUrl } : {}),
      })
      .zadd(`${this.prefix}lists:${meta.tenant}`, Date.now(), meta.id)
      .hset(this.statusIndexKey(), meta.id, 'queued')
      .exec();
    await this.saveRun(meta.id, {
      id: INITIAL_RUN,
      status: 'queued',
      startedAt: now,
      finishedAt: null,
      summary: null,
      changes: null,
    });
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
      error: raw.error ?? null,
      summary: raw.summary ? JSON.parse(raw.summary) : null,
      aggregateRuns: num(raw.aggregateRuns),
      startedAt: raw.startedAt || null,
      finishedAt: raw.finishedAt || null,
      currentRun: raw.currentRun ?? INITIAL_RUN,
      webhookUrl: raw.webhookUrl || null,
    };
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }

  /** Moves the status forward (never back; `failed` always wins over unfinished states). */
  async advance(
    id: string,
    status: ListStatus,
    fields: Record<string, string | number> = {},
  ): Promise<void> {
    const current = (await this.redis.hget(this.key(id), 'status')) as ListStatus | null;
    if (current === 'done' || current === 'failed') return;
    const forward =
      status === 'failed' || ORDER.indexOf(status) > ORDER.indexOf(current ?? 'queued');
    const multi = this.redis.multi().hset(this.key(id), {
      ...fields,
      ...(forward ? { status } : {}),
      updatedAt: new Date().toISOString(),
    });
    if (forward) multi.hset(this.statusIndexKey(), id, status);
    await multi.exec();
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
  async startRun(id: string, runId: string): Promise<void> {
    const now = new Date().toISOString();
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
        startedAt: '',
        finishedAt: '',
        updatedAt: now,
      })
      .hset(this.statusIndexKey(), id, 'queued')
      .exec();
    await this.saveRun(id, {
      id: runId,
      status: 'queued',
      startedAt: now,
      finishedAt: null,
      summary: null,
      changes: null,
    });
  }

  private runsKey(id: string): string {
    return `${this.prefix}list:${id}:runs`;
  }

  async saveRun(id: string, run: RunRecord): Promise<void> {
    await this.redis.hset(this.runsKey(id), run.id, JSON.stringify(run));
  }

  async getRun(id: string, runId: string): Promise<RunRecord | null> {
    const raw = await this.redis.hget(this.runsKey(id), runId);
    return raw ? (JSON.parse(raw) as RunRecord) : null;
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
    const key = listBlockedKey(this.prefix, id, runId);
    await this.redis
      .multi()
      .hsetnx(key, state.provider, JSON.stringify(state))
      .hincrby(key, `${state.provider}\n`, addresses)
      .pexpire(key, RUN_KEY_TTL_MS)
      .exec();
  }

  /** The providers that refused us during a run, with their addresses, most addresses first. */
  async blocked(id: string, runId: string): Promise<ProviderBlockWarning[]> {
    const all = await this.redis.hgetall(listBlockedKey(this.prefix, id, runId));
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
    return this.redis.zrevrange(`${this.prefix}lists:${tenant}`, 0, limit - 1);
  }
}
