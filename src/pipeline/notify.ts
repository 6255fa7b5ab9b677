/** Tells the uploader a list finished: queues its completion webhook, if it has one. */

import type { Runtime } from '../runtime/runtime.ts';
import { enqueueWebhook } from '../webhook/index.ts';

export async function notifyCompletion(rt: Runtime, listId: string): Promise<void> {
  try {
    await enqueueWebhook(rt, listId);
  } catch (error) {
    // The list itself is finished either way; a webhook that cannot be queued is logged, not fatal.
    rt.log.warn({ listId, err: error }, 'completion webhook not queued');
  }
}
