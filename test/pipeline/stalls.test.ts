/**
 * A probe job whose worker is killed (kill -9) twice while it holds it is taken over a third
 * time and still gives the right verdict. BullMQ's default (one stall allowed) failed it the
 * second time, and its address came out `unknown / temporary_failure` (no verdict recorded):
 * workers allow MAX_STALLS (workers/options.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { MAX_STALLS } from '../../workers/options.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let world: SandboxWorld;
let harness: PipelineHarness;

beforeAll(async () => {
  world = await startWorld({
    domains: { 'slow.test': { mx: [{ host: 'mx.slow.test' }], mailboxes: ['sam'] } },
    // Each reply takes 600 ms: a session lasts seconds, long enough to kill its worker in it.
    hosts: { 'mx.slow.test': { latencyMs: 600 } },
  });
  harness = await startHarness(world, {
    WORKER_LOCK_DURATION: '1s',
    THROTTLE_LEASE_TTL: '2s',
    // Short timeouts: a killed worker's catch-all probe claim lapses with them (~11 s).
    SMTP_CONNECT_TIMEOUT: '1s',
    SMTP_BANNER_TIMEOUT: '2s',
    SMTP_COMMAND_TIMEOUT: '2s',
    CACHE_MAX_AGE: '0',
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await world?.close();
});

/** Waits until the slow server has seen `n` sessions in all. */
async function sessionsReach(n: number): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (world.stats('mx.slow.test').sessions >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`mx.slow.test never saw ${n} sessions`);
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await once(child, 'exit');
}

describe('a job whose worker dies more than once', () => {
  it('is taken over each time and gives the right verdict', async () => {
    expect(MAX_STALLS).toBeGreaterThan(2);
    const first = await harness.spawnWorker();
    await submitList(harness.rt, {
      id: 'stalled',
      name: 's.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: 'email\nsam@slow.test\n',
    });
    // Killed mid-session, twice: each time another worker takes the job over.
    await sessionsReach(1);
    await killHard(first);
    const second = await harness.spawnWorker();
    await sessionsReach(2);
    await killHard(second);
    await harness.spawnWorker();
    await waitForList(harness.rt, 'stalled', 90_000);
    const [row] = await readCsvOutput(harness.rt, 'stalled', 'report.csv');
    expect(row).toMatchObject({
      email: 'sam@slow.test',
      status: 'deliverable',
      reason: 'accepted',
    });
  }, 120_000);
});
