/**
 * The worker pools of one process (in-process for `listclean clean`, or `listclean worker`).
 * Closing waits for the jobs in hand to finish; after `graceMs` it stops waiting and the jobs are
 * handed back (their locks lapse and another worker takes them over).
 */
import type { Worker } from 'bullmq';
import { orphanedPoolQueues, registerPools } from '../src/pipeline/pool-registry.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { startAggregateWorker } from './aggregate.ts';
import { startHygieneWorker } from './hygiene.ts';
import { startIngestWorker } from './ingest.ts';
import { setPoolConcurrency, startPoolWorker, startProbeWorker } from './probe.ts';
import { startWebhookWorker } from './webhook.ts';

export interface WorkerPool {
  workers: Worker[];
  close(graceMs?: number): Promise<void>;
}

export async function startWorkers(rt: Runtime): Promise<WorkerPool> {
  // Before any worker exists: nothing to close if Redis refuses.
  await setPoolConcurrency(rt);
  await registerPools(rt);
  const orphans = await orphanedPoolQueues(rt);
  for (const name of orphans) {
    process.stderr.write(
      `listclean worker: draining probe queue ${name}, a pool the policy no longer names\n`,
    );
  }
  const workers: Worker[] = [
    startIngestWorker(rt),
    startProbeWorker(rt),
    startAggregateWorker(rt),
    startHygieneWorker(rt),
    startWebhookWorker(rt),
    ...rt.pools.map((pool) => startPoolWorker(rt, pool)),
    ...orphans.map((name) => startProbeWorker(rt, name)),
  ];
  for (const worker of workers) {
    worker.on('error', (error) => {
      process.stderr.write(`listclean worker (${worker.name}): ${error.message}\n`);
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    workers,
    async close(graceMs = 60_000) {
      const graceful = Promise.all(workers.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      const outcome = await Promise.race([graceful.then(() => 'ok' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'late') await Promise.all(workers.map((w) => w.close(true)));
    },
  };
}
