/**
 * RUNS_KEEP: a list keeps its newest finished runs — their records, reports and Redis keys —
 * and loses the older ones when a run finishes, so a list cleaned nightly for years costs what
 * thirty nights cost. The run in progress and the latest finished one are never removed.
 */
import { listKeys } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { storageKeys } from './names.ts';

/** Removes the runs beyond the newest `keep`; returns the ids removed. */
export async function pruneRuns(rt: Runtime, listId: string, keep: number): Promise<string[]> {
  const runs = await rt.lists.runs(listId); // newest first
  const finished = runs.filter((run) => run.status === 'done' || run.status === 'failed');
  const doomed = finished.slice(Math.max(1, keep));
  const keys = listKeys(rt.prefix, listId);
  for (const run of doomed) {
    const folder = storageKeys.runOutput(listId, run.id, '');
    for (const key of await rt.storage.list(folder)) await rt.storage.delete(key);
    await rt.results.delete(listId, run.id);
    await rt.redis.unlink(...Object.values(keys.run(run.id)));
    await rt.lists.forgetRun(listId, run.id);
  }
  if (doomed.length > 0) {
    rt.log.info({ listId, removed: doomed.map((r) => r.id) }, 'old runs removed (RUNS_KEEP)');
  }
  return doomed.map((run) => run.id);
}
