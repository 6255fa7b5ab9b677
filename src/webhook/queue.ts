/**
 * The webhook queue, created on first use per runtime: most processes (the CLI's `clean`) never
 * send a webhook, and the runtime's own queue set is the pipeline's business.
 */
import { Queue } from 'bullmq';
import { QUEUES } from '../pipeline/names.ts';
import type { Runtime } from '../pipeline/runtime.ts';
import type { WebhookJobData } from './types.ts';

const queues = new WeakMap<Runtime, Queue<WebhookJobData>>();

export function webhookQueue(rt: Runtime): Queue<WebhookJobData> {
  let queue = queues.get(rt);
  if (queue === undefined) {
    queue = new Queue<WebhookJobData>(QUEUES.webhook, {
      connection: rt.redis,
      prefix: rt.bullPrefix,
    });
    queues.set(rt, queue);
  }
  return queue;
}

/** Closes the runtime's webhook queue if one was created (before `rt.close()`). */
export async function closeWebhookQueue(rt: Runtime): Promise<void> {
  const queue = queues.get(rt);
  queues.delete(rt);
  await queue?.close();
}
