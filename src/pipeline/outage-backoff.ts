/**
 * How long ingest and aggregate jobs ride out a storage (or Redis) outage: retries with a
 * backoff that doubles from 2 s up to a minute, as many as fit in OUTAGE_RETRY_WINDOW. A short
 * storage outage must not fail a list that is fully verified — before, three tries 2 s and 4 s
 * apart did — and a long one still ends with a reason (and `POST /v1/lists/:id/retry`).
 */
import type { BackoffOptions } from 'bullmq';

/** The custom backoff's name, registered with every worker (workers/options.ts). */
export const OUTAGE_BACKOFF = 'outage';

const FIRST_MS = 2_000;
const LONGEST_MS = 60_000;

/** The wait before retry number `attemptsMade` (1 = the first retry). */
export function outageDelay(attemptsMade: number): number {
  return Math.min(LONGEST_MS, FIRST_MS * 2 ** Math.max(0, attemptsMade - 1));
}

/** Attempts whose waits add up to at least `windowMs` (one attempt with no window). */
export function outageAttempts(windowMs: number): number {
  let attempts = 1;
  let waited = 0;
  while (waited < windowMs) {
    waited += outageDelay(attempts);
    attempts += 1;
  }
  return attempts;
}

export function outageJobOptions(windowMs: number): {
  attempts: number;
  backoff: BackoffOptions;
} {
  return { attempts: outageAttempts(windowMs), backoff: { type: OUTAGE_BACKOFF } };
}
