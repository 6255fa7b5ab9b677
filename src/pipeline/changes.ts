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
 */
import path from 'node:path';
import { listKeys } from '../redis/keys.ts';
import { CsvFileWriter, neutraliseRow } from '../report/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Status } from '../verdict/types.ts';

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
  private readonly now = new Date().toISOString();
  count = 0;

  constructor(
    private readonly rt: Runtime,
    listId: string,
    private readonly runId: string,
    tmpDir: string,
  ) {
    this.key = listKeys(rt.prefix, listId).statuses;
    this.writer = new CsvFileWriter(path.join(tmpDir, 'changes.csv'), CHANGES_HEADER);
  }

  get file(): string {
    return this.writer.path;
  }

  /** Compares one chunk of unique addresses with what the previous runs saw (one round trip each way). */
  async check(entries: ReadonlyArray<{ address: string; status: Status }>): Promise<void> {
    if (entries.length === 0) return;
    const previous = await this.rt.redis.hmget(this.key, ...entries.map((e) => e.address));
    const updates: Record<string, string> = {};
    for (const [i, entry] of entries.entries()) {
      const { status: oldStatus, since } = this.before(previous[i] ?? '');
      if (oldStatus === entry.status) {
        // An earlier attempt of this run recorded a change that this one does not see: undo it.
        if (this.wroteChange(previous[i] ?? '')) updates[entry.address] = `${oldStatus}|${since}`;
        continue;
      }
      if (!oldStatus) {
        updates[entry.address] = `${entry.status}|${this.now}`;
        continue;
      }
      updates[entry.address] =
        `${entry.status}|${this.now}|${this.runId}|${oldStatus}|${since ?? ''}`;
      this.count += 1;
      await this.writer.write(
        neutraliseRow([entry.address, oldStatus, entry.status, since ?? '', this.now]),
      );
    }
    if (Object.keys(updates).length > 0) await this.rt.redis.hset(this.key, updates);
  }

  /** What the runs before this one left: an earlier attempt of this run is looked through. */
  private before(value: string): { status: string; since: string | undefined } {
    const [status = '', since, run, previousStatus, previousSince] = value.split('|');
    if (run === this.runId) return { status: previousStatus ?? '', since: previousSince };
    return { status, since };
  }

  private wroteChange(value: string): boolean {
    return value.split('|')[2] === this.runId;
  }

  async finish(): Promise<void> {
    await this.writer.end();
  }
}
