/**
 * The pipeline benchmark: one generated list (Zipf over domains, big domains on a few shared MX
 * providers, a long tail of self-hosted ones; worlds/pipeline-world.ts) through the whole BullMQ
 * pipeline at each of the world's latencies, in each of its modes (pipeline-run.ts); the same
 * list through a naive one-connection-per-address loop at the bound latency (naive.ts); and the
 * ideal-schedule bound for the policy (ideal-bound.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { providerKey } from '../../src/dns/index.ts';
import { PROBE_JOB_OPTIONS } from '../../src/pipeline/ingest.ts';
import { probePools } from '../../src/policy/pools.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { toCsv } from '../../src/sandbox/lists/list-generator.ts';
import type { Scenario } from '../../src/sandbox/scenario/scenario.ts';
import { measureReplyMs } from '../harness/calibrate.ts';
import { REDIS_URL, tempDirs } from '../harness/scratch.ts';
import {
  benchList,
  type Mode,
  modesOf,
  type PipelineWorld,
  sessionSlots,
  withLatency,
  writeBenchPolicy,
} from '../worlds/pipeline-world.ts';
import { processEnv } from '../worlds/process-env.ts';
import { type IdealBound, idealBound, providerWork } from './ideal-bound.ts';
import { type NaiveRun, naiveRun } from './naive.ts';
import { type PipelineRun, pipelineRun } from './pipeline-run.ts';

export type { PipelineRun } from './pipeline-run.ts';

export interface PipelineBench {
  /** Distinct valid addresses of the list. */
  uniqueAddresses: number;
  /** Probe jobs one process runs at once from the shared queue (WORKER_CONCURRENCY). */
  workerConcurrency: number;
  /** Sum of the provider pools' session limits (their queues' global concurrency). */
  poolSessions: number;
  /** Connections the naive loop keeps open at once: our in-process session concurrency. */
  naiveConcurrency: number;
  /** How long BullMQ keeps a completed probe job (the pipeline's setting), seconds. */
  completedJobsKeptS: number;
  /** The biggest provider's MX host, whose open sessions each run samples. */
  biggestHost: string;
  runs: PipelineRun[];
  naive: NaiveRun[];
  /** In units of one reply latency, for each mode's session cap. */
  bound: Record<Mode, IdealBound>;
  /** What one reply measurably costs at each latency (see calibrate.ts), ms. */
  replyMs: Record<number, number>;
}

/** An MX host of the scenario whose provider key is `provider`. */
export function mxHostOf(scenario: Scenario, provider: string): string {
  for (const domain of Object.values(scenario.domains)) {
    const host = domain.mx?.[0]?.host;
    if (host && providerKey(host) === provider) return host;
  }
  throw new Error(`no MX host of ${provider} in the scenario`);
}

export async function benchPipeline(world: PipelineWorld): Promise<PipelineBench> {
  const list = benchList(world.list);
  const dirs = await tempDirs();
  const redis = new Redis(REDIS_URL);
  const modes = modesOf(world);
  try {
    await writeFile(dirs.csv, toCsv(list.rows));
    const { file: policyFile, policy } = await writeBenchPolicy(dirs.root, world);
    const work = providerWork(list.rows, list.scenario, policy);
    const poolSessions = probePools(policy).reduce((n, pool) => n + pool.concurrency, 0);
    const naiveConcurrency = sessionSlots(world.modes['in-process'], poolSessions);
    const bound = Object.fromEntries(
      modes.map((mode) => [mode, idealBound(work, sessionSlots(world.modes[mode], poolSessions))]),
    ) as Record<Mode, IdealBound>;
    const biggestHost = mxHostOf(list.scenario, bound['in-process'].slowest.provider);
    const replyMs: Record<number, number> = {};
    for (const latencyMs of world.latenciesMs) replyMs[latencyMs] = await measureReplyMs(latencyMs);
    const runs: PipelineRun[] = [];
    const naive: NaiveRun[] = [];
    for (const latencyMs of world.latenciesMs) {
      const sandbox = await startWorld(withLatency(list.scenario, latencyMs));
      try {
        const ctx = { world, sandbox, list, dirs, policyFile, redis, biggestHost };
        for (const mode of modes) runs.push(await pipelineRun(ctx, latencyMs, mode));
        if (latencyMs !== world.boundLatencyMs) continue;
        naive.push(
          await naiveRun(sandbox, dirs.csv, naiveConcurrency, latencyMs, {
            ...processEnv(world.env),
            THROTTLE_POLICY: policyFile,
          }),
        );
      } finally {
        await sandbox.close();
      }
    }
    const unique = new Set(
      list.rows.filter((r) => r.expected !== 'invalid_syntax').map((r) => r.email.toLowerCase()),
    ).size;
    return {
      uniqueAddresses: unique,
      workerConcurrency: world.modes['in-process'].jobSlots,
      poolSessions,
      naiveConcurrency,
      completedJobsKeptS: PROBE_JOB_OPTIONS.removeOnComplete.age,
      biggestHost,
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
