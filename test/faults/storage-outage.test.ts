/**
 * Storage away for 60 s, twice in one list: from the moment the list is submitted (ingest cannot
 * read its input) and again while the aggregate runs (it can neither read the input nor write the
 * reports). On disk the storage folder loses its permissions (the workers run as `nobody`: root
 * would read through them); on S3 the s3rver stops answering. Ingest and aggregate ride it out
 * within OUTAGE_RETRY_WINDOW (default 15 min), so the list finishes with nothing lost.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIds } from '../../src/redis/keys.ts';
import { type RunningS3, startS3rver } from '../helpers/s3rver.ts';
import {
  checkOutcome,
  expectNoLeak,
  type FaultRun,
  faultList,
  record,
  startFaultRun,
  untilStatus,
  waitDone,
} from './fault-run.ts';

const WORKERS = 3;
const OUTAGE_MS = 60_000;
let run: FaultRun | undefined;
let s3: RunningS3 | undefined;

afterEach(async () => {
  await run?.close();
  await s3?.close();
  if (run) await expectNoLeak(run);
  run = undefined;
  s3 = undefined;
});

/** Failed attempts of the list's ingest and aggregate jobs: proof the outage was met. */
async function failedAttempts(current: FaultRun, id: string, stage: 'ingest' | 'aggregate') {
  const queue = stage === 'ingest' ? current.rt.queues.ingest : current.rt.queues.aggregate;
  const jobId = stage === 'ingest' ? jobIds.ingest(id, 'initial') : jobIds.aggregate(id, 'initial');
  const job = await Job.fromId(queue, jobId);
  return job?.attemptsMade ?? 0;
}

async function twoOutages(
  current: FaultRun,
  id: string,
  down: () => Promise<void>,
  up: () => Promise<void>,
  afterSubmit: () => Promise<void> = async () => undefined,
): Promise<number> {
  const started = Date.now();
  await current.submit(id);
  await afterSubmit();
  // 1. During ingest: away from the moment the list is stored.
  await down();
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  expect(await failedAttempts(current, id, 'ingest')).toBeGreaterThanOrEqual(1);
  expect((await current.rt.lists.get(id))?.status).not.toBe('failed');
  await up();
  // 2. During the aggregate: away as soon as it has begun.
  const status = await untilStatus(current.rt, id, ['aggregating', 'done', 'failed'], 900_000);
  await down();
  expect(status).toBe('aggregating');
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  expect(await failedAttempts(current, id, 'aggregate')).toBeGreaterThanOrEqual(1);
  expect((await current.rt.lists.get(id))?.status).toBe('aggregating');
  await up();
  await waitDone(current.rt, id, 600_000);
  return Date.now() - started;
}

describe('storage unavailable for 60 s during ingest and during the aggregate', () => {
  it('disk: the storage folder unreadable and unwritable', async () => {
    run = await startFaultRun(faultList(), { unprivilegedWorkers: true });
    const current = run;
    for (let i = 0; i < WORKERS; i++) await current.spawnWorker();
    const ms = await twoOutages(
      current,
      'disk-outage',
      () => chmod(current.storageDir, 0o000),
      () => chmod(current.storageDir, 0o700),
      // The test submitted as root: the workers' user owns the stored input, as an API would.
      async () => {
        await promisify(execFile)('chown', ['-R', '65534:65534', current.storageDir]);
      },
    );
    // The aggregate that the outage interrupted started again; it completed once.
    const figures = await checkOutcome(current, 'disk-outage', { maxAggregateStarts: 2 });
    record('disk storage unreadable 60 s during ingest + 60 s during aggregate', figures, ms);
  });

  it('S3: the server stops answering', async () => {
    s3 = await startS3rver('listclean-faults');
    // The AWS SDK of this process (the runtime that submits) reads its credentials from here.
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    const server = s3;
    run = await startFaultRun(faultList(), {
      env: {
        STORAGE_URL: 's3://listclean-faults/lists',
        S3_ENDPOINT: server.endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      },
    });
    const current = run;
    for (let i = 0; i < WORKERS; i++) await current.spawnWorker();
    const ms = await twoOutages(
      current,
      's3-outage',
      () => server.pause(),
      () => server.resume(),
    );
    const figures = await checkOutcome(current, 's3-outage', { maxAggregateStarts: 2 });
    record('S3 (s3rver) stopped 60 s during ingest + 60 s during aggregate', figures, ms);
  });
});
