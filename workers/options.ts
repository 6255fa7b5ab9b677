/**
 * The options every BullMQ worker of listclean shares: the runtime's connection and prefix (its
 * queue namespace included), and
 * a lock that lapses after WORKER_LOCK_DURATION, checked as often, so a crashed worker's jobs
 * are taken over within about two lock durations.
 */
import type { WorkerOptions } from 'bullmq';
import { OUTAGE_BACKOFF, outageDelay } from '../src/pipeline/outage-backoff.ts';
import type { Runtime } from '../src/runtime/runtime.ts';

/**
 * How often a job may lose its worker (kill -9, OOM, a lost node) before BullMQ fails it.
 * BullMQ's default, 1, failed a job whose worker was killed twice while it held it: under
 * repeated kills (the fault suite, docs/RELIABILITY.md) whole probe batches came out `unknown /
 * temporary_failure`, and an ingest or aggregate job would fail its list. A job that crashes
 * every worker that takes it still fails, after this many.
 */
export const MAX_STALLS = 10;

export function workerOptions(rt: Runtime, queue: string, concurrency: number): WorkerOptions {
  return {
    connection: rt.redis,
    prefix: rt.queuePrefixOf(queue),
    concurrency,
    lockDuration: rt.config.WORKER_LOCK_DURATION,
    stalledInterval: rt.config.WORKER_LOCK_DURATION,
    maxStalledCount: MAX_STALLS,
    settings: {
      // Jobs that ride out outages (src/pipeline/outage-backoff.ts) name this backoff.
      // Only custom types reach it (BullMQ runs its built-in ones itself); an unknown one
      // fails the job at once (-1) rather than retrying it on a guess.
      backoffStrategy: (attemptsMade, type) =>
        type === OUTAGE_BACKOFF ? outageDelay(attemptsMade) : -1,
    },
  };
}
