/**
 * One delivery attempt of a list's completion webhook: re-check the target (DNS may have changed
 * since upload), sign, POST to the vetted address, and record the outcome on the list. Throws
 * to make BullMQ retry; `UnrecoverableError` when retrying cannot help.
 */
import { UnrecoverableError } from 'bullmq';
import { ListcleanError } from '../errors.ts';
import type { ListStatus } from '../pipeline/types.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { postPinned } from './post.ts';
import { webhookResolver } from './resolve.ts';
import { tenantSecrets } from './secrets.ts';
import { signWebhook } from './signature.ts';
import { checkWebhookTarget, type ResolveHost } from './target.ts';
import type { WebhookPayload, WebhookStatus } from './types.ts';

export const WEBHOOK_TIMEOUT_MS = 10_000;
const USER_AGENT = 'listclean-webhook/1';
/** Stored on the list and shown to its owner: short, one line. */
const MAX_ERROR_CHARS = 300;

export interface DeliverOptions {
  /** The run the webhook announces; default the list's current run. */
  runId?: string;
  /** 1-based number of this attempt, and how many there will be at most. */
  attempt?: number;
  maxAttempts?: number;
  /** Sent as `X-Listclean-Delivery` (the job id), the same on every retry: receivers dedupe. */
  deliveryId?: string;
  resolve?: ResolveHost;
  timeoutMs?: number;
}

export type DeliveryOutcome =
  | { delivered: true; httpStatus: number }
  | { delivered: false; skipped: string };

export async function deliverWebhook(
  rt: Runtime,
  listId: string,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome> {
  const meta = await rt.lists.get(listId);
  if (meta === null) return { delivered: false, skipped: 'the list no longer exists' };
  if (!meta.webhookUrl) return { delivered: false, skipped: 'the list has no webhook URL' };
  const attempt = options.attempt ?? 1;
  const last = attempt >= (options.maxAttempts ?? 1);

  const record = async (status: WebhookStatus, error: string, extra = {}) => {
    await rt.lists.set(listId, {
      webhookStatus: status,
      webhookAttempts: attempt,
      webhookLastError: error,
      ...extra,
    });
  };
  /** Records the failure and throws what tells BullMQ whether to retry. */
  const fail = async (message: string, permanent: boolean, refused = false): Promise<never> => {
    const text = oneLine(message);
    await record(refused ? 'refused' : permanent || last ? 'failed' : 'retrying', text);
    if (permanent) throw new UnrecoverableError(text);
    throw new ListcleanError('webhook_failed', text);
  };

  const runId = options.runId ?? meta.currentRun;
  let list: WebhookPayload['list'];
  if (runId === meta.currentRun) {
    list = {
      id: meta.id,
      name: meta.name,
      status: meta.status,
      summary: meta.summary,
      error: meta.error || null,
    };
  } else {
    // A newer (hygiene) run has started since: announce the run that finished, from its record.
    const run = await rt.lists.getRun(listId, runId);
    if (run === null) return { delivered: false, skipped: `run ${runId} no longer exists` };
    list = { id: meta.id, name: meta.name, status: run.status, summary: run.summary, error: null };
  }
  if (!isFinal(list.status)) {
    return { delivered: false, skipped: `the list is ${list.status}, not finished` };
  }

  const secrets = tenantSecrets(rt.config, meta.tenant);
  if (secrets.length === 0) {
    return fail(`tenant ${meta.tenant} has no API key to derive the signing secret from`, true);
  }
  const target = await checkWebhookTarget(
    meta.webhookUrl,
    rt.config.WEBHOOK_ALLOW_PRIVATE,
    options.resolve ?? webhookResolver(rt),
  );
  if (!target.ok) return fail(target.reason, !target.retryable, !target.retryable);

  const payload: WebhookPayload = {
    event: list.status === 'done' ? 'list.completed' : 'list.failed',
    list,
    run_id: runId,
    sent_at: new Date().toISOString(),
  };
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    'X-Listclean-Event': payload.event,
    'X-Listclean-Timestamp': String(timestamp),
    'X-Listclean-Signature': secrets.map((s) => signWebhook(body, timestamp, s)).join(','),
  };
  if (options.deliveryId) headers['X-Listclean-Delivery'] = options.deliveryId;

  let status: number;
  let excerpt: string;
  try {
    ({ status, excerpt } = await postPinned(
      target.url,
      target.addresses,
      headers,
      body,
      options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    ));
  } catch (error) {
    return fail((error as Error).message, false);
  }
  if (status >= 200 && status < 300) {
    await record('delivered', '', { webhookDeliveredAt: new Date().toISOString() });
    return { delivered: true, httpStatus: status };
  }
  const answer = `the webhook answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status >= 300 && status < 400) {
    return fail(`${answer} (redirects are not followed; register the final URL)`, true);
  }
  // A client error will not go away by asking again, except "too slow" and "too many".
  return fail(answer, status >= 400 && status < 500 && status !== 408 && status !== 429);
}

function isFinal(status: ListStatus): boolean {
  return status === 'done' || status === 'failed';
}

/** Receivers' answers end up on the list meta: no control characters, bounded length. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS - 1)}…` : clean;
}
