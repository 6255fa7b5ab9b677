/**
 * A storage outage does not fail a verified list: the aggregate (and ingest) retry through
 * OUTAGE_RETRY_WINDOW. When an outage outlasts it, the failed list is retried — only its
 * aggregate when verification had finished, the whole run when ingest had failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryList } from '../../src/pipeline/retry.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';
import { type RunningS3, startS3rver } from '../helpers/s3rver.ts';

let world: SandboxWorld;
let s3: RunningS3;

const CSV = 'email\npam@plain.test\nnobody@plain.test\ngus@greytwice.test\n';
const EXPECTED = [
  ['pam@plain.test', 'deliverable'],
  ['nobody@plain.test', 'undeliverable'],
  ['gus@greytwice.test', 'deliverable'],
];

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam'] },
      // Greylisted once: the list waits about a second before its aggregate.
      'greytwice.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['gus'],
        greylist: { tries: 1 },
      },
    },
  });
  s3 = await startS3rver('listclean-outage');
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});

afterAll(async () => {
  await s3?.close();
  await world?.close();
});

async function withPipeline<T>(
  env: Record<string, string>,
  run: (harness: PipelineHarness) => Promise<T>,
  beforeWorkers?: (harness: PipelineHarness) => Promise<void>,
): Promise<T> {
  const harness = await startHarness(world, {
    STORAGE_URL: 's3://listclean-outage/lists',
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    GREYLIST_RETRY_DELAYS: '1s',
    ...env,
  });
  await beforeWorkers?.(harness);
  const pool: WorkerPool = await startWorkers(harness.rt);
  try {
    return await run(harness);
  } finally {
    await pool.close(2000);
    await s3.resume().catch(() => undefined);
    await harness.close();
  }
}

async function untilStatus(harness: PipelineHarness, id: string, status: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await harness.rt.lists.get(id))?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`list ${id} never became ${status}`);
}

async function rows(harness: PipelineHarness, id: string) {
  return (await readCsvOutput(harness.rt, id, 'report.csv')).map((r) => [r.email, r.status]);
}

describe('storage outages', () => {
  it('a verified list rides out storage away for seconds: its aggregate retries', async () => {
    await withPipeline({}, async (harness) => {
      await submitList(harness.rt, {
        id: 'rides-out',
        name: 'r.csv',
        tenant: 't',
        options: { includeRisky: false },
        input: CSV,
      });
      await untilStatus(harness, 'rides-out', 'verifying');
      await s3.pause();
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect((await harness.rt.lists.get('rides-out'))?.status).not.toBe('failed');
      await s3.resume();
      await waitForList(harness.rt, 'rides-out', 90_000);
      expect(await rows(harness, 'rides-out')).toEqual(EXPECTED);
    });
  }, 120_000);

  it('when the outage outlasts the window, retry re-runs only the aggregate', async () => {
    await withPipeline({ OUTAGE_RETRY_WINDOW: '0' }, async (harness) => {
      await submitList(harness.rt, {
        id: 'retried',
        name: 'r.csv',
        tenant: 't',
        options: { includeRisky: false },
        input: CSV,
      });
      await untilStatus(harness, 'retried', 'verifying');
      await s3.pause();
      await untilStatus(harness, 'retried', 'failed');
      const failed = await harness.rt.lists.get('retried');
      expect(failed?.errorCode).toBe('storage_unavailable');
      expect(failed?.error).not.toContain(s3.endpoint);
      await s3.resume();
      const rcpts = world.stats('mx.plain.test').rcpts;
      expect(await retryList(harness.rt, 'retried')).toBe('aggregate');
      await waitForList(harness.rt, 'retried', 60_000);
      expect(await rows(harness, 'retried')).toEqual(EXPECTED);
      // Nothing was probed again.
      expect(world.stats('mx.plain.test').rcpts).toBe(rcpts);
      await expect(retryList(harness.rt, 'retried')).rejects.toMatchObject({
        code: 'list_not_failed',
      });
    });
  }, 120_000);

  it('when ingest failed, retry starts the run over', async () => {
    await withPipeline(
      { OUTAGE_RETRY_WINDOW: '0' },
      async (harness) => {
        await untilStatus(harness, 'from-scratch', 'failed');
        await s3.resume();
        const failed = await harness.rt.lists.get('from-scratch');
        expect(failed?.errorCode).toBe('storage_unavailable');
        expect(await retryList(harness.rt, 'from-scratch')).toBe('run');
        await waitForList(harness.rt, 'from-scratch', 60_000);
        expect(await rows(harness, 'from-scratch')).toEqual(EXPECTED);
      },
      // Stored while S3 answers, before any worker runs; then S3 goes before ingest reads it.
      async (harness) => {
        await submitList(harness.rt, {
          id: 'from-scratch',
          name: 'f.csv',
          tenant: 't',
          options: { includeRisky: false },
          input: CSV,
        });
        await s3.pause();
      },
    );
  }, 120_000);
});
