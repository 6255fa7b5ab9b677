/**
 * The pipeline cases: one list through the whole BullMQ pipeline, submit → reports in storage,
 * in one of the world's modes — "in-process" (one process submits and runs the workers, like
 * `listclean clean`) or "2 workers" (a submitting process plus `listclean worker` processes) —
 * against a running sandbox world. Every run gets its own Redis prefix (deleted afterwards) and
 * storage directory, so no run sees another's cache.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../src/redis/index.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import type { GeneratedList } from '../../src/sandbox/lists/list-generator.ts';
import type { DriveResult } from '../harness/pipeline-driver.ts';
import {
  cpuMsOf,
  peakRssBytes,
  runChild,
  startWorkerProcess,
  stopProcess,
} from '../harness/processes.ts';
import { type KeyMemory, prefixMemory } from '../harness/redis-meter.ts';
import { type BenchDirs, prefixFor, REDIS_URL } from '../harness/scratch.ts';
import { sampleSessions } from '../harness/session-sampler.ts';
import type { Mode, PipelineWorld } from '../worlds/pipeline-world.ts';
import { processEnv } from '../worlds/process-env.ts';

export interface PipelineRun {
  latencyMs: number;
  mode: Mode;
  drive: DriveResult;
  /** Peak RSS per process: the driver (it holds the workers when in-process), then workers. */
  rss: Array<{ process: string; bytes: number }>;
  /** CPU time of the pipeline's processes: the driver's during the run, plus the workers'. */
  cpuMs: number;
  sessions: number;
  rcpts: number;
  /** Most sessions open at once across every sandbox host (sampled every 10 ms). */
  peakSessions: number;
  /** The biggest provider's open sessions, averaged per second from the child's start. */
  biggestPerSecond: number[];
  /** Most sessions open at once at the biggest provider's MX host. */
  biggestProviderPeak: number;
  /** Event-loop utilisation of the bench process, which serves the sandbox world (0–1). */
  sandboxEventLoop: number;
  /** MEMORY USAGE of the run's keys at the end, by kind. */
  keys: KeyMemory;
  /** Rows of report.csv whose reason differs from the ground truth. */
  mismatches: number;
}

/** What every run of one list shares. */
export interface PipelineContext {
  world: PipelineWorld;
  /** The running sandbox world, at the run's latency. */
  sandbox: SandboxWorld;
  list: GeneratedList;
  dirs: BenchDirs;
  policyFile: string;
  redis: Redis;
  /** The biggest provider's MX host, whose open sessions are sampled. */
  biggestHost: string;
}

export const LIST_ID = 'bench';
const LIST_TIMEOUT_MS = 300_000;

/** Rows of report.csv whose reason differs from the generator's ground truth (row by row). */
async function rowMismatches(storageDir: string, list: GeneratedList): Promise<number> {
  const text = await readFile(path.join(storageDir, 'lists', LIST_ID, 'report.csv'), 'utf8');
  const report = parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;
  let wrong = Math.abs(report.length - list.rows.length);
  list.rows.forEach((row, i) => {
    if (report[i]?.reason !== row.expected) wrong += 1;
  });
  return wrong;
}

export async function pipelineRun(
  ctx: PipelineContext,
  latencyMs: number,
  mode: Mode,
): Promise<PipelineRun> {
  const { sandbox, list, dirs, redis } = ctx;
  const spec = ctx.world.modes[mode];
  const prefix = prefixFor(`${latencyMs}ms-${mode}`);
  const storageDir = await dirs.storage();
  const env = {
    ...sandbox.env,
    ...processEnv(ctx.world.env),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${storageDir}`,
    THROTTLE_POLICY: ctx.policyFile,
    WORKER_CONCURRENCY: String(spec.jobSlots),
  };
  const workers = [];
  try {
    if (!spec.inProcess) {
      for (let i = 0; i < spec.processes; i++) workers.push(await startWorkerProcess(env));
    }
    const workerCpuBefore = await Promise.all(workers.map((w) => cpuMsOf(w.pid ?? 0)));
    sandbox.resetStats();
    const stopSampling = sampleSessions(sandbox, ctx.biggestHost);
    const elu = performance.eventLoopUtilization();
    const drive = await runChild<DriveResult>(
      {
        kind: 'pipeline',
        listId: LIST_ID,
        csvPath: dirs.csv,
        inProcess: spec.inProcess,
        timeoutMs: LIST_TIMEOUT_MS,
      },
      env,
    ).finally(() => stopSampling());
    const { peak: peakSessions, hostPerSecond: biggestPerSecond } = stopSampling();
    const sandboxEventLoop = performance.eventLoopUtilization(elu).utilization;
    const rss = [
      { process: spec.inProcess ? 'clean (in-process)' : 'submitter', bytes: drive.maxRss },
    ];
    let cpuMs = drive.cpuMs;
    for (const [i, worker] of workers.entries()) {
      rss.push({ process: `worker ${i + 1}`, bytes: await peakRssBytes(worker.pid ?? 0) });
      cpuMs += (await cpuMsOf(worker.pid ?? 0)) - (workerCpuBefore[i] ?? 0);
    }
    const stats = Object.values(sandbox.allStats());
    const biggest = sandbox.stats(ctx.biggestHost);
    return {
      latencyMs,
      mode,
      drive,
      rss,
      cpuMs,
      sessions: stats.reduce((n, s) => n + s.sessions, 0),
      rcpts: stats.reduce((n, s) => n + s.rcpts, 0),
      peakSessions,
      biggestPerSecond,
      sandboxEventLoop,
      biggestProviderPeak: biggest.maxConcurrentSessions,
      keys: await prefixMemory(redis, prefix),
      mismatches: await rowMismatches(storageDir, list),
    };
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w)));
    await deletePrefix(redis, prefix);
  }
}
