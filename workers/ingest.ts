/** Worker entry for the ingest queue: wires src/pipeline/ingest.ts to BullMQ. */
import { Worker } from 'bullmq';
import { runIngest } from '../src/pipeline/ingest.ts';
import { QUEUES } from '../src/pipeline/names.ts';
import type { IngestJobData } from '../src/pipeline/types.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { workerOptions } from './options.ts';

export function startIngestWorker(rt: Runtime): Worker<IngestJobData> {
  // Ingest streams a file and is I/O bound on Redis; two lists at once per process is plenty.
  return new Worker<IngestJobData>(
    QUEUES.ingest,
    (job, token) => runIngest(job, rt, token),
    workerOptions(rt, QUEUES.ingest, 2),
  );
}
