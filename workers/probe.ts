/** Worker entry for the probe queue: wires src/pipeline/probe.ts to BullMQ. */
import { Worker } from 'bullmq';
import { QUEUES } from '../src/pipeline/names.ts';
import { runProbe } from '../src/pipeline/probe.ts';
import type { Runtime } from '../src/pipeline/runtime.ts';
import type { ProbeJobData } from '../src/pipeline/types.ts';

export function startProbeWorker(rt: Runtime): Worker<ProbeJobData> {
  return new Worker<ProbeJobData>(QUEUES.probe, (job, token) => runProbe(job, token, rt), {
    connection: rt.redis,
    prefix: rt.bullPrefix,
    // Probe jobs wait on remote servers, not the CPU; the per-provider gate, not this number,
    // is what bounds the load on any one provider.
    concurrency: rt.config.WORKER_CONCURRENCY,
    lockDuration: rt.config.WORKER_LOCK_DURATION,
    // Check for jobs of crashed workers as often as a lock can lapse.
    stalledInterval: rt.config.WORKER_LOCK_DURATION,
  });
}
