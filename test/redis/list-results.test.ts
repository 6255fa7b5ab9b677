/** Per-list results: a hash of address → compact verdict with a TTL refreshed on writes. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisClient } from '../../src/redis/index.ts';
import { type CachedVerdict, ListResults, listKeys } from '../../src/redis/index.ts';
import { type RedisFixture, redisFixture, sleep } from './redis-fixture.ts';

let redis: RedisFixture;
let client: RedisClient;
let results: ListResults;
beforeAll(async () => {
  redis = redisFixture();
  client = await redis.connect();
  results = new ListResults(client, { prefix: redis.prefix });
});
afterAll(async () => {
  await redis.close();
});

function verdict(i: number): CachedVerdict {
  return {
    reason: i % 3 === 0 ? 'mailbox_not_found' : 'accepted',
    checkedAt: new Date(1_735_689_600_000 + i),
    catchAll: i % 5 === 0,
    mxHost: `mx${i % 4}.example.test`,
    smtpCode: i % 3 === 0 ? 550 : 250,
    smtpEnhancedCode: i % 3 === 0 ? '5.1.1' : null,
    detail: i % 7 === 0 ? `reply for user${i}` : null,
    rule: i % 3 === 0 ? 'enhanced-5.1.1' : 'accepted',
    mxProvider: 'example.test',
    spf: i % 2 === 0 ? true : null,
    dmarc: i % 2 === 0 ? 'none' : null,
    egress: null,
    trace: null,
  };
}

describe('ListResults', () => {
  it('round-trips a batch bigger than one HSET and counts it', async () => {
    const entries = Array.from({ length: 1_234 }, (_, i) => [`user${i}@list.test`, verdict(i)]);
    await results.setMany('list-a', 'r', entries as Array<[string, CachedVerdict]>);
    expect(await results.count('list-a', 'r')).toBe(1_234);

    const wanted = ['user0@list.test', 'user7@list.test', 'user1233@list.test', 'nobody@list.test'];
    const sent = vi.spyOn(client, 'sendCommand');
    const found = await results.getMany('list-a', 'r', wanted);
    expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['hmget']);
    sent.mockRestore();
    expect(found.size).toBe(3);
    expect(found.get('user0@list.test')).toEqual(verdict(0));
    expect(found.get('user7@list.test')).toEqual(verdict(7));
    expect(found.get('user1233@list.test')).toEqual(verdict(1233));
    expect(await results.count('other-list', 'r')).toBe(0);
  });

  it('overwrites an address, which counts once', async () => {
    await results.setMany('list-b', 'r', [['a@list.test', verdict(1)]]);
    await results.setMany('list-b', 'r', [['a@list.test', verdict(3)]]);
    expect(await results.count('list-b', 'r')).toBe(1);
    expect((await results.getMany('list-b', 'r', ['a@list.test'])).get('a@list.test')).toEqual(
      verdict(3),
    );
  });

  it('keeps a list 30 days after its last write, then forgets it', async () => {
    await results.setMany('list-c', 'r', [['a@list.test', verdict(1)]]);
    const ttl = await client.pttl(listKeys(redis.prefix, 'list-c').run('r').results);
    expect(ttl).toBeGreaterThan(30 * 86_400_000 - 60_000);

    const short = new ListResults(client, { prefix: redis.prefix, ttlMs: 400 });
    await short.setMany('list-d', 'r', [['a@list.test', verdict(1)]]);
    await sleep(250);
    await short.setMany('list-d', 'r', [['b@list.test', verdict(2)]]);
    await sleep(250);
    expect(await short.count('list-d', 'r')).toBe(2);
    await sleep(300);
    expect(await short.count('list-d', 'r')).toBe(0);
  });

  it('deletes a list and writes nothing for an empty batch', async () => {
    await results.setMany('list-e', 'r', [['a@list.test', verdict(1)]]);
    await results.delete('list-e', 'r');
    expect(await results.count('list-e', 'r')).toBe(0);
    await results.setMany('list-e', 'r', []);
    expect(await client.exists(listKeys(redis.prefix, 'list-e').run('r').results)).toBe(0);
    expect((await results.getMany('list-e', 'r', [])).size).toBe(0);
  });
});
