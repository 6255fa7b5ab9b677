/**
 * Scheduled list hygiene: a seconds-level schedule fires run after run; runs reuse fresh cached
 * verdicts (the sandbox sees no new RCPT), changes.csv lists exactly the addresses whose status
 * changed, and schedules live in Redis, so they survive a restart of every worker process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { removeSchedule, setSchedule } from '../../src/pipeline/schedule.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let world: SandboxWorld | undefined;
let harness: PipelineHarness | undefined;
let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close(2000);
  await harness?.close();
  await world?.close();
  pool = undefined;
  harness = undefined;
  world = undefined;
});

const MAILBOXES = ['ann', 'bob', 'cat', 'dan'];
const INPUT = `email\n${[...MAILBOXES, 'nobody'].map((m) => `${m}@hygiene.test`).join('\n')}\n`;

async function doneRuns(h: PipelineHarness, listId: string, count: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await h.rt.lists.runs(listId)).filter((r) => r.status === 'done');
    const meta = await h.rt.lists.get(listId);
    if (runs.length >= count && meta?.status === 'done') return runs;
    if (Date.now() > deadline)
      throw new Error(`only ${runs.length} runs done: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startList(env: Record<string, string> = {}) {
  world = await startWorld({
    domains: { 'hygiene.test': { mx: [{ host: 'mx.hygiene.test' }], mailboxes: MAILBOXES } },
  });
  harness = await startHarness(world, env);
  pool = await startWorkers(harness.rt);
  await submitList(harness.rt, {
    id: 'nightly',
    name: 'n.csv',
    tenant: 't',
    options: { includeRisky: false },
    input: INPUT,
  });
  await waitForList(harness.rt, 'nightly');
  return { world, harness };
}

describe('scheduled hygiene', () => {
  it('fires twice on a seconds-level cron, and the runs answer fresh addresses from the cache', async () => {
    const { world: w, harness: h } = await startList();
    const probedBefore = { ...w.stats('mx.hygiene.test').rcptsByAddress };
    const schedule = await setSchedule(h.rt, 'nightly', '*/2 * * * * *', 'Europe/Berlin');
    expect(schedule.nextRun).toMatch(/^\d{4}-/);
    const runs = await doneRuns(h, 'nightly', 3);
    await removeSchedule(h.rt, 'nightly');
    expect(
      runs.map((r) => r.id).filter((id) => id.startsWith('hyg-')).length,
    ).toBeGreaterThanOrEqual(2);
    // Fresh verdicts came from the cache: not one more RCPT for any address.
    expect(w.stats('mx.hygiene.test').rcptsByAddress).toEqual(probedBefore);
    const latest = runs[0];
    expect(latest?.changes).toBe(0);
    const report = await readOutput(h.rt, 'nightly', 'report.csv');
    expect(report.trim().split('\n')).toHaveLength(6);
    // Each run keeps its reports; changes.csv exists (header only: nothing changed).
    const changes = await h.rt.storage.get(
      storageKeys.runOutput('nightly', latest?.id ?? '', 'changes.csv'),
    );
    const text = (await changes.toArray()).join('');
    expect(text.trim()).toBe('email,old_status,new_status,old_status_since,changed_at');
  }, 60_000);

  it('with CACHE_MAX_AGE=0 a run re-probes, and changes.csv lists exactly a removed mailbox', async () => {
    const { world: w, harness: h } = await startList({ CACHE_MAX_AGE: '0' });
    w.updateDomain('hygiene.test', { mailboxes: MAILBOXES.filter((m) => m !== 'cat') });
    await setSchedule(h.rt, 'nightly', '*/1 * * * * *', 'UTC');
    const runs = await doneRuns(h, 'nightly', 2);
    await removeSchedule(h.rt, 'nightly');
    const run = runs.find((r) => r.id.startsWith('hyg-'));
    expect(run?.changes).toBe(1);
    const changes = await readOutput(h.rt, 'nightly', 'changes.csv');
    const lines = changes.trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^cat@hygiene\.test,deliverable,undeliverable,\d{4}-[^,]+,\d{4}-/);
    expect(w.stats('mx.hygiene.test').rcptsByAddress['ann@hygiene.test']).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('survives a restart of every worker process: the schedule lives in Redis', async () => {
    world = await startWorld({
      domains: { 'hygiene.test': { mx: [{ host: 'mx.hygiene.test' }], mailboxes: MAILBOXES } },
    });
    harness = await startHarness(world);
    const first = await harness.spawnWorker();
    await submitList(harness.rt, {
      id: 'nightly',
      name: 'n.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: INPUT,
    });
    await waitForList(harness.rt, 'nightly');
    await setSchedule(harness.rt, 'nightly', '*/2 * * * * *', 'UTC');
    first.kill('SIGTERM');
    await new Promise((resolve) => first.once('exit', resolve));
    const runsBefore = (await harness.rt.lists.runs('nightly')).length;
    // Nothing runs while no worker is up; a new process picks the schedule up again.
    await harness.spawnWorker();
    const runs = await doneRuns(harness, 'nightly', runsBefore + 1);
    expect(runs.length).toBeGreaterThan(runsBefore);
    await removeSchedule(harness.rt, 'nightly');
  }, 60_000);
});
