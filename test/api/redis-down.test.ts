/**
 * While Redis is away the API answers 503 redis_unavailable within seconds — requests that
 * arrive then, and requests caught waiting when it went — and recovers when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../helpers/redis-server.ts';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi } from './helpers.ts';

let redis: PrivateRedis;
let api: ApiUnderTest;

beforeAll(async () => {
  redis = await startPrivateRedis();
  api = await startApi(NO_WORLD, { REDIS_URL: redis.url });
}, 30_000);

afterAll(async () => {
  // Back up for the harness to delete its keys, then down for good.
  await api?.close().catch(() => undefined);
  await redis?.stop();
});

async function timed(route: string, key?: string) {
  const started = Date.now();
  const response = await api.call(route, key ? { key } : {});
  return {
    ms: Date.now() - started,
    status: response.status,
    body: (await response.json()) as { error?: { code: string } },
  };
}

describe('the API while Redis is down', () => {
  it('answers 503 redis_unavailable at once, authenticated or not, and recovers', async () => {
    expect((await timed('/v1/lists', ACME_KEY)).status).toBe(200);
    await redis.kill();
    for (const key of [ACME_KEY, undefined, 'not-a-key-0123456789']) {
      const answer = await timed('/v1/lists', key);
      expect(answer.status).toBe(503);
      expect(answer.body.error?.code).toBe('redis_unavailable');
      expect(answer.ms).toBeLessThan(5_000);
    }
    const health = await timed('/healthz');
    expect(health.status).toBe(503);

    redis = await startPrivateRedis([], 10_000, redis.port);
    const deadline = Date.now() + 20_000;
    let back = await timed('/v1/lists', ACME_KEY);
    while (back.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      back = await timed('/v1/lists', ACME_KEY);
    }
    expect(back.status, JSON.stringify(back.body)).toBe(200);
  }, 60_000);

  it('answers a request caught waiting when Redis went away, instead of hanging', async () => {
    // Redis stops answering mid-request: its process is frozen, then killed.
    process.kill(await redisPid(), 'SIGSTOP');
    const pending = timed('/v1/lists', ACME_KEY);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.kill();
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(answer.body.error?.code).toBe('redis_unavailable');
    expect(answer.ms).toBeLessThan(6_000);
    redis = await startPrivateRedis([], 10_000, redis.port);
  }, 60_000);
});

async function redisPid(): Promise<number> {
  const info = await api.harness.rt.redis.info('server');
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}
