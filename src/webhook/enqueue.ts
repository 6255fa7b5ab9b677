/**
 * Called by the pipeline when a list reaches `done` or `failed`: queues its completion webhook
 * if the list has a target. The job id names the list, run and status, so calling it twice (an
 * aggregate job retried after a crash) sends one webhook.
 */
import type { JobsOptions } from 'bullmq';
import { ListcleanError } from '../errors.ts';
import { INITIAL_RUN } from '../pipeline/names.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { WebhookJobData } from './types.ts';

/** 8 attempts, 10 s doubling: the last one comes about 21 minutes after the first. */
export const WEBHOOK_ATTEMPTS = 8;
export const WEBHOOK_BACKOFF_MS = 10_000;
/** Finished jobs are kept this long, which is also how long a repeated enqueue stays a no-op. */
const KEEP_SECONDS = 30 * 24 * 3600;

export interface EnqueueWebhookOptions {
  /** First retry delay, doubled for each further one (tests shorten it). */
  backoffMs?: number;
  attempts?: number;
}

export function webhookJobId(listId: string, runId: string, status: string): string {
  return runId === INITIAL_RUN
    ? `webhook-${listId}-${status}`
    : `webhook-${listId}-${runId}-${status}`;
}

/** The job id queued, or null when the list has no webhook URL. */
export async function enqueueWebhook(
  rt: Runtime,
  listId: string,
  options: EnqueueWebhookOptions = {},
): Promise<string | null> {
  const meta = await rt.lists.require(listId);
  if (!meta.webhookUrl) return null;
  if (meta.status !== 'done' && meta.status !== 'failed') {
    throw new ListcleanError(
      'list_not_finished',
      `List ${listId} is ${meta.status}; a webhook is sent once it is done or failed`,
    );
  }
  const jobId = webhookJobId(listId, meta.currentRun, meta.status);
  const opts: JobsOptions = {
    jobId,
    attempts: options.attempts ?? WEBHOOK_ATTEMPTS,
    backoff: { type: 'exponential', delay: options.backoffMs ?? WEBHOOK_BACKOFF_MS },
    removeOnComplete: { age: KEEP_SECONDS },
    removeOnFail: { age: KEEP_SECONDS },
  };
  const queue = rt.queues.webhook;
  // A repeat call must neither re-send nor set a delivered webhook back to `pending`.
  if ((await queue.getJob(jobId)) !== undefined) return jobId;
  await rt.lists.set(listId, {
    webhookStatus: 'pending',
    webhookAttempts: 0,
    webhookLastError: '',
  });
  const data: WebhookJobData = { listId, status: meta.status, runId: meta.currentRun };
  await queue.add('deliver', data, opts);
  return jobId;
}
