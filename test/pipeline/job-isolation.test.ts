/**
 * Processes that share a Redis never take each other's jobs: an in-process `clean` has queues of
 * its own, and a worker that cannot read a list's input (another STORAGE_URL) leaves the job for
 * one that can — the list never fails for it, and what its owner reads names no path or host.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { type PipelineHarness, startHarness, waitForList } from '../helpers/pipeline.ts';

let world: SandboxWorld;
let harness: PipelineHarness;
let elsewhere: string;

beforeAll(async () => {
  world = await startWorld({
    domains: { 'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam', 'pat'] } },
  });
  harness = await startHarness(world, { WORKER_LOCK_DURATION: '1s' });
  // A worker of another deployment that shares the Redis and prefix, with storage of its own.
  elsewhere = await mkdtemp(path.join(os.tmpdir(), 'listclean-elsewhere-'));
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await world?.close();
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
});

describe('no job stealing', () => {
  it('an in-process clean and a worker on the same Redis keep to their own jobs', async () => {
    const stranger = await harness.spawnWorker({
      STORAGE_URL: `file:${elsewhere}`,
      LOG_LEVEL: 'debug',
    });
    const file = path.join(elsewhere, 'mine.csv');
    await writeFile(file, 'email\npam@plain.test\nnobody@plain.test\n');
    const run = await runCli(['clean', file, '--out', path.join(elsewhere, 'out')], {
      env: { ...harness.env, STORAGE_URL: `file:${path.join(elsewhere, 'clean-storage')}` },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 rows: 1 deliverable, 1 undeliverable/);
    // The worker saw none of it: no job of the list reached it.
    const listIds = harness
      .outputOf(stranger)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { listId?: string }).listId)
      .filter(Boolean);
    expect(listIds).toEqual([]);
  }, 90_000);

  it('a worker without the input leaves the job, and one that has it finishes the list', async () => {
    // The stranger runs alone first: it must leave the ingest job, not fail the list.
    await harness.spawnWorker({ STORAGE_URL: `file:${elsewhere}` });
    // Every worker so far has the wrong storage (the first test's stranger too).
    const output = () => harness.workers.map((w) => harness.outputOf(w)).join('\n');
    await submitList(harness.rt, {
      id: 'elsewhere',
      name: 'e.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: 'email\npat@plain.test\n',
    });
    for (let i = 0; i < 100 && !output().includes('leaving the job'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output()).toContain('not in this worker’s storage: leaving the job');
    expect((await harness.rt.lists.get('elsewhere'))?.status).not.toBe('failed');
    await harness.spawnWorker();
    await waitForList(harness.rt, 'elsewhere', 30_000);
  }, 60_000);

  it('when no worker can read it by the deadline, the list fails naming no path', async () => {
    await submitList(harness.rt, {
      id: 'nowhere',
      name: 'n.csv',
      tenant: 't',
      options: { includeRisky: false, deadlineMs: 2500 },
      input: 'email\npat@plain.test\n',
    });
    // Only workers that cannot read it: stop the ones that can, start one that cannot.
    for (const child of harness.workers.splice(0)) child.kill('SIGKILL');
    await harness.spawnWorker({ STORAGE_URL: `file:${elsewhere}` });
    let meta = await harness.rt.lists.get('nowhere');
    for (let i = 0; i < 150 && meta?.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      meta = await harness.rt.lists.get('nowhere');
    }
    expect(meta).toMatchObject({ status: 'failed', errorCode: 'storage_not_found' });
    expect(meta?.error).toMatch(/no worker could read the list’s input/);
    expect(meta?.error).not.toContain(elsewhere);
    expect(meta?.error).not.toContain(harness.storageDir);
  }, 60_000);
});
