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
import { type FamilySamples, sampleFamilies } from '../harness/key-families.ts';
import type { DriveResult } from '../harness/pipeline-driver.ts';
import { startBenchRedis } from '../harness/private-redis.ts';
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
  /** Memory the pre-filled verdict cache took (in the cache's own Redis). */
  cacheBytes: number;
  /** The cache's Redis at the end (the run's new verdicts added) minus before the fill. */
  cacheEndBytes?: number;
  /** The run's own keys in the main Redis by family: after ingest, at the peak, at the end. */
  families?: FamilySamples;
  drive: DriveResult;
  /** Rows whose reason differs from the truth, by reason counts. */
  mismatches: number;
}

export async function benchMillion(world: BigListWorld): Promise<MillionBench> {
  const dirs = await tempDirs();
  const prefix = prefixFor('big');
  const redis = new Redis(REDIS_URL);
  // The verdict cache in a Redis of its own (REDIS_CACHE_URL), as a deployment may keep it: the
  // main Redis then holds only what the list costs, and each is measured apart.
  const cacheRedis = await startBenchRedis();
  const sandbox = await startWorld(bigScenario(world));
  try {
    const before = await usedMemory(cacheRedis.client);
    const started = performance.now();
    // One MSET per batch (no TTL: the prefix is deleted afterwards); VerdictCache.set would send
    // a SET per address, and filling would take longer than the run.
    const truth = await writeBigList(dirs.csv, world, async (entries) => {
      if (entries.length === 0) return;
      await cacheRedis.client.mset(
        entries.flatMap(([address, verdict]) => [
          verdictKey(`${prefix}:`, address),
          encodeVerdict(verdict),
        ]),
      );
    });
    const generateMs = performance.now() - started;
    const cacheBytes = (await usedMemory(cacheRedis.client)) - before;
    const sampler = sampleFamilies(redis, prefix, `${prefix}:list:{big}`);
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
        REDIS_CACHE_URL: cacheRedis.url,
        REDIS_PREFIX: prefix,
        STORAGE_URL: `file:${await dirs.storage()}`,
      },
    ).finally(() => sampler.end());
    const families = await sampler.end();
    // The sampler's own MEMORY USAGE, SCAN and HGET calls are not the pipeline's (which never
    // sends the first two).
    const own: Record<string, number> = {
      'memory|usage': Number.POSITIVE_INFINITY,
      scan: Number.POSITIVE_INFINITY,
      hget: families.samples,
    };
    for (const entry of drive.commands.byCommand) {
      const cut = Math.min(entry[1], own[entry[0]] ?? 0);
      entry[1] -= cut;
      drive.commands.total -= cut;
    }
    drive.commands.byCommand = drive.commands.byCommand
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    const cacheEndBytes = (await usedMemory(cacheRedis.client)) - before;
    const got: Record<string, number> = drive.summary?.by_reason ?? {};
    const reasons = new Set([...Object.keys(truth.byReason), ...Object.keys(got)]);
    let off = 0;
    for (const reason of reasons) {
      off += Math.abs(
        (truth.byReason[reason as keyof typeof truth.byReason] ?? 0) - (got[reason] ?? 0),
      );
    }
    return {
      truth,
      generateMs,
      cacheBytes,
      cacheEndBytes,
      families,
      drive,
      mismatches: off / 2,
    };
  } finally {
    await sandbox.close();
    await cacheRedis.stop();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    await dirs.remove();
  }
}
