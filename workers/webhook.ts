/** Worker entry for the webhook queue: wires src/webhook/deliver.ts to BullMQ. */
import { Worker } from 'bullmq';
import { QUEUES } from '../src/pipeline/names.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { type DeliveryOutcome, deliverWebhook } from '../src/webhook/deliver.ts';
import type { WebhookJobData } from '../src/webhook/types.ts';
import { workerOptions } from './options.ts';

export function startWebhookWorker(rt: Runtime): Worker<WebhookJobData, DeliveryOutcome> {
  return new Worker<WebhookJobData, DeliveryOutcome>(
    QUEUES.webhook,
    (job) =>
      deliverWebhook(rt, job.data.listId, {
        runId: job.data.runId,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        deliveryId: job.id,
      }),
    // Deliveries wait on the receivers (10 s at most each), not on the CPU.
    workerOptions(rt, QUEUES.webhook, 16),
  );
}
