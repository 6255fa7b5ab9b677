/**
 * Re-running a failed list, only what failed: when its verification finished and only the
 * aggregate gave up (storage away for longer than OUTAGE_RETRY_WINDOW), the aggregate runs
 * again over the verdicts already recorded; when ingest failed, the run starts over (verdicts
 * already cached are reused, unknowns probed again). Either way the list is reopened first, so
 * progress and the API show it working again.
 */
import { Job } from 'bullmq';
import { ListcleanError } from '../errors.ts';
import { jobIds } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { enqueueList } from './submit.ts';

export type RetryMode = 'aggregate' | 'run';

export async function retryList(rt: Runtime, listId: string): Promise<RetryMode> {
  const meta = await rt.lists.require(listId);
  if (meta.status !== 'failed') {
    throw new ListcleanError(
      'list_not_failed',
      `List ${JSON.stringify(listId)} is ${meta.status}; only a failed list can be retried.`,
    );
  }
  const runId = meta.currentRun;
  const aggregate = await Job.fromId(rt.queues.aggregate, jobIds.aggregate(listId, runId));
  const ingest = await Job.fromId(rt.queues.ingest, jobIds.ingest(listId, runId));
  const ingested = ingest !== undefined && (await ingest.getState()) === 'completed';
  if (aggregate && ingested && (await aggregate.getState()) === 'failed') {
    await rt.lists.reopen(listId, 'verifying');
    await aggregate.retry('failed');
    rt.log.info({ listId, runId }, 'list retried: the aggregate runs again');
    return 'aggregate';
  }
  // The flow's job ids are fixed per run: the failed ones go before the run is queued again.
  if (aggregate) await aggregate.remove({ removeChildren: true }).catch(() => undefined);
  if (ingest && (await Job.fromId(rt.queues.ingest, ingest.id ?? ''))) {
    await ingest.remove().catch(() => undefined);
  }
  await rt.lists.reopen(listId, 'queued');
  await enqueueList(rt, listId);
  rt.log.info({ listId, runId }, 'list retried: its run starts over');
  return 'run';
}
