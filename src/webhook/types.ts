/** Shapes shared by the webhook enqueuer, the worker and receivers. */
import type { ListStatus } from '../pipeline/types.ts';
import type { Summary } from '../report/summary.ts';

export interface WebhookJobData {
  listId: string;
  /** The final status the webhook announces (`done` or `failed`). */
  status: Extract<ListStatus, 'done' | 'failed'>;
  /** The run that finished (`initial`, or a hygiene run's id). */
  runId: string;
}

export type WebhookEvent = 'list.completed' | 'list.failed';

/** The JSON body of every delivery. */
export interface WebhookPayload {
  event: WebhookEvent;
  list: {
    id: string;
    name: string;
    status: ListStatus;
    summary: Summary | null;
    error: string | null;
  };
  /** The run that finished: `initial`, or a scheduled hygiene run's id. */
  run_id: string;
  /** ISO 8601 time of this attempt (each retry is signed afresh). */
  sent_at: string;
}

/** What `webhookStatus` on the list meta says. */
export type WebhookStatus = 'pending' | 'retrying' | 'delivered' | 'failed' | 'refused';
