/**
 * Hygiene that cannot run away: schedules no more often than HYGIENE_MIN_INTERVAL, a firing too
 * soon after the last run skipped, and only RUNS_KEEP finished runs kept with their reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHygieneRun } from '../../src/pipeline/hygiene.ts';
import { storageKeys } from '../../src/pipeline/names.ts';
import { pruneRuns } from '../../src/pipeline/run-retention.ts';
import { setSchedule, shortestGap } from '../../src/pipeline/schedule.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { listKeys } from '../../src/redis/keys.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';

let harness: PipelineHarness;

beforeAll(async () => {
  harness = await startHarness({ env: {} } as unknown as SandboxWorld, {
    HYGIENE_MIN_INTERVAL: '1h',
  });
  await submitList(harness.rt, {
    id: 'kept',
    name: 'kept.csv',
    tenant: 't',
    options: { includeRisky: false },
    input: 'email\na@x.test\n',
  });
});

afterAll(async () => {
  await harness?.close();
});

describe('HYGIENE_MIN_INTERVAL', () => {
  it('measures the shortest gap between firings, irregular patterns too', () => {
    expect(shortestGap('0 3 * * *', 'UTC')).toBe(86_400_000);
    expect(shortestGap('*/5 * * * *', 'UTC')).toBe(300_000);
    expect(shortestGap('0 3,4 * * *', 'Europe/Berlin')).toBe(3_600_000);
    expect(shortestGap('* * * * * *', 'UTC')).toBe(1000);
  });

  it('refuses a schedule that fires more often, and takes one that does not', async () => {
    await expect(setSchedule(harness.rt, 'kept', '*/30 * * * *', 'UTC')).rejects.toMatchObject({
      code: 'schedule_too_frequent',
      message: expect.stringMatching(/30m apart; .* at least 1h apart \(HYGIENE_MIN_INTERVAL\)/),
    });
    await expect(setSchedule(harness.rt, 'kept', '0 * * * *', 'UTC')).resolves.toMatchObject({
      cron: '0 * * * *',
    });
  });

  it('skips a firing that comes too soon after the last run started', async () => {
    const now = new Date();
    await harness.rt.lists.saveRun('kept', {
      id: 'initial',
      status: 'done',
      startedAt: new Date(now.getTime() - 10 * 60_000).toISOString(),
      finishedAt: now.toISOString(),
      summary: null,
      changes: null,
    });
    await harness.rt.lists.advance('kept', 'done');
    expect(await startHygieneRun(harness.rt, 'kept', now, { minIntervalMs: 3_600_000 })).toEqual({
      started: false,
      reason: 'too_soon',
    });
    // Without the limit (a person starting it) it runs.
    expect(await startHygieneRun(harness.rt, 'kept', now, {})).toMatchObject({ started: true });
  });
});

describe('RUNS_KEEP', () => {
  it('keeps the newest finished runs with their reports and removes the rest', async () => {
    const id = 'many-runs';
    await submitList(harness.rt, {
      id,
      name: 'm.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: 'email\na@x.test\n',
    });
    const runIds = ['initial', 'hyg-1', 'hyg-2', 'hyg-3', 'hyg-4'];
    for (const [i, runId] of runIds.entries()) {
      await harness.rt.lists.saveRun(id, {
        id: runId,
        status: 'done',
        startedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        finishedAt: new Date(Date.UTC(2026, 0, 1 + i, 1)).toISOString(),
        summary: null,
        changes: null,
      });
      await harness.rt.storage.put(storageKeys.runOutput(id, runId, 'report.csv'), 'email\n');
      await harness.rt.redis.hset(listKeys(harness.rt.prefix, id).run(runId).results, 'a', '1');
      // A list made now keeps its verdicts in buckets: they go with the run too.
      await harness.rt.results.setMany(id, runId, [
        [
          'a@x.test',
          {
            reason: 'accepted',
            checkedAt: new Date(),
            catchAll: false,
            mxHost: 'mx.x.test',
            smtpCode: 250,
            smtpEnhancedCode: '2.1.5',
            detail: '250 2.1.5 <a@x.test> ok',
            rule: 'accepted',
            mxProvider: 'x.test',
            spf: null,
            dmarc: null,
            egress: null,
            trace: null,
          },
        ],
      ]);
    }
    expect(await harness.rt.results.buckets(id)).toBeGreaterThan(0);
    expect(await pruneRuns(harness.rt, id, 2)).toEqual(['hyg-2', 'hyg-1', 'initial']);
    expect((await harness.rt.lists.runs(id)).map((r) => r.id)).toEqual(['hyg-4', 'hyg-3']);
    expect(await harness.rt.storage.list(`lists/${id}/runs/`)).toEqual([
      storageKeys.runOutput(id, 'hyg-3', 'report.csv'),
      storageKeys.runOutput(id, 'hyg-4', 'report.csv'),
    ]);
    expect(
      await harness.rt.redis.exists(listKeys(harness.rt.prefix, id).run('hyg-1').results),
    ).toBe(0);
    expect(
      await harness.rt.redis.exists(listKeys(harness.rt.prefix, id).run('hyg-4').results),
    ).toBe(1);
    for (const key of await harness.rt.results.keys(id, 'hyg-1')) {
      expect(await harness.rt.redis.exists(key)).toBe(0);
    }
    expect(await harness.rt.results.count(id, 'hyg-4')).toBe(1);
    // Never below one finished run.
    expect(await pruneRuns(harness.rt, id, 0)).toEqual(['hyg-3']);
  });
});
