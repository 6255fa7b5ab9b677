/** Worker entry for the hygiene queue: each scheduled firing starts a run of its list. */
import { Worker } from 'bullmq';
import { startHygieneRun } from '../src/pipeline/hygiene.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { workerOptions } from './options.ts';

export function startHygieneWorker(rt: Runtime): Worker<{ listId: string }> {
  return new Worker<{ listId: string }>(
    QUEUES.hygiene,
    async (job) =>
      startHygieneRun(rt, job.data.listId, new Date(), {
        minIntervalMs: rt.config.HYGIENE_MIN_INTERVAL,
      }),
    workerOptions(rt, QUEUES.hygiene, 4),
  );
}
