/** Worker entry for the aggregate queue: wires src/pipeline/aggregate.ts to BullMQ. */
import { Worker } from 'bullmq';
import { runAggregate } from '../src/pipeline/aggregate.ts';
import { listFailure } from '../src/pipeline/list-failure.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import { notifyCompletion } from '../src/pipeline/notify.ts';
import type { AggregateJobData } from '../src/pipeline/types.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { workerOptions } from './options.ts';

export function startAggregateWorker(rt: Runtime): Worker<AggregateJobData> {
  const worker = new Worker<AggregateJobData>(
    QUEUES.aggregate,
    (job, token) => runAggregate(job, rt, token),
    workerOptions(rt, QUEUES.aggregate, 1),
  );
  worker.on('failed', (job, error) => {
    // Out of attempts (or a child failed it): the list has failed, say why.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      rt.log.error({ listId: job.data.listId, jobId: job.id, err: error }, 'list failed');
      void rt.lists
        .advance(job.data.listId, 'failed', { ...listFailure(error) })
        .then(() => notifyCompletion(rt, job.data.listId));
    }
  });
  return worker;
}
