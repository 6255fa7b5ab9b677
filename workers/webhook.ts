/** Worker entry for the webhook queue: wires src/webhook/deliver.ts to BullMQ. */
import { Worker } from 'bullmq';
import { QUEUES } from '../src/pipeline/names.ts';
import type { Runtime } from '../src/pipeline/runtime.ts';
import { type DeliveryOutcome, deliverWebhook } from '../src/webhook/deliver.ts';
import type { WebhookJobData } from '../src/webhook/types.ts';

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
    {
      connection: rt.redis,
      prefix: rt.bullPrefix,
      // Deliveries wait on the receivers (10 s at most each), not on the CPU.
      concurrency: 16,
      lockDuration: rt.config.WORKER_LOCK_DURATION,
      stalledInterval: rt.config.WORKER_LOCK_DURATION,
    },
  );
}
