/**
 * `listclean serve` as a process: refuses to start without API_KEYS, and with
 * `--with-workers` takes a list from upload to report on its own, then stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN, runCli } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { ACME_KEY, API_KEYS } from './helpers.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('listclean serve', () => {
  let world: SandboxWorld;
  let storageDir: string;
  const prefix = `lctest-serve-${process.pid}`;

  beforeAll(async () => {
    world = await startWorld({
      domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['alice'] } },
    });
    storageDir = await mkdtemp(path.join(os.tmpdir(), 'listclean-serve-'));
  });

  afterAll(async () => {
    await world?.close();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
    await deleteTestPrefix(prefix);
  });

  it('refuses to start without API_KEYS, saying how to set them', async () => {
    const run = await runCli(['serve'], { env: { API_KEYS: '' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('API_KEYS=tenant:key');
    expect(run.stderr).toContain('[config_invalid]');
  });

  it('serves with in-process workers and stops on SIGTERM', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--with-workers'], {
      env: {
        ...process.env,
        ...world.env,
        ...TEST_ENV,
        REDIS_URL,
        API_KEYS,
        PORT: String(port),
        REDIS_PREFIX: prefix,
        STORAGE_URL: `file:${storageDir}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    track(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let printed = () => '';
    try {
      ({ stderr: printed } = await waitForStderr(child, 'listening on'));
      expect(printed()).toContain(`:${port}`);
      expect(printed()).toContain('worker pools in this process');

      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const auth = { authorization: `Bearer ${ACME_KEY}` };
      const upload = await fetch(`${base}/v1/lists`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: 'email\nalice@acme.test\nnobody@acme.test\n',
      });
      expect(upload.status).toBe(202);
      const { id } = (await upload.json()) as { id: string };
      const deadline = Date.now() + 20_000;
      let status = '';
      while (status !== 'done' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const list = await fetch(`${base}/v1/lists/${id}`, { headers: auth });
        status = ((await list.json()) as { status: string }).status;
      }
      expect(status).toBe('done');
      const cleaned = await fetch(`${base}/v1/lists/${id}/reports/cleaned`, { headers: auth });
      expect((await cleaned.text()).trim().split(/\r?\n/)).toEqual(['email', 'alice@acme.test']);
    } finally {
      child.kill('SIGTERM');
      // Stopped even if it ignores SIGTERM (the assertion below then fails).
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    expect(await exited).toBe(0);
    expect(printed()).toContain('SIGTERM: finishing requests in flight and jobs in hand');
  }, 45_000);

  it('restart: stop the API and the worker processes, start new ones; the schedule still fires', async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      ...world.env,
      ...TEST_ENV,
      REDIS_URL,
      API_KEYS,
      PORT: String(port),
      REDIS_PREFIX: `${prefix}-restart`,
      STORAGE_URL: `file:${storageDir}/restart`,
      LOG_LEVEL: 'info',
      // Its schedule fires every few seconds.
      HYGIENE_MIN_INTERVAL: '1s',
    };
    // Every process started here, stopped in the finally below whatever happened.
    const started: ChildProcess[] = [];
    const start = async (args: string[], ready: string) => {
      const child = track(
        spawn(process.execPath, [BIN, ...args], {
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
      started.push(child);
      await waitForStderr(child, ready);
      return child;
    };
    const stop = (child: ChildProcess) => stopChild(child, 15_000);
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${ACME_KEY}` };
    const runsOf = async (id: string) =>
      (
        (await (await fetch(`${base}/v1/lists/${id}/runs`, { headers: auth })).json()) as {
          runs: Array<{ status: string }>;
        }
      ).runs;
    try {
      let api = await start(['serve'], 'listening on');
      let worker = await start(['worker', '--grace', '2s'], 'listclean worker: pid');
      const upload = await fetch(`${base}/v1/lists`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: 'email\nalice@acme.test\n',
      });
      const { id } = (await upload.json()) as { id: string };
      const put = await fetch(`${base}/v1/lists/${id}/schedule`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ cron: '*/2 * * * * *', timezone: 'UTC' }),
      });
      expect(put.status).toBe(200);
      await stop(worker);
      await stop(api);
      api = await start(['serve'], 'listening on');
      worker = await start(['worker', '--grace', '2s'], 'listclean worker: pid');
      try {
        expect(
          await (await fetch(`${base}/v1/lists/${id}/schedule`, { headers: auth })).json(),
        ).toMatchObject({ cron: '*/2 * * * * *' });
        // Runs finished by the new processes only: more than there were at the restart.
        const before = (await runsOf(id)).filter((r) => r.status === 'done').length;
        const deadline = Date.now() + 30_000;
        let after = before;
        while (after <= before && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          after = (await runsOf(id)).filter((r) => r.status === 'done').length;
        }
        expect(after).toBeGreaterThan(before);
        await fetch(`${base}/v1/lists/${id}/schedule`, { method: 'DELETE', headers: auth });
      } finally {
        await stop(worker);
        await stop(api);
      }
    } finally {
      await Promise.all(started.map((child) => stopChild(child)));
      await deleteTestPrefix(`${prefix}-restart`);
    }
  }, 90_000);
});
