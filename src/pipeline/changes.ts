/**
 * changes.csv of a run: the addresses whose status differs from the previous run's. The last
 * known status of every address lives in one Redis hash per list (`status|since`), so the
 * comparison streams with the aggregate and never loads a previous report.
 *
 * An aggregate may run more than once for a run (a retry after its reports failed to store), and
 * each attempt must report the same changes. So a change is written as
 * `status|since|run|previous status|previous since`: an attempt of the same run reads the
 * previous status back out of it and compares with that, as the first attempt did. Unchanged
 * addresses are not rewritten, and the extra fields cost only the addresses that changed.
 *
 * A list made since issue 14 keeps the statuses in small hashes, bucketed like its results
 * (src/redis/list-results.ts), with the status as one letter and the times as base-36 ms
 * (`d|mixl7k2a`), so each bucket stays listpack-encoded: one HMGET and at most one HSET per
 * bucket a chunk touches.
 */
import path from 'node:path';
import { bucketOf } from '../redis/address-hash.ts';
import { bucketKey, listKeys } from '../redis/keys.ts';
import { hmgetBuckets, hsetBuckets } from '../redis/list-results.ts';
import { CsvFileWriter, neutraliseRow } from '../report/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { STATUSES, type Status } from '../verdict/types.ts';
import { INITIAL_RUN } from './names.ts';

/** Addresses compared at once (bucketed statuses): twice the buckets of a million-row list. */
const FLUSH_ENTRIES = 32_768;

const CODES: Record<Status, string> = {
  deliverable: 'd',
  undeliverable: 'u',
  risky: 'r',
  unknown: 'k',
};
const BY_CODE = new Map(STATUSES.map((status) => [CODES[status], status]));

/** A stored status: its letter (bucketed lists) or its name (lists made before). */
function statusOf(stored: string): string {
  return stored.length === 1 ? (BY_CODE.get(stored) ?? stored) : stored;
}

/** A stored time: base-36 ms (bucketed lists) or ISO (lists made before). */
function timeOf(stored: string | undefined): string | undefined {
  if (stored === undefined || stored === '' || stored.includes('-')) return stored;
  const ms = Number.parseInt(stored, 36);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : stored;
}

export const CHANGES_HEADER = [
  'email',
  'old_status',
  'new_status',
  'old_status_since',
  'changed_at',
];

export class ChangesTracker {
  private readonly writer: CsvFileWriter;
  private readonly key: string;
  private readonly listId: string;
  private readonly now = new Date().toISOString();
  /** The list's buckets (0: the one hash of a list made before), read at the first check. */
  private buckets: number | null = null;
  private gathered: Array<{ address: string; status: Status }> = [];
  count = 0;

  constructor(
    private readonly rt: Runtime,
    listId: string,
    private readonly runId: string,
    tmpDir: string,
  ) {
    this.key = listKeys(rt.prefix, listId).statuses;
    this.listId = listId;
    this.writer = new CsvFileWriter(path.join(tmpDir, 'changes.csv'), CHANGES_HEADER);
  }

  get file(): string {
    return this.writer.path;
  }

  /**
   * Compares unique addresses with what the previous runs saw. With buckets they are gathered up
   * to FLUSH_ENTRIES first (a read and a write per bucket they touch, so the more at once the
   * fewer calls per address); `finish` compares the rest. A list made before compares each chunk
   * at once (one round trip each way).
   */
  async check(entries: ReadonlyArray<{ address: string; status: Status }>): Promise<void> {
    if (entries.length === 0) return;
    this.buckets ??= await this.rt.results.buckets(this.listId);
    if (this.buckets === 0) return this.compare(entries);
    this.gathered.push(...entries);
    if (this.gathered.length >= FLUSH_ENTRIES) await this.flush();
  }

  private async flush(): Promise<void> {
    const entries = this.gathered;
    this.gathered = [];
    if (entries.length > 0) await this.compare(entries);
  }

  private async compare(
    entries: ReadonlyArray<{ address: string; status: Status }>,
  ): Promise<void> {
    const n = this.buckets ?? 0;
    // A list's first run has nothing before it to compare with (its retries write the same
    // statuses again, and report no change either): no read, only writes.
    const previous =
      this.runId === INITIAL_RUN
        ? entries.map(() => null)
        : await this.read(entries.map((e) => e.address));
    const updates = new Map<string, string>();
    // Stored as they are read: letters and base-36 ms in buckets, names and ISO in a list before.
    const status = (name: string) => (n > 0 ? (CODES[name as Status] ?? name) : name);
    const time = (iso: string | undefined) => {
      const ms = iso ? Date.parse(iso) : Number.NaN;
      return n > 0 && Number.isFinite(ms) ? ms.toString(36) : (iso ?? '');
    };
    const nowStored = time(this.now);
    for (const [i, entry] of entries.entries()) {
      const { status: oldStatus, since } = this.before(previous[i] ?? '');
      if (oldStatus === entry.status) {
        // An earlier attempt of this run recorded a change that this one does not see: undo it.
        if (this.wroteChange(previous[i] ?? ''))
          updates.set(entry.address, `${status(oldStatus)}|${time(since)}`);
        continue;
      }
      if (!oldStatus) {
        updates.set(entry.address, `${status(entry.status)}|${nowStored}`);
        continue;
      }
      updates.set(
        entry.address,
        `${status(entry.status)}|${nowStored}|${this.runId}|${status(oldStatus)}|${time(since)}`,
      );
      this.count += 1;
      await this.writer.write(
        neutraliseRow([entry.address, oldStatus, entry.status, since ?? '', this.now]),
      );
    }
    await this.write(updates);
  }

  /** The stored values of `addresses`, in order: one HMGET per bucket, in one script call. */
  private async read(addresses: string[]): Promise<Array<string | null>> {
    const n = this.buckets ?? 0;
    if (n === 0) return this.rt.redis.hmget(this.key, ...addresses);
    const byBucket = new Map<number, number[]>();
    addresses.forEach((address, i) => {
      const bucket = bucketOf(address, n);
      const at = byBucket.get(bucket);
      if (at) at.push(i);
      else byBucket.set(bucket, [i]);
    });
    const positions = [...byBucket.values()];
    const answers = await hmgetBuckets(
      this.rt.redis,
      [...byBucket.keys()].map((bucket) => bucketKey(this.key, n, bucket)),
      positions.map((at) => at.map((i) => addresses[i] as string)),
    );
    const values: Array<string | null> = addresses.map(() => null);
    positions.forEach((at, j) => {
      at.forEach((i, k) => {
        values[i] = answers[j]?.[k] ?? null;
      });
    });
    return values;
  }

  /** One HSET per bucket, in one script call. */
  private async write(updates: Map<string, string>): Promise<void> {
    if (updates.size === 0) return;
    const n = this.buckets ?? 0;
    if (n === 0) {
      await this.rt.redis.hset(this.key, Object.fromEntries(updates));
      return;
    }
    const byBucket = new Map<number, string[]>();
    for (const [address, value] of updates) {
      const bucket = bucketOf(address, n);
      const fields = byBucket.get(bucket);
      if (fields) fields.push(address, value);
      else byBucket.set(bucket, [address, value]);
    }
    await hsetBuckets(
      this.rt.redis,
      [...byBucket.keys()].map((bucket) => bucketKey(this.key, n, bucket)),
      [...byBucket.values()],
    );
  }

  /** What the runs before this one left: an earlier attempt of this run is looked through. */
  private before(value: string): { status: string; since: string | undefined } {
    const [status = '', since, run, previousStatus, previousSince] = value.split('|');
    if (run === this.runId)
      return { status: statusOf(previousStatus ?? ''), since: timeOf(previousSince) };
    return { status: statusOf(status), since: timeOf(since) };
  }

  private wroteChange(value: string): boolean {
    return value.split('|')[2] === this.runId;
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.writer.end();
  }
}
