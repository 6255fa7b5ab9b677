/**
 * The memory benchmark: a generated CSV of 1,000,000 rows (100,000 with --quick) over 50,000
 * domains, streamed from a temp file through the whole pipeline in ONE process (in-process
 * workers, as `listclean clean` runs): upload to storage, ingest, the probe jobs of the
 * addresses the cache does not know, aggregate, reports in storage. See big-list.ts for what
 * the list holds and why. Reports wall time per phase, that process's peak RSS, and Redis.
 */
import { Redis } from 'ioredis';
import { deletePrefix, encodeVerdict, verdictKey } from '../src/redis/index.ts';
import { startWorld } from '../src/sandbox/index.ts';
import { type BigListOptions, type BigListTruth, bigScenario, writeBigList } from './big-list.ts';
import type { DriveResult } from './pipeline-driver.ts';
import { BENCH_ENV } from './pipeline-world.ts';
import { runChild } from './processes.ts';
import { usedMemory } from './redis-meter.ts';
import { prefixFor, REDIS_URL, tempDirs } from './scratch.ts';

export interface MillionBench {
  options: BigListOptions;
  truth: BigListTruth;
  generateMs: number;
  /** Redis memory the pre-filled verdict cache took. */
  cacheBytes: number;
  drive: DriveResult;
  /** Rows whose reason differs from the truth, by reason counts. */
  mismatches: number;
}

export const FULL_BIG: BigListOptions = {
  rows: 1_000_000,
  domains: 50_000,
  zipf: 1,
  seed: 3,
  uncachedEvery: 20,
};
export const QUICK_BIG: BigListOptions = { ...FULL_BIG, rows: 100_000 };
/** The same list as a new upload: nothing cached, every address through a probe job. */
export const FULL_BIG_NEW: BigListOptions = { ...FULL_BIG, uncachedEvery: 1 };
export const QUICK_BIG_NEW: BigListOptions = { ...QUICK_BIG, uncachedEvery: 1 };

export async function benchMillion(options: BigListOptions): Promise<MillionBench> {
  const dirs = await tempDirs();
  const prefix = prefixFor('big');
  const redis = new Redis(REDIS_URL);
  const world = await startWorld(bigScenario(options));
  try {
    const before = await usedMemory(redis);
    const started = performance.now();
    // One MSET per batch (no TTL: the prefix is deleted afterwards); VerdictCache.set would send
    // a SET per address, and filling would take longer than the run.
    const truth = await writeBigList(dirs.csv, options, async (entries) => {
      if (entries.length === 0) return;
      await redis.mset(
        entries.flatMap(([address, verdict]) => [
          verdictKey(`${prefix}:`, address),
          encodeVerdict(verdict),
        ]),
      );
    });
    const generateMs = performance.now() - started;
    const cacheBytes = (await usedMemory(redis)) - before;
    const drive = await runChild<DriveResult>(
      {
        kind: 'pipeline',
        listId: 'big',
        csvPath: dirs.csv,
        inProcess: true,
        timeoutMs: 900_000,
      },
      {
        ...world.env,
        ...BENCH_ENV,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        STORAGE_URL: `file:${await dirs.storage()}`,
      },
    );
    const got: Record<string, number> = drive.summary?.by_reason ?? {};
    const reasons = new Set([...Object.keys(truth.byReason), ...Object.keys(got)]);
    let off = 0;
    for (const reason of reasons) {
      off += Math.abs(
        (truth.byReason[reason as keyof typeof truth.byReason] ?? 0) - (got[reason] ?? 0),
      );
    }
    return { options, truth, generateMs, cacheBytes, drive, mismatches: off / 2 };
  } finally {
    await world.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await dirs.remove();
  }
}
