/**
 * The pipelined case: the pipeline case's list and policy against sandbox hosts that offer
 * PIPELINING with the latency per round trip (`latencyModel: 'round-trip'`: replies to commands
 * sent together come back together, as through a real link), through the whole pipeline in each
 * mode, held to the pipelined bound (ideal-bound.ts, PIPELINED_COST). The naive loop runs in the
 * same world twice: at equal session limits (the connection budget lifted) and under the same
 * policy as ours (sessions and connections per minute per provider), in lockstep both times.
 */
import { writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { probePools } from '../../src/policy/pools.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { toCsv } from '../../src/sandbox/lists/list-generator.ts';
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
import { type IdealBound, idealBound, PIPELINED_COST, providerWork } from './ideal-bound.ts';
import { type NaiveRun, naiveRun } from './naive.ts';
import { mxHostOf } from './pipeline.ts';
import { type PipelineRun, pipelineRun } from './pipeline-run.ts';

export interface PipelinedBench {
  latencyMs: number;
  runs: PipelineRun[];
  /** At equal session limits, then under the same policy. */
  naive: NaiveRun[];
  /** In round trips, for each mode's session cap. */
  bound: Record<Mode, IdealBound>;
}

export async function benchPipelined(world: PipelineWorld): Promise<PipelinedBench | null> {
  const spec = world.pipelined;
  if (!spec) return null;
  const list = benchList(world.list);
  const dirs = await tempDirs();
  const redis = new Redis(REDIS_URL);
  const modes = modesOf(world);
  try {
    await writeFile(dirs.csv, toCsv(list.rows));
    const { file: policyFile, policy } = await writeBenchPolicy(dirs.root, world);
    const work = providerWork(list.rows, list.scenario, policy, PIPELINED_COST);
    const poolSessions = probePools(policy).reduce((n, pool) => n + pool.concurrency, 0);
    const bound = Object.fromEntries(
      modes.map((mode) => [mode, idealBound(work, sessionSlots(world.modes[mode], poolSessions))]),
    ) as Record<Mode, IdealBound>;
    const biggestHost = mxHostOf(list.scenario, bound['in-process'].slowest.provider);
    const sandbox = await startWorld(withLatency(list.scenario, spec.latencyMs, 'round-trip'));
    const runs: PipelineRun[] = [];
    const naive: NaiveRun[] = [];
    try {
      const ctx = { world, sandbox, list, dirs, policyFile, redis, biggestHost };
      for (const mode of modes) runs.push(await pipelineRun(ctx, spec.latencyMs, mode));
      const naiveConcurrency = sessionSlots(world.modes['in-process'], poolSessions);
      const env = { ...processEnv(world.env), THROTTLE_POLICY: policyFile };
      // `--skip-naive`: our runs only (the naive loop under the budget takes minutes).
      const budgets = process.argv.includes('--skip-naive') ? [] : [false, true];
      for (const budget of budgets) {
        naive.push(
          await naiveRun(sandbox, dirs.csv, naiveConcurrency, spec.latencyMs, env, budget),
        );
      }
    } finally {
      await sandbox.close();
    }
    return { latencyMs: spec.latencyMs, runs, naive, bound };
  } finally {
    redis.disconnect();
    await dirs.remove();
  }
}
