/**
 * A worker that cannot find a list's input in its storage is the wrong worker, not a sign the
 * list is broken: another process (an in-process `clean`, a worker with another STORAGE_URL)
 * took the upload. It leaves the job for a worker that can read it — delayed, costing no
 * attempt — and only when none has for as long as the list may take does the list fail, with a
 * reason that names no path or host. The job comes back after WORKER_LOCK_DURATION.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Runtime } from '../runtime/runtime.ts';
import { notifyCompletion } from './notify.ts';

/** With no deadline, how long it waits for a worker that can read the input. */
const NO_DEADLINE_LIMIT_MS = 3_600_000;

export async function leaveForAnotherWorker(
  job: Job<{ listId: string; runId: string; storageMisses?: number }>,
  token: string | undefined,
  rt: Runtime,
): Promise<never> {
  const { listId, runId } = job.data;
  const misses = (job.data.storageMisses ?? 0) + 1;
  // Back after one lock duration: the time the pipeline already gives a silent worker's jobs.
  const retryMs = rt.config.WORKER_LOCK_DURATION;
  const deadlineAt = (await rt.lists.deadlineOf(listId)) ?? job.timestamp + NO_DEADLINE_LIMIT_MS;
  if (Date.now() + retryMs > deadlineAt) {
    const error =
      'no worker could read the list’s input: the workers must use the storage (STORAGE_URL) of the process that took the upload';
    await rt.lists.advance(listId, 'failed', { error, errorCode: 'storage_not_found' });
    await notifyCompletion(rt, listId);
    rt.log.error({ listId, runId, jobId: job.id }, 'list failed: no worker could read its input');
    throw new UnrecoverableError(error);
  }
  if (misses === 1) {
    rt.log.warn(
      { listId, runId, jobId: job.id, storage: rt.storage.describe() },
      'the list’s input is not in this worker’s storage: leaving the job for a worker that has it',
    );
  }
  await job.updateData({ ...job.data, storageMisses: misses });
  await job.moveToDelayed(Date.now() + retryMs, token);
  throw new DelayedError();
}
