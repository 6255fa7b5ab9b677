/**
 * `listclean worker` with WORKER_PORT: its own /healthz (for a container healthcheck) and
 * /metrics (the cluster-wide counters plus this process's), JSON log lines on stderr, and a
 * healthz that turns 503 when the worker's Redis goes away.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { type GeneratedList, generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { stopChild, track } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { type PipelineHarness, startHarness, waitForList } from '../helpers/pipeline.ts';
import { freePort, startPrivateRedis } from '../helpers/redis-server.ts';

let world: SandboxWorld;
let list: GeneratedList;
let harness: PipelineHarness;

beforeAll(async () => {
  list = generateList({ rows: 60, domains: 4, seed: 11, specials: false });
  world = await startWorld(list.scenario);
  harness = await startHarness(world);
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await world?.close();
});

/** Resolves once `url` answers at all (the server listens). */
async function answer(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('a worker with WORKER_PORT', () => {
  it('serves /healthz and /metrics and logs JSON lines with list and job ids', async () => {
    const port = await freePort();
    const worker = await harness.spawnWorker({
      WORKER_PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });

    const health = await answer(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: 'ok', storage: 'ok' });

    await submitList(harness.rt, {
      id: 'health-list',
      name: 'health.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: toCsv(list.rows),
    });
    await waitForList(harness.rt, 'health-list', 60_000);

    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    const verified = [...text.matchAll(/^listclean_addresses_verified_total\{[^}]*\} (\d+)/gm)];
    expect(verified.reduce((sum, m) => sum + Number(m[1]), 0)).toBeGreaterThan(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);

    await stopChild(worker);
    const lines = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    // Per job at debug, per list at info: both carry the list id.
    expect(lines.some((line) => line.listId === 'health-list' && line.jobId)).toBe(true);
    expect(
      lines.some(
        (line) => line.listId === 'health-list' && line.msg === 'list done: reports written',
      ),
    ).toBe(true);
    expect(lines.some((line) => String(line.msg).startsWith('stopping'))).toBe(true);
  }, 90_000);

  it('answers 503 from /healthz while its Redis is away', async () => {
    const redis = await startPrivateRedis();
    const port = await freePort();
    const worker: ChildProcess = track(
      spawn(process.execPath, [BIN, 'worker', '--grace', '1s'], {
        env: {
          ...process.env,
          ...harness.env,
          REDIS_URL: redis.url,
          WORKER_PORT: String(port),
          HOST: '127.0.0.1',
        },
        stdio: 'ignore',
      }),
    );
    try {
      expect((await answer(`http://127.0.0.1:${port}/healthz`, 20_000)).status).toBe(200);
      await redis.stop();
      const down = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', redis: 'failed', storage: 'ok' });
    } finally {
      await stopChild(worker, 0);
      await redis.stop();
    }
  }, 60_000);
});
