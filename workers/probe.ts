/**
 * Worker entry for the probe queues: wires src/pipeline/probe.ts to BullMQ, one worker for the
 * shared queue and one per provider pool.
 */
import { Worker } from 'bullmq';
import { QUEUES } from '../src/pipeline/names.ts';
import { runProbe } from '../src/pipeline/probe.ts';
import type { ProbeJobData } from '../src/pipeline/types.ts';
import type { PoolQueue, Runtime } from '../src/runtime/runtime.ts';
import { workerOptions } from './options.ts';

/**
 * The shared queue's worker; also drains, the same way, a pool queue the policy no longer names
 * (`queue`, see src/pipeline/pool-registry.ts).
 */
export function startProbeWorker(rt: Runtime, queue: string = QUEUES.probe): Worker<ProbeJobData> {
  // Probe jobs wait on remote servers, not the CPU; the per-provider gate, not this number, is
  // what bounds the load on any one provider.
  return new Worker<ProbeJobData>(
    queue,
    (job, token) => runProbe(job, token, rt, null),
    workerOptions(rt, queue, rt.config.WORKER_CONCURRENCY),
  );
}

/**
 * Caps each pool's active jobs across every process at the provider's session limit (the
 * queue-global concurrency; the policy in force is the last one a worker started with).
 */
export async function setPoolConcurrency(rt: Runtime): Promise<void> {
  await Promise.all(rt.pools.map((pool) => pool.bull.setGlobalConcurrency(pool.concurrency)));
}

/** A provider pool's worker: locally, too, no more jobs than the provider's session limit. */
export function startPoolWorker(rt: Runtime, pool: PoolQueue): Worker<ProbeJobData> {
  return new Worker<ProbeJobData>(
    pool.queue,
    (job, token) => runProbe(job, token, rt, pool),
    workerOptions(rt, pool.queue, pool.concurrency),
  );
}
