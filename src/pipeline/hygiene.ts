/**
 * List hygiene: a new run of a finished list. It re-reads the stored input through the same
 * pipeline; ingest answers every address whose cached verdict is younger than CACHE_MAX_AGE
 * (unknown verdicts excepted), so only stale or unknown addresses are probed again, and the
 * aggregate adds changes.csv for the addresses whose status changed since the previous run.
 */

import type { Runtime } from '../runtime/runtime.ts';
import { enqueueList } from './submit.ts';

export type HygieneStart =
  | { started: true; runId: string }
  | { started: false; reason: 'missing' | 'busy' };

/** `hyg-20261128T030000Z`: sortable, readable, unique per second (a scheduler fires at most that often). */
export function hygieneRunId(now: Date): string {
  return `hyg-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export async function startHygieneRun(
  rt: Runtime,
  listId: string,
  now = new Date(),
): Promise<HygieneStart> {
  const meta = await rt.lists.get(listId);
  if (!meta) return { started: false, reason: 'missing' };
  // A run still in progress is not interrupted; the next firing tries again.
  if (meta.status !== 'done' && meta.status !== 'failed') return { started: false, reason: 'busy' };
  const runId = hygieneRunId(now);
  if (await rt.lists.getRun(listId, runId)) return { started: false, reason: 'busy' };
  await rt.lists.startRun(listId, runId, meta.options.deadlineMs ?? rt.config.LIST_DEADLINE);
  await enqueueList(rt, listId);
  return { started: true, runId };
}
