/**
 * The operator's side of the API over a real socket: /healthz, OpenAPI at /docs, the queue
 * dashboard behind ADMIN_KEY, rate limiting per key, /metrics, and the configuration `serve`
 * refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.ts';
import { isListcleanError } from '../../src/errors.ts';
import {
  ACME_KEY,
  ADMIN_KEY,
  type ApiUnderTest,
  GLOBEX_KEY,
  NO_WORLD,
  startApi,
} from './helpers.ts';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD, { ADMIN_KEY, API_RATE_LIMIT: '5' });
});

afterAll(async () => {
  await api?.close();
});

describe('/healthz', () => {
  it('answers 200 with Redis and storage ok, without a key', async () => {
    const response = await api.call('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', redis: 'ok', storage: 'ok' });
  });
});

describe('OpenAPI', () => {
  it('serves the spec at /docs/json with every route and its schemas', async () => {
    const response = await api.call('/docs/json');
    expect(response.status).toBe(200);
    const spec = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/v1/lists',
        '/v1/lists/{id}',
        '/v1/lists/{id}/reports/{kind}',
      ]),
    );
    expect(Object.keys(spec.paths['/v1/lists'] ?? {})).toEqual(['post', 'get']);
    expect(spec.paths['/v1/lists']?.post?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['name', 'column', 'include_risky', 'webhook_url']),
    );
    expect(Object.keys(spec.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });

  it('serves the browsable docs at /docs', async () => {
    const response = await api.call('/docs/', { redirect: 'follow' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});

describe('queue dashboard', () => {
  it('answers 401 without or with a wrong ADMIN_KEY', async () => {
    const none = await api.call('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await api.call('/admin/queues', { key: `${ADMIN_KEY}x` });
    expect(wrong.status).toBe(401);
    // An API key is no admin key.
    expect((await api.call('/admin/queues', { key: ACME_KEY })).status).toBe(401);
  });

  it('serves the dashboard and its API with the Bearer key or HTTP Basic', async () => {
    const bearer = await api.call('/admin/queues', { key: ADMIN_KEY });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('content-type')).toContain('text/html');
    const basic = `Basic ${Buffer.from(`ops:${ADMIN_KEY}`).toString('base64')}`;
    const queues = await api.call('/admin/queues/api/queues', {
      headers: { authorization: basic },
    });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map(
      (q) => q.name,
    );
    expect(names).toEqual(expect.arrayContaining(['ingest', 'probe', 'aggregate', 'hygiene']));
  });

  it('is not mounted without ADMIN_KEY', async () => {
    const bare = await buildApp(
      { ...api.harness.rt, config: { ...api.harness.rt.config, ADMIN_KEY: '' } },
      {
        logger: false,
      },
    );
    try {
      const base = await bare.listen({ port: 0, host: '127.0.0.1' });
      const response = await fetch(`${base}/admin/queues`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(response.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 rate_limited with Retry-After past API_RATE_LIMIT per key, per key', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 7; i += 1) {
      const response = await api.call('/v1/lists', { key: GLOBEX_KEY });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited?.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toContain('5 per minute');
    // Another key has a bucket of its own.
    expect((await api.call('/v1/lists', { key: ACME_KEY })).status).toBe(200);
  });

  it('does not apply to /healthz', async () => {
    for (let i = 0; i < 7; i += 1) expect((await api.call('/healthz')).status).toBe(200);
  });
});

describe('the rest', () => {
  it('serves Prometheus metrics at /metrics', async () => {
    const response = await api.call('/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('# TYPE');
  });

  it('answers unknown routes 404 not_found in the error shape', async () => {
    const response = await api.call('/v2/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses to build without API_KEYS, saying how to set them', async () => {
    const rt = { ...api.harness.rt, config: { ...api.harness.rt.config, API_KEYS: [] } };
    const error = await buildApp(rt, { logger: false }).catch((e: unknown) => e);
    expect(isListcleanError(error) && error.code).toBe('config_invalid');
    expect((error as Error).message).toContain('API_KEYS=tenant:key');
  });
});
