/**
 * Submitting a list: the input is streamed into storage, then one BullMQ flow is created — the
 * aggregate job as parent, the ingest job as its first child (ingest adds the probe jobs as
 * further children). BullMQ runs the parent only once every child has finished, even across
 * worker crashes, so the aggregate runs exactly once per list.
 */
import { type Readable, Transform } from 'node:stream';
import { jobIds } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { INITIAL_RUN, QUEUES, storageKeys } from './names.ts';
import { outageJobOptions } from './outage-backoff.ts';
import type { AggregateJobData, IngestJobData, ListOptions } from './types.ts';

export interface SubmitRequest {
  id: string;
  name: string;
  tenant: string;
  options: ListOptions;
  input: Readable | Buffer | string;
  /** Completion webhook target, already vetted by the caller. Stored before the work starts. */
  webhookUrl?: string;
}

export async function submitList(rt: Runtime, request: SubmitRequest): Promise<void> {
  // Lines counted on the way to storage: the list's result buckets are sized from them.
  const counted = countLines(request.input);
  const { bytes } = await rt.storage.put(storageKeys.input(request.id), counted.input, {
    contentType: 'text/csv',
  });
  await rt.lists.create({
    id: request.id,
    name: request.name,
    tenant: request.tenant,
    // The deadline is the list's from now on: hygiene runs keep it whatever LIST_DEADLINE
    // says later.
    options: {
      ...request.options,
      deadlineMs: request.options.deadlineMs ?? rt.config.LIST_DEADLINE,
    },
    inputBytes: bytes,
    inputLines: counted.lines(),
    webhookUrl: request.webhookUrl,
  });
  await enqueueList(rt, request.id);
}

/**
 * Creates the flow of the list's current run. Idempotent: job ids derive from the list and run,
 * so a second call (a resumed `clean`) is a no-op.
 */
export async function enqueueList(rt: Runtime, listId: string): Promise<void> {
  const meta = await rt.lists.get(listId);
  const runId = meta?.currentRun ?? INITIAL_RUN;
  const aggregate: AggregateJobData = { listId, runId };
  const ingest: IngestJobData = { listId, runId };
  await rt.flow.add({
    name: 'aggregate',
    queueName: QUEUES.aggregate,
    data: aggregate,
    opts: {
      jobId: jobIds.aggregate(listId, runId),
      ...outageJobOptions(rt.config.OUTAGE_RETRY_WINDOW),
    },
    children: [
      {
        name: 'ingest',
        queueName: QUEUES.ingest,
        data: ingest,
        opts: {
          jobId: jobIds.ingest(listId, runId),
          ...outageJobOptions(rt.config.OUTAGE_RETRY_WINDOW),
          // A list whose file cannot be read has failed; do not aggregate nothing.
          failParentOnFailure: true,
        },
      },
    ],
  });
}

/** The input as given, and the number of line feeds in it once it has been read. */
function countLines(input: Readable | Buffer | string): {
  input: Readable | Buffer | string;
  lines: () => number;
} {
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const buffer = typeof input === 'string' ? Buffer.from(input) : input;
    let lines = 0;
    for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lines += 1;
    return { input, lines: () => lines };
  }
  let lines = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      done(null, chunk);
    },
  });
  input.on('error', (error) => counter.destroy(error));
  return { input: input.pipe(counter), lines: () => lines };
}
