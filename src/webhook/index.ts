/** Completion webhooks: target checks, queueing, delivery and signatures (see README.md). */
export type { DeliverOptions, DeliveryOutcome } from './deliver.ts';
export { deliverWebhook, WEBHOOK_TIMEOUT_MS } from './deliver.ts';
export type { EnqueueWebhookOptions } from './enqueue.ts';
export { enqueueWebhook, WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS, webhookJobId } from './enqueue.ts';
export { createHostResolver, webhookResolver } from './resolve.ts';
export { signWebhook, verifyWebhookSignature, webhookSecret } from './signature.ts';
export type { ResolveHost, TargetCheck } from './target.ts';
export { checkWebhookTarget, MAX_WEBHOOK_URL_LENGTH } from './target.ts';
export type { WebhookEvent, WebhookJobData, WebhookPayload, WebhookStatus } from './types.ts';
