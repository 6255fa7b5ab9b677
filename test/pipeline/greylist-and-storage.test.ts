import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  readOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';
import { type RunningS3, startS3rver } from '../helpers/s3rver.ts';

describe('greylisting in the pipeline', () => {
  let world: SandboxWorld;
  let harness: PipelineHarness;
  let pool: WorkerPool;
  beforeAll(async () => {
    world = await startWorld({
      domains: {
        'greytwice.test': {
          mx: [{ host: 'mx.grey.test' }],
          mailboxes: ['gus', 'gwen'],
          greylist: { tries: 2 },
        },
        'greyforever.test': {
          mx: [{ host: 'mx.grey.test' }],
          mailboxes: ['gina'],
          greylist: { tries: -1 },
        },
        'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam'] },
      },
    });
    harness = await startHarness(world, { GREYLIST_RETRY_DELAYS: '200ms,400ms,800ms' });
    pool = await startWorkers(harness.rt);
  });
  afterAll(async () => {
    await pool?.close(2000);
    await harness?.close();
    await world?.close();
  });

  it('greylisted twice → deliverable; greylisted forever → unknown/greylisted; waits without a worker slot', async () => {
    const started = Date.now();
    await submitList(harness.rt, {
      id: 'grey',
      name: 'grey.csv',
      tenant: 't',
      options: { includeRisky: false },
      input:
        'email\ngus@greytwice.test\ngwen@greytwice.test\ngina@greyforever.test\npam@plain.test\n',
    });
    // The greylisted addresses show up as waiting while their jobs sit delayed.
    let sawWaiting = false;
    for (;;) {
      const meta = await harness.rt.lists.get('grey');
      if ((meta?.greylisted ?? 0) > 0) sawWaiting = true;
      if (meta?.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsed = Date.now() - started;
    const report = await readCsvOutput(harness.rt, 'grey', 'report.csv');
    const byEmail = new Map(report.map((r) => [r.email, r]));
    expect(byEmail.get('gus@greytwice.test')).toMatchObject({
      status: 'deliverable',
      reason: 'accepted',
    });
    expect(byEmail.get('gwen@greytwice.test')).toMatchObject({
      status: 'deliverable',
      reason: 'accepted',
    });
    expect(byEmail.get('gina@greyforever.test')).toMatchObject({
      status: 'unknown',
      reason: 'greylisted',
    });
    expect(byEmail.get('pam@plain.test')).toMatchObject({ status: 'deliverable' });
    expect(sawWaiting).toBe(true);
    expect((await harness.rt.lists.get('grey'))?.greylisted).toBe(0);

    const stats = world.stats('mx.grey.test');
    expect(stats.rcptsByAddress['gus@greytwice.test']).toBe(3);
    expect(stats.rcptsByAddress['gina@greyforever.test']).toBe(4);
    // Same MAIL FROM and client address on every retry: greylisting keys on them.
    expect(new Set(stats.mailFroms)).toEqual(new Set(['verify@listclean.test']));
    expect(new Set(stats.clientIps).size).toBe(1);
    // The forever-greylisted address waited out every delay: 200 + 400 + 800 ms.
    expect(elapsed).toBeGreaterThanOrEqual(1400);
  }, 60_000);
});

describe('disk and S3 drivers', () => {
  let s3: RunningS3;
  let endpoint: string;
  beforeAll(async () => {
    s3 = await startS3rver('listclean-test');
    endpoint = s3.endpoint;
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('give the same reports for the same list (timestamps aside)', async () => {
    const list = generateList({
      rows: 400,
      domains: 8,
      seed: 3,
      specials: false,
      duplicateShare: 0.05,
      invalidShare: 0.03,
    });
    const world = await startWorld(list.scenario);
    const reports: Record<string, Record<string, string>[]> = {};
    const summaries: Record<string, unknown> = {};
    try {
      for (const driver of ['disk', 's3'] as const) {
        const env: Record<string, string> = { CACHE_MAX_AGE: '0' };
        if (driver === 's3') {
          Object.assign(env, {
            STORAGE_URL: 's3://listclean-test/runs',
            S3_ENDPOINT: endpoint,
            AWS_ACCESS_KEY_ID: 'S3RVER',
            AWS_SECRET_ACCESS_KEY: 'S3RVER',
          });
          process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
          process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
        }
        const harness = await startHarness(world, env);
        const pool = await startWorkers(harness.rt);
        try {
          await submitList(harness.rt, {
            id: `via-${driver}`,
            name: 'same.csv',
            tenant: 't',
            options: { includeRisky: false },
            input: toCsv(list.rows),
          });
          await waitForList(harness.rt, `via-${driver}`, 60_000);
          reports[driver] = (await readCsvOutput(harness.rt, `via-${driver}`, 'report.csv')).map(
            ({ checked_at: _t, ...rest }) => rest,
          );
          const {
            generated_at: _g,
            timings: _tm,
            ...summary
          } = JSON.parse(await readOutput(harness.rt, `via-${driver}`, 'summary.json'));
          summaries[driver] = summary;
          if (driver === 's3') {
            const url = await harness.rt.storage.presignedGetUrl(`lists/via-s3/cleaned.csv`, {
              expiresSeconds: 60,
            });
            expect(url).toMatch(
              /^http:\/\/127\.0\.0\.1:\d+\/listclean-test\/runs\/lists\/via-s3\/cleaned\.csv\?/,
            );
          }
        } finally {
          await pool.close(2000);
          await harness.close();
        }
      }
    } finally {
      await world.close();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(reports.s3).toHaveLength(list.rows.length);
    expect(reports.s3).toEqual(reports.disk);
    expect(summaries.s3).toEqual(summaries.disk);
  }, 120_000);
});
