/**
 * The memory benchmark: a generated CSV of a million rows (fewer with --quick) over tens of
 * thousands of domains, streamed from a temp file through the whole pipeline in ONE process
 * (in-process workers, as `listclean clean` runs): upload to storage, ingest, the probe jobs of
 * the addresses the cache does not know, aggregate, reports in storage. See worlds/big-list.ts
 * for what the list holds and why. Reports wall time per phase, that process's peak RSS, and
 * Redis.
 */
import { Redis } from 'ioredis';
import { deletePrefix, encodeVerdict, verdictKey } from '../../src/redis/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import type { DriveResult } from '../harness/pipeline-driver.ts';
import { runChild } from '../harness/processes.ts';
import { usedMemory } from '../harness/redis-meter.ts';
import { prefixFor, REDIS_URL, tempDirs } from '../harness/scratch.ts';
import {
  type BigListTruth,
  type BigListWorld,
  bigScenario,
  writeBigList,
} from '../worlds/big-list.ts';
import { processEnv } from '../worlds/process-env.ts';

export interface MillionBench {
  truth: BigListTruth;
  generateMs: number;
  /** Redis memory the pre-filled verdict cache took. */
  cacheBytes: number;
  drive: DriveResult;
  /** Rows whose reason differs from the truth, by reason counts. */
  mismatches: number;
}

export async function benchMillion(world: BigListWorld): Promise<MillionBench> {
  const dirs = await tempDirs();
  const prefix = prefixFor('big');
  const redis = new Redis(REDIS_URL);
  const sandbox = await startWorld(bigScenario(world));
  try {
    const before = await usedMemory(redis);
    const started = performance.now();
    // One MSET per batch (no TTL: the prefix is deleted afterwards); VerdictCache.set would send
    // a SET per address, and filling would take longer than the run.
    const truth = await writeBigList(dirs.csv, world, async (entries) => {
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
        ...sandbox.env,
        ...processEnv(world.env),
        SMTP_MAX_RCPTS_PER_SESSION: String(world.probeBatch),
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
    return { truth, generateMs, cacheBytes, drive, mismatches: off / 2 };
  } finally {
    await sandbox.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await dirs.remove();
  }
}
