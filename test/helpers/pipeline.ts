/**
 * A pipeline under test: a sandbox world, a key prefix and storage of its own, a runtime for
 * submitting and watching lists, and `listclean worker` child processes when a test needs
 * several processes (throttles, crashes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { readEnv } from '../../src/config/env.ts';
import { storageKeys } from '../../src/pipeline/names.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import { stopChild, track, waitForStderr } from './children.ts';
import { BIN } from './cli.ts';
import { deleteTestPrefix, REDIS_URL } from './redis-url.ts';
import { TEST_ENV } from './verify.ts';

export interface PipelineHarness {
  env: Record<string, string>;
  rt: Runtime;
  storageDir: string;
  workers: ChildProcess[];
  spawnWorker(extraEnv?: Record<string, string>): Promise<ChildProcess>;
  /** What a worker from spawnWorker has printed on stderr so far. */
  outputOf(worker: ChildProcess): string;
  close(): Promise<void>;
}

export async function startHarness(
  world: SandboxWorld,
  env: Record<string, string> = {},
): Promise<PipelineHarness> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'listclean-storage-'));
  const prefix = `lctest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fullEnv: Record<string, string> = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${storageDir}`,
    GREYLIST_RETRY_DELAYS: '100ms,100ms',
    WORKER_LOCK_DURATION: '5s',
    THROTTLE_LEASE_TTL: '5s',
    // Tests run schedules that fire every second or two.
    HYGIENE_MIN_INTERVAL: '1s',
    LOG_LEVEL: 'warn',
    ...env,
  };
  const rt = await createRuntime(readEnv(fullEnv));
  const workers: ChildProcess[] = [];
  const outputs = new Map<ChildProcess, () => string>();
  return {
    outputOf: (worker) => outputs.get(worker)?.() ?? '',
    env: fullEnv,
    rt,
    storageDir,
    workers,
    async spawnWorker(extraEnv = {}) {
      // Tracked from the start: a worker that never gets ready is stopped too. Info: its start
      // line is how this helper knows it is ready.
      const child = track(
        spawn(process.execPath, [BIN, 'worker', '--grace', '2s'], {
          env: { ...process.env, ...fullEnv, LOG_LEVEL: 'info', ...extraEnv },
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
      workers.push(child);
      // Ready once it has printed its start line.
      try {
        const { stderr } = await waitForStderr(child, 'listclean worker: pid');
        outputs.set(child, stderr);
      } catch (error) {
        await stopChild(child, 0);
        throw error;
      }
      return child;
    },
    async close() {
      try {
        await Promise.all(workers.map((child) => stopChild(child, 0)));
        await rt.close();
      } finally {
        await deleteTestPrefix(prefix, fullEnv.REDIS_URL);
        await rm(storageDir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls until the list is done (or failed), failing the test after `timeoutMs`. */
export async function waitForList(rt: Runtime, listId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const meta = await rt.lists.get(listId);
    if (meta?.status === 'done') return;
    if (meta?.status === 'failed') throw new Error(`list failed: ${meta.error}`);
    if (Date.now() > deadline)
      throw new Error(`list not done in ${timeoutMs} ms: ${JSON.stringify(meta)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function readOutput(rt: Runtime, listId: string, file: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await rt.storage.get(storageKeys.output(listId, file)))
    chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readCsvOutput(
  rt: Runtime,
  listId: string,
  file: string,
): Promise<Record<string, string>[]> {
  return parse(await readOutput(rt, listId, file), { columns: true, bom: true }) as Record<
    string,
    string
  >[];
}

/** Writes a THROTTLE_POLICY document to a temporary file; returns its path. */
export async function policyFile(policy: unknown): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'listclean-policy-')), 'policy.json');
  await writeFile(file, JSON.stringify(policy));
  return file;
}
