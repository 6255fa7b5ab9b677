/**
 * Removing a list for good (DELETE /v1/lists/:id, and the clean-up of a rejected upload): the
 * BullMQ jobs of its runs first, then its hygiene schedule, its storage objects (every run's
 * reports included), and its Redis keys last, so a purge that fails half-way leaves a list
 * that still answers and can be deleted again.
 */
import { INITIAL_RUN } from '../pipeline/names.ts';
import { removeSchedule } from '../pipeline/schedule.ts';
import { bucketKeys, jobIds, listKeys, tenantListsKey } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';

/**
 * The list's Redis keys, given its run ids. Named, not scanned for: a SCAN would walk every
 * cached verdict in the database on each delete. Keys added later for a list belong here.
 */
export function allListKeys(prefix: string, listId: string, runIds: readonly string[]): string[] {
  const keys = listKeys(prefix, listId);
  return [
    keys.meta,
    keys.runs,
    keys.statuses,
    ...runIds.flatMap((runId) => Object.values(keys.run(runId))),
  ];
}

export interface PurgeTarget {
  id: string;
  tenant: string;
}

/**
 * False, having removed nothing, when a worker holds one of the list's jobs right now: that job
 * would go on writing the list's keys after they were deleted. Lists that are queued with no
 * worker up, done or failed are always removed.
 */
export async function purgeList(rt: Runtime, list: PurgeTarget): Promise<boolean> {
  const runIds = [
    ...new Set([INITIAL_RUN, ...(await rt.lists.runs(list.id)).map((run) => run.id)]),
  ];
  for (const runId of runIds) {
    // The run's flow: the aggregate parent with its ingest and probe children. BullMQ removes
    // none of them (and answers 0) while any is locked by a worker.
    const removed = await rt.queues.aggregate.remove(jobIds.aggregate(list.id, runId), {
      removeChildren: true,
    });
    if (removed === 0) return false;
  }
  await removeSchedule(rt, list.id);
  for (const key of await rt.storage.list(`lists/${list.id}/`)) await rt.storage.delete(key);
  // The indexes first (they sit in other slots), then the list's own keys in one command: a
  // purge that stops half-way leaves a list that still answers, not an index naming nothing.
  await rt.redis.zrem(tenantListsKey(rt.prefix, list.tenant), list.id);
  await rt.redis.hdel(rt.lists.statusIndexKey(), list.id);
  // The buckets of its verdicts and statuses (issue 14) before the metadata that counts them.
  for (const runId of runIds) await rt.results.delete(list.id, runId);
  const statuses = bucketKeys(
    listKeys(rt.prefix, list.id).statuses,
    await rt.results.buckets(list.id),
  );
  for (let i = 0; i < statuses.length; i += 1000) {
    await rt.redis.unlink(...statuses.slice(i, i + 1000));
  }
  await rt.redis.unlink(...allListKeys(rt.prefix, list.id, runIds));
  rt.results.forget(list.id);
  return true;
}
