/**
 * The worker pools of one process (in-process for `listclean clean`, or `listclean worker`).
 * Closing waits for the jobs in hand to finish; after `graceMs` it stops waiting and the jobs are
 * handed back (their locks lapse and another worker takes them over).
 */
import type { Worker } from 'bullmq';
import { EgressRegistration } from '../src/egress/registry.ts';
import { orphanedPoolQueues, registerPools } from '../src/pipeline/pool-registry.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { startAggregateWorker } from './aggregate.ts';
import { startHygieneWorker } from './hygiene.ts';
import { startIngestWorker } from './ingest.ts';
import { setPoolConcurrency, startPoolWorker, startProbeWorker } from './probe.ts';
import { startWebhookWorker } from './webhook.ts';

/**
 * What a worker does, as log lines with the list and job ids: failures as warnings (errors once
 * out of attempts), completions at debug, the worker's own trouble (Redis) as errors.
 */
function logJobs(rt: Runtime, worker: Worker): void {
  const queue = worker.name;
  worker.on('error', (error) => rt.log.error({ queue, err: error }, 'worker error'));
  worker.on('failed', (job, error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : true;
    const fields = { queue, jobId: job?.id, listId: job?.data?.listId, err: error };
    if (final) rt.log.error(fields, 'job failed for good');
    else rt.log.warn({ ...fields, attempt: job?.attemptsMade }, 'job failed; it will be retried');
  });
  worker.on('completed', (job) =>
    rt.log.debug({ queue, jobId: job.id, listId: job.data?.listId }, 'job done'),
  );
}

export interface WorkerPool {
  workers: Worker[];
  close(graceMs?: number): Promise<void>;
}

export async function startWorkers(rt: Runtime): Promise<WorkerPool> {
  // Before any worker exists: nothing to close if Redis refuses.
  await setPoolConcurrency(rt);
  await registerPools(rt);
  // Greylisting retries are left to a worker that has their egress while one is alive.
  const egresses = await EgressRegistration.start(
    rt.redis,
    rt.prefix,
    rt.round.egresses.map((egress) => egress.name),
  );
  const orphans = await orphanedPoolQueues(rt);
  for (const name of orphans) {
    rt.log.info({ queue: name }, 'draining a probe pool queue the policy no longer names');
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
  for (const worker of workers) logJobs(rt, worker);
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
      await egresses.stop();
    },
  };
}
