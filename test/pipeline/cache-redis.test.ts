/**
 * REDIS_CACHE_URL: the verdict cache in a Redis of its own that evicts. A cache that evicts
 * under the list, or is not there at all, makes a list slower, never wrong: the reports equal
 * the ground truth either way.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { type GeneratedList, generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { startWorkers } from '../../workers/pool.ts';
import { readCsvOutput, startHarness, waitForList } from '../helpers/pipeline.ts';
import { freePort, type PrivateRedis, startPrivateRedis } from '../helpers/redis-server.ts';

let list: GeneratedList;
let world: SandboxWorld;
let cache: PrivateRedis;

beforeAll(async () => {
  list = generateList({ rows: 2000, domains: 12, seed: 7, specials: false });
  world = await startWorld(list.scenario);
  // Barely above an empty Redis's own memory: the cache must evict while the list runs.
  cache = await startPrivateRedis(['--maxmemory', '1200kb', '--maxmemory-policy', 'allkeys-lru']);
}, 30_000);

afterAll(async () => {
  await cache?.stop();
  await world?.close();
});

async function runList(cacheUrl: string, listId: string) {
  const harness = await startHarness(world, { REDIS_CACHE_URL: cacheUrl });
  const pool = await startWorkers(harness.rt);
  try {
    await submitList(harness.rt, {
      id: listId,
      name: `${listId}.csv`,
      tenant: 't',
      options: { includeRisky: false },
      input: toCsv(list.rows),
    });
    await waitForList(harness.rt, listId, 120_000);
    return await readCsvOutput(harness.rt, listId, 'report.csv');
  } finally {
    await pool.close(2000);
    await harness.close();
  }
}

function wrong(report: Array<Record<string, string>>): string[] {
  return report.flatMap((row, i) =>
    row.reason === list.rows[i]?.expected ? [] : [`${row.email}: ${row.reason}`],
  );
}

describe('the verdict cache in a Redis of its own', () => {
  it('evicts under a list and the reports are still right', async () => {
    const report = await runList(cache.url, 'evicting');
    expect(report).toHaveLength(list.rows.length);
    expect(wrong(report)).toEqual([]);
    const stats = new Redis(cache.port);
    try {
      const info = await stats.info('stats');
      expect(Number(/evicted_keys:(\d+)/.exec(info)?.[1])).toBeGreaterThan(0);
      // The verdicts went where they were told: into the cache's own Redis.
      expect(await stats.dbsize()).toBeGreaterThan(0);
    } finally {
      stats.disconnect();
    }
  }, 150_000);

  it('is not there at all, and the list finishes right, only without a cache', async () => {
    const dead = await freePort();
    const report = await runList(`redis://127.0.0.1:${dead}`, 'no-cache');
    expect(report).toHaveLength(list.rows.length);
    expect(wrong(report)).toEqual([]);
  }, 150_000);
});
