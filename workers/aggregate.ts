/** Worker entry for the aggregate queue: wires src/pipeline/aggregate.ts to BullMQ. */
import { Worker } from 'bullmq';
import { runAggregate } from '../src/pipeline/aggregate.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import { notifyCompletion } from '../src/pipeline/notify.ts';
import type { Runtime } from '../src/pipeline/runtime.ts';
import type { AggregateJobData } from '../src/pipeline/types.ts';

export function startAggregateWorker(rt: Runtime): Worker<AggregateJobData> {
  const worker = new Worker<AggregateJobData>(QUEUES.aggregate, (job) => runAggregate(job, rt), {
    connection: rt.redis,
    prefix: rt.bullPrefix,
    concurrency: 1,
    lockDuration: rt.config.WORKER_LOCK_DURATION,
    // Check for jobs of crashed workers as often as a lock can lapse.
    stalledInterval: rt.config.WORKER_LOCK_DURATION,
  });
  worker.on('failed', (job, error) => {
    // Out of attempts (or a child failed it): the list has failed, say why.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      void rt.lists
        .advance(job.data.listId, 'failed', { error: error.message })
        .then(() => notifyCompletion(rt, job.data.listId));
    }
  });
  return worker;
}
