/**
 * Crash safety: a worker process killed with SIGKILL in the middle of a list. Another worker
 * takes over its jobs (their locks lapse, its session slots expire), the list finishes, the
 * aggregate runs once, and the reports equal those of an uninterrupted run.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { type GeneratedList, generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { startWorkers } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let list: GeneratedList;
let world: SandboxWorld;
let harness: PipelineHarness;

/** report.csv rows without the columns that legitimately differ between runs. */
const comparable = (rows: Record<string, string>[]) =>
  rows.map(({ checked_at: _t, ...rest }) => rest);

beforeAll(async () => {
  // Deterministic servers only (no greylisting or tarpits): two runs must agree row by row.
  list = generateList({
    rows: 1200,
    domains: 30,
    seed: 9,
    zipf: 1,
    specials: false,
    duplicateShare: 0.03,
  });
  list.scenario.latencyMs = 10;
  world = await startWorld(list.scenario);
  harness = await startHarness(world, {
    WORKER_LOCK_DURATION: '2s',
    THROTTLE_LEASE_TTL: '2s',
    SMTP_MAX_RCPTS_PER_SESSION: '10',
    // The second run must probe again, not answer from the first run's verdicts.
    CACHE_MAX_AGE: '0',
  });
}, 60_000);
afterAll(async () => {
  await harness?.close();
  await world?.close();
});

describe('kill -9 of a worker mid-list', () => {
  it('another worker finishes it; outputs equal a clean run; the aggregate ran once', async () => {
    // Reference: an uninterrupted run with in-process workers.
    const pool = await startWorkers(harness.rt);
    await submitList(harness.rt, {
      id: 'clean-run',
      name: 'l.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: toCsv(list.rows),
    });
    await waitForList(harness.rt, 'clean-run', 120_000);
    await pool.close(2000);

    const victim: ChildProcess = await harness.spawnWorker();
    await submitList(harness.rt, {
      id: 'crashed-run',
      name: 'l.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: toCsv(list.rows),
    });
    // Let the victim get well into the list, then kill it without a chance to clean up.
    for (;;) {
      const done = await harness.rt.results.count('crashed-run', 'initial');
      if (done > 150) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killedAt = await harness.rt.results.count('crashed-run', 'initial');
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    expect(killedAt).toBeLessThan(new Set(list.rows.map((r) => r.email.toLowerCase())).size);

    await harness.spawnWorker();
    await waitForList(harness.rt, 'crashed-run', 120_000);
    const meta = await harness.rt.lists.get('crashed-run');
    expect(meta?.aggregateRuns).toBe(1);
    const reference = comparable(await readCsvOutput(harness.rt, 'clean-run', 'report.csv'));
    const recovered = comparable(await readCsvOutput(harness.rt, 'crashed-run', 'report.csv'));
    expect(recovered).toHaveLength(list.rows.length);
    expect(recovered).toEqual(reference);
    const cleanedA = await readCsvOutput(harness.rt, 'clean-run', 'cleaned.csv');
    const cleanedB = await readCsvOutput(harness.rt, 'crashed-run', 'cleaned.csv');
    expect(cleanedB).toEqual(cleanedA);
  }, 180_000);
});
