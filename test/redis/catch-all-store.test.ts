/** Catch-all answers and the probe local part are shared by every process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../src/redis/index.ts';
import { catchAllKey, catchAllProbeKey, RedisCatchAllStore } from '../../src/redis/index.ts';
import { type RedisFixture, redisFixture, sleep } from './redis-fixture.ts';

let redis: RedisFixture;
let clients: RedisClient[];
beforeAll(async () => {
  redis = redisFixture();
  clients = await Promise.all([redis.connect(), redis.connect(), redis.connect()]);
});
afterAll(async () => {
  await redis.close();
});

function stores(options: { ttlMs?: number } = {}): RedisCatchAllStore[] {
  return clients.map((c) => new RedisCatchAllStore(c, { prefix: redis.prefix, ...options }));
}

describe('RedisCatchAllStore', () => {
  it('gives every process the same probe local part, kept for 7 days', async () => {
    const locals = await Promise.all(stores().map((s) => s.probeLocalPart('probe.test')));
    expect(new Set(locals).size).toBe(1);
    expect(locals[0]).toMatch(/^lc-[0-9a-f]{20}$/);
    const [first] = stores();
    expect(await first?.probeLocalPart('other.test')).not.toBe(locals[0]);
    const ttl = await clients[0]?.pttl(catchAllProbeKey(redis.prefix, 'probe.test'));
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
  });

  it('shares answers between processes, true and false alike', async () => {
    const [a, b] = stores();
    expect(await b?.get('yes.test')).toBeUndefined();
    await a?.set('yes.test', true);
    await a?.set('no.test', false);
    expect(await b?.get('yes.test')).toBe(true);
    expect(await b?.get('no.test')).toBe(false);
    const ttl = await clients[0]?.pttl(catchAllKey(redis.prefix, 'yes.test'));
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
  });

  it('forgets answers after the configured TTL', async () => {
    const [a] = stores({ ttlMs: 300 });
    await a?.set('short.test', true);
    expect(await a?.get('short.test')).toBe(true);
    await sleep(400);
    expect(await a?.get('short.test')).toBeUndefined();
  });
});
