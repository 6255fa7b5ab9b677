/**
 * The pipeline benchmark: one generated list (Zipf over domains, big domains on a few shared MX
 * providers, a long tail of self-hosted ones) through the whole BullMQ pipeline, submit → reports
 * in storage, at 0 ms and 20 ms sandbox reply latency, with in-process workers and with two
 * `listclean worker` processes; the same list through a naive one-connection-per-address loop;
 * and the ideal-schedule bound for the policy. Every pipeline run gets its own Redis prefix
 * (deleted afterwards) and storage directory, so no run sees another's cache.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { probePools } from '../src/policy/pools.ts';
import { deletePrefix } from '../src/redis/index.ts';
import { type SandboxWorld, startWorld } from '../src/sandbox/index.ts';
import { type GeneratedList, toCsv } from '../src/sandbox/list-generator.ts';
import { measureReplyMs } from './calibrate.ts';
import { type IdealBound, idealBound, providerWork } from './ideal-bound.ts';
import type { NaiveResult } from './naive.ts';
import type { DriveResult } from './pipeline-driver.ts';
import {
  BENCH_ENV,
  type BenchListOptions,
  benchList,
  withLatency,
  writeBenchPolicy,
} from './pipeline-world.ts';
import { cpuMsOf, peakRssBytes, runChild, startWorkerProcess, stopProcess } from './processes.ts';
import { type BenchDirs, prefixFor, REDIS_URL, tempDirs } from './scratch.ts';

export type Mode = 'in-process' | '2 workers';

interface ModeSpec {
  /** Workers in the submitting process (else `listclean worker` processes). */
  inProcess: boolean;
  processes: number;
  /** WORKER_CONCURRENCY. */
  jobSlots: number;
}

export const MODES: Record<Mode, ModeSpec> = {
  'in-process': { inProcess: true, processes: 1, jobSlots: 32 },
  '2 workers': { inProcess: false, processes: 2, jobSlots: 32 },
};

/**
 * Session concurrency the workers of a mode can hold, one session per probe job: the shared
 * queue's job slots in every process, plus the provider pools' (capped across processes).
 */
export function sessionSlots(mode: Mode, poolSessions: number): number {
  return MODES[mode].processes * MODES[mode].jobSlots + poolSessions;
}

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

export interface PipelineBench {
  list: GeneratedList;
  options: BenchListOptions;
  /** Probe jobs one process runs at once from the shared queue (WORKER_CONCURRENCY). */
  workerConcurrency: number;
  /** Sum of the provider pools' session limits (their queues' global concurrency). */
  poolSessions: number;
  /** Connections the naive loop keeps open at once: our in-process session concurrency. */
  naiveConcurrency: number;
  runs: PipelineRun[];
  naive: Array<{ latencyMs: number; result: NaiveResult; sessions: number }>;
  /** In units of one reply latency, for the in-process and the two-worker session caps. */
  bound: Record<Mode, IdealBound>;
  /** What one reply measurably costs at each latency (see calibrate.ts), ms. */
  replyMs: Record<number, number>;
}

const LATENCIES = [0, 20];
/**
 * The naive loop runs at 20 ms only: at 0 ms it would take
 * over a minute of the bench's budget.
 */
const NAIVE_LATENCY_MS = 20;
const WORKER_CONCURRENCY = MODES['in-process'].jobSlots;
const LIST_ID = 'bench';

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

const BIGGEST_HOST = 'mx.provider0.test';

/**
 * Samples open sessions every 10 ms until stopped: the peak across the world, and the biggest
 * provider's host averaged per second (the child's start-up before submit included).
 */
function sampleSessions(world: SandboxWorld): () => { peak: number; biggestPerSecond: number[] } {
  let peak = 0;
  const biggest: number[] = [];
  const timer = setInterval(() => {
    let open = 0;
    for (const stats of Object.values(world.allStats())) open += stats.currentSessions;
    peak = Math.max(peak, open);
    biggest.push(world.stats(BIGGEST_HOST).currentSessions);
  }, 10);
  return () => {
    clearInterval(timer);
    const biggestPerSecond: number[] = [];
    for (let i = 0; i < biggest.length; i += 100) {
      const second = biggest.slice(i, i + 100);
      biggestPerSecond.push(second.reduce((a, b) => a + b, 0) / second.length);
    }
    return { peak, biggestPerSecond };
  };
}

export interface KeyMemory {
  /** The global verdict cache: one key per address. */
  verdictCache: number;
  /** The list's results hash (and other list keys). */
  list: number;
  /** BullMQ: jobs (completed ones are kept a day), queues, events. */
  bullmq: number;
  /** Catch-all answers, session gates, metrics. */
  other: number;
}

/** MEMORY USAGE of every key of a run, by kind. */
export async function prefixMemory(redis: Redis, prefix: string): Promise<KeyMemory> {
  const memory: KeyMemory = { verdictCache: 0, list: 0, bullmq: 0, other: 0 };
  const kindOf = (key: string): keyof KeyMemory =>
    key.startsWith(`{${prefix}}`)
      ? 'bullmq'
      : key.startsWith(`${prefix}:verdict:`)
        ? 'verdictCache'
        : key.startsWith(`${prefix}:list`)
          ? 'list'
          : 'other';
  for (const match of [`{${prefix}}*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      const answers = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        memory[kindOf(key)] += Number(answers[i]?.[1] ?? 0);
      });
      cursor = next;
    } while (cursor !== '0');
  }
  return memory;
}

export async function pipelineRun(
  world: SandboxWorld,
  list: GeneratedList,
  dirs: BenchDirs,
  policyFile: string,
  latencyMs: number,
  mode: Mode,
  redis: Redis,
): Promise<PipelineRun> {
  const spec = MODES[mode];
  const prefix = prefixFor(`${latencyMs}ms-${mode}`);
  const storageDir = await dirs.storage();
  const env = {
    ...world.env,
    ...BENCH_ENV,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${storageDir}`,
    THROTTLE_POLICY: policyFile,
    WORKER_CONCURRENCY: String(spec.jobSlots),
  };
  const workers = [];
  try {
    if (!spec.inProcess) {
      for (let i = 0; i < spec.processes; i++) workers.push(await startWorkerProcess(env));
    }
    const workerCpuBefore = await Promise.all(workers.map((w) => cpuMsOf(w.pid ?? 0)));
    world.resetStats();
    const stopSampling = sampleSessions(world);
    const elu = performance.eventLoopUtilization();
    const drive = await runChild<DriveResult>(
      {
        kind: 'pipeline',
        listId: LIST_ID,
        csvPath: dirs.csv,
        inProcess: spec.inProcess,
        timeoutMs: 300_000,
      },
      env,
    ).finally(() => stopSampling());
    const { peak: peakSessions, biggestPerSecond } = stopSampling();
    const sandboxEventLoop = performance.eventLoopUtilization(elu).utilization;
    const rss = [
      { process: spec.inProcess ? 'clean (in-process)' : 'submitter', bytes: drive.maxRss },
    ];
    let cpuMs = drive.cpuMs;
    for (const [i, worker] of workers.entries()) {
      rss.push({ process: `worker ${i + 1}`, bytes: await peakRssBytes(worker.pid ?? 0) });
      cpuMs += (await cpuMsOf(worker.pid ?? 0)) - (workerCpuBefore[i] ?? 0);
    }
    const stats = Object.values(world.allStats());
    const biggest = world.stats(BIGGEST_HOST);
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

export async function benchPipeline(options: BenchListOptions): Promise<PipelineBench> {
  const list = benchList(options);
  const dirs = await tempDirs();
  const redis = new Redis(REDIS_URL);
  try {
    await writeFile(dirs.csv, toCsv(list.rows));
    const { file: policyFile, policy } = await writeBenchPolicy(dirs.root, options);
    const work = providerWork(list.rows, list.scenario, policy);
    const poolSessions = probePools(policy).reduce((n, pool) => n + pool.concurrency, 0);
    const naiveConcurrency = sessionSlots('in-process', poolSessions);
    const bound = Object.fromEntries(
      Object.keys(MODES).map((mode) => [
        mode,
        idealBound(work, sessionSlots(mode as Mode, poolSessions)),
      ]),
    ) as Record<Mode, IdealBound>;
    const replyMs: Record<number, number> = {};
    for (const latencyMs of LATENCIES) replyMs[latencyMs] = await measureReplyMs(latencyMs);
    const runs: PipelineRun[] = [];
    const naive: PipelineBench['naive'] = [];
    for (const latencyMs of LATENCIES) {
      const world = await startWorld(withLatency(list.scenario, latencyMs));
      try {
        for (const mode of Object.keys(MODES) as Mode[]) {
          runs.push(await pipelineRun(world, list, dirs, policyFile, latencyMs, mode, redis));
        }
        if (latencyMs !== NAIVE_LATENCY_MS) continue;
        world.resetStats();
        const result = await runChild<NaiveResult>(
          { kind: 'naive', csvPath: dirs.csv, concurrency: naiveConcurrency },
          { ...world.env, ...BENCH_ENV, THROTTLE_POLICY: policyFile },
        );
        const sessions = Object.values(world.allStats()).reduce((n, s) => n + s.sessions, 0);
        naive.push({ latencyMs, result, sessions });
      } finally {
        await world.close();
      }
    }
    return {
      list,
      options,
      workerConcurrency: WORKER_CONCURRENCY,
      poolSessions,
      naiveConcurrency,
      runs,
      naive,
      bound,
      replyMs,
    };
  } finally {
    redis.disconnect();
    await dirs.remove();
  }
}
