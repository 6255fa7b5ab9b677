/** A list's progress as users see it (CLI bar, GET /v1/lists/:id). */

import type { Runtime } from '../runtime/runtime.ts';
import type { ListMeta } from './list-store.ts';
import { readWaiting, type WaitingSummary } from './waiting.ts';

export interface ListProgress {
  rows: number;
  unique: number;
  verified: number;
  pending: number;
  greylisted: number;
  /** What the pending addresses that are put off wait for, and until when. */
  waiting: WaitingSummary;
  /** When what still waits is finalised (ms since the epoch); null: no deadline. */
  deadlineAt: number | null;
}

export async function listProgress(rt: Runtime, meta: ListMeta): Promise<ListProgress> {
  const [verified, waiting] = await Promise.all([
    rt.results.count(meta.id, meta.currentRun),
    readWaiting(rt, meta.id, meta.currentRun),
  ]);
  const deadlineAt = meta.deadlineAt ? Date.parse(meta.deadlineAt) : null;
  return {
    rows: meta.rows,
    unique: meta.unique,
    verified,
    pending: Math.max(0, meta.unique - verified),
    greylisted: meta.greylisted,
    waiting,
    deadlineAt: Number.isFinite(deadlineAt) ? deadlineAt : null,
  };
}

/**
 * When the list should be done (ms since the epoch), honestly: never after its deadline; no
 * earlier than the last wait it knows of; for addresses not waiting, the rate they are being
 * verified at. Null when it cannot tell yet (nothing verified in the window, nothing waiting).
 */
export function estimateFinish(
  progress: ListProgress,
  ratePerMs: number | null,
  now = Date.now(),
): number | null {
  const waitingAddresses = Object.values(progress.waiting.addresses).reduce((a, b) => a + b, 0);
  const active = Math.max(0, progress.pending - waitingAddresses);
  let finish: number | null = null;
  if (active === 0 && progress.waiting.until !== null) finish = progress.waiting.until;
  else if (ratePerMs && ratePerMs > 0) {
    finish = Math.max(now + active / ratePerMs, progress.waiting.until ?? 0);
  } else if (progress.pending === 0) finish = now;
  if (progress.deadlineAt !== null) {
    // Past the deadline everything left is finalised at once: a few seconds, not the rate.
    finish = Math.min(finish ?? progress.deadlineAt, progress.deadlineAt);
  }
  return finish === null ? null : Math.max(now, finish);
}
