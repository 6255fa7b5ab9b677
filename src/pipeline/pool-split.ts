/**
 * Near the end of a provider pool's work, a job of several sessions' worth hands half of its
 * addresses to a new job, so the pool's other slots share the last long jobs instead of idling
 * until they finish. Crash-safe: the new job's id derives from this one's and its split count
 * (adding it again after a crash is a no-op), and this job's data shrinks, its count going up,
 * only after the new job exists; a job run again (greylisting) splits under a new id.
 */
import type { Job } from 'bullmq';
import type { PoolQueue } from '../runtime/runtime.ts';
import { PROBE_JOB_OPTIONS } from './ingest.ts';
import type { ProbeJobData } from './types.ts';

export async function shareWhenDraining(
  job: Job<ProbeJobData>,
  pool: PoolQueue,
  data: ProbeJobData,
): Promise<ProbeJobData> {
  const { addresses } = data;
  const parent = job.parent;
  if (addresses.length <= pool.maxRcptsPerSession || !parent?.id || !job.id) return data;
  const counts = await pool.bull.getJobCounts('wait', 'prioritized');
  const waiting = (counts.wait ?? 0) + (counts.prioritized ?? 0);
  if (waiting >= pool.concurrency) return data;
  const keep = Math.ceil(addresses.length / 2);
  const splits = data.splits ?? 0;
  await pool.bull.add(
    job.name,
    { ...data, addresses: addresses.slice(keep), splits: 0 },
    {
      ...PROBE_JOB_OPTIONS,
      jobId: `${job.id}-s${splits}`,
      parent: { id: parent.id, queue: parent.queueKey },
    },
  );
  const mine = { ...data, addresses: addresses.slice(0, keep), splits: splits + 1 };
  await job.updateData(mine);
  return mine;
}
