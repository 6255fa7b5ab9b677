/** Worker entry for the ingest queue: wires src/pipeline/ingest.ts to BullMQ. */
import { Worker } from 'bullmq';
import { runIngest } from '../src/pipeline/ingest.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import type { Runtime } from '../src/pipeline/runtime.ts';
import type { IngestJobData } from '../src/pipeline/types.ts';

export function startIngestWorker(rt: Runtime): Worker<IngestJobData> {
  return new Worker<IngestJobData>(QUEUES.ingest, (job) => runIngest(job, rt), {
    connection: rt.redis,
    prefix: rt.bullPrefix,
    // Ingest streams a file and is I/O bound on Redis; two lists at once per process is plenty.
    concurrency: 2,
    lockDuration: rt.config.WORKER_LOCK_DURATION,
    // Check for jobs of crashed workers as often as a lock can lapse.
    stalledInterval: rt.config.WORKER_LOCK_DURATION,
  });
}
