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
  | { started: false; reason: 'missing' | 'busy' | 'too_soon' };

/** `hyg-20261128T030000Z`: sortable, readable, unique per second (a scheduler fires at most that often). */
export function hygieneRunId(now: Date): string {
  return `hyg-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * `minIntervalMs`: a scheduled firing this soon after the list's last run started is skipped
 * (HYGIENE_MIN_INTERVAL; schedules made before it existed may fire more often).
 */
export async function startHygieneRun(
  rt: Runtime,
  listId: string,
  now = new Date(),
  options: { minIntervalMs?: number } = {},
): Promise<HygieneStart> {
  const meta = await rt.lists.get(listId);
  if (!meta) return { started: false, reason: 'missing' };
  // A run still in progress is not interrupted; the next firing tries again.
  if (meta.status !== 'done' && meta.status !== 'failed') return { started: false, reason: 'busy' };
  const last = (await rt.lists.runs(listId))[0];
  if (
    options.minIntervalMs &&
    last &&
    now.getTime() - Date.parse(last.startedAt) < options.minIntervalMs
  ) {
    return { started: false, reason: 'too_soon' };
  }
  const runId = hygieneRunId(now);
  if (await rt.lists.getRun(listId, runId)) return { started: false, reason: 'busy' };
  await rt.lists.startRun(listId, runId, meta.options.deadlineMs ?? rt.config.LIST_DEADLINE);
  await enqueueList(rt, listId);
  return { started: true, runId };
}
