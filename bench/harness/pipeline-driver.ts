/**
 * Runs one list through the pipeline from the process it is called in, the way `listclean clean`
 * does: submit (the CSV streamed into storage, the flow created), optionally in-process workers,
 * then watch the list until its reports are in storage. Records when each phase started, what
 * Redis held and served, and this process's peak RSS.
 */
import { createReadStream } from 'node:fs';
import v8 from 'node:v8';
import { Job } from 'bullmq';
import type { RawConfig } from '../../src/config/env.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import type { ListStatus } from '../../src/pipeline/types.ts';
import { jobIds } from '../../src/redis/keys.ts';
import { createRuntime, probeQueues } from '../../src/runtime/runtime.ts';
import { startWorkers } from '../../workers/pool.ts';
import { memorySampler, type PhaseMemory } from './memory-sampler.ts';
import { type CommandDelta, commandDelta, redisSnapshot, usedMemory } from './redis-meter.ts';
import { instrumentRuntime, type SlotAccounting } from './slot-accounting.ts';

export interface DriveRequest {
  listId: string;
  csvPath: string;
  /** Start the ingest, probe and aggregate workers in this process. */
  inProcess: boolean;
  timeoutMs: number;
}

export interface DriveResult {
  rows: number;
  unique: number;
  cached: number;
  /** Submit → done, ms. */
  totalMs: number;
  /** When submit started, ms after this process started. */
  submitAtMs: number;
  /** Ms from submit to the start of each phase (and to done). */
  phases: Partial<Record<ListStatus, number>>;
  redis: {
    before: number;
    afterIngest: number;
    peak: number;
    end: number;
  };
  commands: CommandDelta;
  /** Peak RSS of this process (bytes). */
  maxRss: number;
  summary: { by_reason?: Record<string, number>; by_status?: Record<string, number> } | null;
  /** Peak RSS and heap sampled in this process while the list was in each phase (bytes). */
  memoryByPhase: PhaseMemory<ListStatus>;
  /** Probe jobs the list ran (completed or failed), re-queues not counted twice. */
  probeJobs: number;
  /** Event-loop utilisation of this process from submit to done (0–1). */
  eventLoop: number;
  /** CPU time of this process from submit to done, ms. */
  cpuMs: number;
  /** In-process runs only: where the probe workers' time went. */
  slots: SlotAccounting | null;
}

const POLL_MS = 25;

/**
 * BENCH_HEAP_SNAPSHOT=<phase>:<ms> writes one V8 heap snapshot (to the working directory) that
 * long into that phase, for finding what a run keeps in memory; off unless set.
 */
const SNAPSHOT_AT = /^(\w+):(\d+)$/.exec(process.env.BENCH_HEAP_SNAPSHOT ?? '');
let snapshotTaken = false;
function snapshotWhen(phase: string, phaseStartedAt: number, now: number): void {
  if (!SNAPSHOT_AT || snapshotTaken || phase !== SNAPSHOT_AT[1]) return;
  if (now - phaseStartedAt < Number(SNAPSHOT_AT[2])) return;
  snapshotTaken = true;
  process.stderr.write(`heap snapshot: ${v8.writeHeapSnapshot()}\n`);
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export async function driveList(config: RawConfig, request: DriveRequest): Promise<DriveResult> {
  const rt = await createRuntime(config);
  const slots = request.inProcess ? instrumentRuntime(rt) : null;
  const pool = request.inProcess ? await startWorkers(rt) : null;
  const memory = memorySampler<ListStatus>('queued');
  try {
    const before = await redisSnapshot(rt.redis);
    let peak = before.usedMemory;
    let afterIngest = 0;
    let polls = 0;
    const started = performance.now();
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const phases: Partial<Record<ListStatus, number>> = { queued: 0 };
    await submitList(rt, {
      id: request.listId,
      name: `${request.listId}.csv`,
      tenant: 'bench',
      options: { includeRisky: false },
      input: createReadStream(request.csvPath),
    });
    for (;;) {
      const meta = await rt.lists.get(request.listId);
      const used = await usedMemory(rt.redis);
      polls += 1;
      peak = Math.max(peak, used);
      const at = performance.now() - started;
      if (meta && phases[meta.status] === undefined) phases[meta.status] = at;
      if (meta) memory.phase(meta.status);
      if (meta) snapshotWhen(meta.status, phases[meta.status] ?? at, at);
      if (meta?.ingested && afterIngest === 0) afterIngest = used;
      if (meta?.status === 'failed') throw new Error(`list failed: ${meta.error}`);
      if (meta?.status === 'done') {
        const after = await redisSnapshot(rt.redis);
        // Completed probe jobs are not all kept (issue 14): the flow's parent counts its
        // children, the ingest job among them.
        const parent = await Job.fromId(
          rt.queues.aggregate,
          jobIds.aggregate(request.listId, meta.currentRun),
        );
        const deps = await parent?.getDependenciesCount({ processed: true, ignored: true });
        let probeJobs = Math.max(0, (deps?.processed ?? 0) + (deps?.ignored ?? 0) - 1);
        if (!parent) {
          for (const queue of probeQueues(rt)) {
            const jobs = await queue.getJobCounts('completed', 'failed');
            probeJobs += (jobs.completed ?? 0) + (jobs.failed ?? 0);
          }
        }
        const commands = commandDelta(before, after);
        // This loop's own HGETALLs are not the pipeline's work.
        commands.total -= polls;
        const hgetall = commands.byCommand.find(([name]) => name === 'hgetall');
        if (hgetall) hgetall[1] -= polls;
        return {
          rows: meta.rows,
          unique: meta.unique,
          cached: meta.cached,
          totalMs: at,
          submitAtMs: started,
          phases,
          redis: { before: before.usedMemory, afterIngest, peak, end: after.usedMemory },
          commands,
          probeJobs,
          maxRss: process.resourceUsage().maxRSS * 1024,
          memoryByPhase: memory.stop(),
          eventLoop: performance.eventLoopUtilization(elu).utilization,
          cpuMs: cpuMs(process.cpuUsage(cpu)),
          summary: meta.summary as DriveResult['summary'],
          slots,
        };
      }
      if (at > request.timeoutMs) {
        throw new Error(`list not done after ${request.timeoutMs} ms: ${JSON.stringify(meta)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    memory.stop();
    await pool?.close(5000);
    await rt.close();
  }
}
