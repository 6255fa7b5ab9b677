/** Worker entry for the hygiene queue: each scheduled firing starts a run of its list. */
import { Worker } from 'bullmq';
import { startHygieneRun } from '../src/pipeline/hygiene.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import type { Runtime } from '../src/pipeline/runtime.ts';

export function startHygieneWorker(rt: Runtime): Worker<{ listId: string }> {
  return new Worker<{ listId: string }>(
    QUEUES.hygiene,
    async (job) => startHygieneRun(rt, job.data.listId),
    {
      connection: rt.redis,
      prefix: rt.bullPrefix,
      concurrency: 4,
      lockDuration: rt.config.WORKER_LOCK_DURATION,
      stalledInterval: rt.config.WORKER_LOCK_DURATION,
    },
  );
}
