/**
 * The options every BullMQ worker of listclean shares: the runtime's connection and prefix (its
 * queue namespace included), and
 * a lock that lapses after WORKER_LOCK_DURATION, checked as often, so a crashed worker's jobs
 * are taken over within about two lock durations.
 */
import type { WorkerOptions } from 'bullmq';
import { OUTAGE_BACKOFF, outageDelay } from '../src/pipeline/outage-backoff.ts';
import type { Runtime } from '../src/runtime/runtime.ts';

export function workerOptions(rt: Runtime, queue: string, concurrency: number): WorkerOptions {
  return {
    connection: rt.redis,
    prefix: rt.queuePrefixOf(queue),
    concurrency,
    lockDuration: rt.config.WORKER_LOCK_DURATION,
    stalledInterval: rt.config.WORKER_LOCK_DURATION,
    settings: {
      // Jobs that ride out outages (src/pipeline/outage-backoff.ts) name this backoff.
      // Only custom types reach it (BullMQ runs its built-in ones itself); an unknown one
      // fails the job at once (-1) rather than retrying it on a guess.
      backoffStrategy: (attemptsMade, type) =>
        type === OUTAGE_BACKOFF ? outageDelay(attemptsMade) : -1,
    },
  };
}
