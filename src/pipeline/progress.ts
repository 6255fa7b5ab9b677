/** A list's progress as users see it (CLI bar, GET /v1/lists/:id). */

import type { Runtime } from '../runtime/runtime.ts';
import type { ListMeta } from './list-store.ts';

export interface ListProgress {
  rows: number;
  unique: number;
  verified: number;
  pending: number;
  greylisted: number;
}

export async function listProgress(rt: Runtime, meta: ListMeta): Promise<ListProgress> {
  const verified = await rt.results.count(meta.id, meta.currentRun);
  return {
    rows: meta.rows,
    unique: meta.unique,
    verified,
    pending: Math.max(0, meta.unique - verified),
    greylisted: meta.greylisted,
  };
}
