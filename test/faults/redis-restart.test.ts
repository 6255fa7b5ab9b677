/**
 * Redis restarted in the middle of a list: a private redis-server killed with SIGKILL while the
 * list is being verified, then started again on the same port.
 * - With AOF (appendfsync always): everything Redis acknowledged comes back; the list finishes
 *   as if nothing happened.
 * - Without persistence: what Redis held is gone — the list, its jobs, its verdicts. listclean
 *   promises (docs/RELIABILITY.md): the lost list is not reported as anything it is not (no
 *   `done`, no webhook, no half list brought back by a job that was running), the workers ride
 *   the restart out and keep working, the input is still in storage, and submitting the list
 *   again gives the complete, true report.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { type PrivateRedis, startPrivateRedis } from '../helpers/redis-server.ts';
import {
  checkOutcome,
  expectNoLeak,
  type FaultRun,
  faultList,
  record,
  startFaultRun,
  waitDone,
} from './fault-run.ts';

const WORKERS = 3;
const DOWN_MS = 5000;
let run: FaultRun | undefined;
let redis: PrivateRedis | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await run?.close();
  await redis?.stop();
  if (run) await expectNoLeak(run);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  run = undefined;
  redis = undefined;
  dataDir = undefined;
});

/** The pid of the redis-server on `port` (for the leak check). */
async function redisPid(port: number): Promise<number> {
  for (const entry of await readdir('/proc')) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'latin1').catch(() => '');
    if (cmdline.startsWith('redis-server') && cmdline.includes(`:${port}`)) return Number(entry);
    if (cmdline.includes('redis-server') && cmdline.includes(`--port\0${port}\0`))
      return Number(entry);
  }
  throw new Error(`no redis-server on port ${port}`);
}

async function restartRedis(args: string[], current: FaultRun): Promise<void> {
  const port = redis?.port ?? 0;
  await redis?.kill();
  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  redis = await startPrivateRedis(args, 20_000, port);
  current.pids.add(await redisPid(port));
}

/** Until a third of the list's addresses have a verdict: the list is mid-verification. */
async function untilThirdVerified(current: FaultRun, id: string): Promise<void> {
  const unique = new Set(current.list.rows.map((r) => r.email.trim().toLowerCase())).size;
  for (;;) {
    const done = await current.rt.results.count(id, 'initial');
    if (done > unique / 3) return;
    const status = (await current.rt.lists.get(id))?.status;
    if (status === 'done' || status === 'failed') throw new Error(`list ${id} already ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis restarted mid-run', () => {
  it('with AOF: the list finishes as if nothing happened', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'listclean-faults-aof-'));
    const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir];
    redis = await startPrivateRedis(args);
    run = await startFaultRun(faultList(), { env: { REDIS_URL: redis.url } });
    run.pids.add(await redisPid(redis.port));
    for (let i = 0; i < WORKERS; i++) await run.spawnWorker();
    const started = Date.now();
    await run.submit('aof');
    await untilThirdVerified(run, 'aof');
    await restartRedis(args, run);
    await waitDone(run.rt, 'aof', 900_000);
    const figures = await checkOutcome(run, 'aof');
    // Every worker rode the restart out.
    expect(run.alive()).toHaveLength(WORKERS);
    record(
      `Redis killed and restarted (AOF, appendfsync always), down ${DOWN_MS / 1000} s`,
      figures,
      Date.now() - started,
    );
  });

  it('without persistence: the list is gone, not half-reported; submitted again, it finishes', async () => {
    redis = await startPrivateRedis();
    run = await startFaultRun(faultList(), { env: { REDIS_URL: redis.url } });
    const current = run;
    current.pids.add(await redisPid(redis.port));
    for (let i = 0; i < WORKERS; i++) await current.spawnWorker();
    const started = Date.now();
    await current.submit('lost');
    await untilThirdVerified(current, 'lost');
    await restartRedis([], current);
    // Long enough for every job that was running to end and every lock to lapse.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    // The list is not known any more: the API answers 404 list_not_found.
    expect(await current.rt.lists.get('lost')).toBeNull();
    await expect(current.rt.lists.require('lost')).rejects.toMatchObject({
      code: 'list_not_found',
    });
    // Nothing claimed it finished.
    expect(current.receiver.received).toHaveLength(0);
    // The workers rode it out, and the input is still in storage.
    expect(current.alive()).toHaveLength(WORKERS);
    expect(await current.rt.storage.stat(storageKeys.input('lost'))).not.toBeNull();
    // Submitted again (the same file, the same id): complete and true.
    await current.submit('lost');
    await waitDone(current.rt, 'lost', 900_000);
    const figures = await checkOutcome(current, 'lost');
    record(
      `Redis killed and restarted empty (no AOF), down ${DOWN_MS / 1000} s; list submitted again`,
      figures,
      Date.now() - started,
    );
  });
});
