import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { readOutput } from '../helpers/pipeline.ts';
import { type RunningS3, startS3rver } from '../helpers/s3rver.ts';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi, waitForStatus } from './helpers.ts';

const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

let s3: RunningS3;
let endpoint: string;

beforeAll(async () => {
  s3 = await startS3rver('listclean-api');
  endpoint = s3.endpoint;
  // The AWS SDK reads its credentials from the process environment.
  Object.assign(process.env, S3_CREDENTIALS);
});

afterAll(async () => {
  await s3?.close();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('reports on S3', () => {
  let world: SandboxWorld;
  let api: ApiUnderTest;
  let pool: WorkerPool;
  let id: string;

  beforeAll(async () => {
    world = await startWorld({
      domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['alice', 'bob'] } },
    });
    api = await startApi(world, {
      ...S3_CREDENTIALS,
      STORAGE_URL: 's3://listclean-api/tenants',
      S3_ENDPOINT: endpoint,
      DOWNLOAD_URL_TTL: '90s',
    });
    pool = await startWorkers(api.harness.rt);
    const response = await api.call('/v1/lists?name=s3.csv', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'email\nalice@acme.test\nbob@acme.test\nzed@acme.test\n',
    });
    expect(response.status).toBe(202);
    id = ((await response.json()) as { id: string }).id;
    await waitForStatus(api, id, ACME_KEY, 'done');
  }, 60_000);

  afterAll(async () => {
    await pool?.close(2000);
    await api?.close();
    await world?.close();
  });

  it('redirects (302) to a presigned URL that serves the report', async () => {
    const response = await api.call(`/v1/lists/${id}/reports/report`, {
      key: ACME_KEY,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = response.headers.get('location') ?? '';
    expect(location.startsWith(`${endpoint}/listclean-api/tenants/lists/${id}/report.csv?`)).toBe(
      true,
    );
    const url = new URL(location);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('90');
    expect(url.searchParams.get('response-content-disposition')).toContain('s3-report.csv');

    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await download.text();
    expect(text).toBe(await readOutput(api.harness.rt, id, 'report.csv'));
    expect(text.trim().split('\n')).toHaveLength(4);
  });

  it('follows to the same bytes for every kind', async () => {
    for (const [kind, file] of [
      ['cleaned', 'cleaned.csv'],
      ['summary', 'summary.json'],
      ['html', 'report.html'],
    ] as const) {
      const response = await api.call(`/v1/lists/${id}/reports/${kind}`, { key: ACME_KEY });
      expect(response.status, kind).toBe(200);
      expect(response.redirected).toBe(true);
      expect(await response.text()).toBe(await readOutput(api.harness.rt, id, file));
    }
  });

  it('deletes the objects on S3 too', async () => {
    const { rt } = api.harness;
    expect(await rt.storage.stat(storageKeys.input(id))).not.toBeNull();
    const response = await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await rt.storage.list(`lists/${id}/`)).toEqual([]);
  });
});

describe('/healthz with S3 down', () => {
  it('answers 503 naming storage as the part that failed', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const api = await startApi(NO_WORLD, {
      ...S3_CREDENTIALS,
      STORAGE_URL: 's3://listclean-api',
      S3_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    });
    try {
      const response = await api.call('/healthz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'unavailable',
        redis: 'ok',
        storage: 'failed',
      });
    } finally {
      await api.close();
    }
  }, 20_000);
});
