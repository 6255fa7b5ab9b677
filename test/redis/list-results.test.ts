/** Per-list results: a hash of address → compact verdict with a TTL refreshed on writes. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mailProvider } from '../../src/dns/provider.ts';
import { AddressSet } from '../../src/redis/address-hash.ts';
import type { RedisClient } from '../../src/redis/index.ts';
import { type CachedVerdict, ListResults, listKeys } from '../../src/redis/index.ts';
import { bucketCount, hmgetBuckets, hsetBuckets } from '../../src/redis/list-results.ts';
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

describe('ListResults in buckets (a list made since issue 14)', () => {
  const BUCKETS = 8;
  async function bucketed(listId: string): Promise<void> {
    await client.hset(listKeys(redis.prefix, listId).meta, 'buckets', BUCKETS);
  }

  it('round-trips verdicts through small listpack buckets and a shapes dictionary', async () => {
    await bucketed('list-k');
    const entries = Array.from({ length: 300 }, (_, i) => {
      const v = verdict(i);
      // A reply naming the address: stored once per shape, the address put back on reading.
      const domain = i % 2 === 0 ? 'list.test' : `d${i}.list.test`;
      const at = `user${i}@${domain}`;
      return [
        at,
        {
          ...v,
          detail: `550 5.1.1 <${at}>: no such user at ${domain}`,
          mxHost: `mx.${domain}`,
          mxProvider: mailProvider(`mx.${domain}`),
        },
      ] as const;
    });
    await results.setMany('list-k', 'r', entries);
    expect(await results.count('list-k', 'r')).toBe(300);
    const fresh = new ListResults(client, { prefix: redis.prefix });
    const found = await fresh.getMany(
      'list-k',
      'r',
      entries.map(([a]) => a),
    );
    expect(found.size).toBe(300);
    for (const [address, v] of entries) expect(found.get(address)).toEqual(v);
    // Every bucket listpack-encoded; the shapes far fewer than the addresses.
    const stem = listKeys(redis.prefix, 'list-k').run('r').results;
    for (let b = 0; b < BUCKETS; b++) {
      expect(await client.object('ENCODING', `${stem}:${b}`)).toBe('listpack');
    }
    expect(await client.exists(stem)).toBe(0);
    const shapes = await client.hlen(listKeys(redis.prefix, 'list-k').run('r').shapes);
    expect(shapes).toBeLessThan(300 / 2);
  });

  it('counts an address written twice once, and deletes every bucket', async () => {
    await bucketed('list-l');
    await results.setMany('list-l', 'r', [['a@list.test', verdict(1)]]);
    await results.setMany('list-l', 'r', [
      ['a@list.test', verdict(3)],
      ['b@list.test', verdict(2)],
    ]);
    expect(await results.count('list-l', 'r')).toBe(2);
    expect((await results.getMany('list-l', 'r', ['a@list.test'])).get('a@list.test')).toEqual(
      verdict(3),
    );
    await results.touch('list-l', 'r');
    const keys = await results.keys('list-l', 'r');
    expect(keys).toHaveLength(BUCKETS + 2);
    for (const key of keys) {
      if ((await client.exists(key)) === 1) {
        expect(await client.pttl(key)).toBeGreaterThan(30 * 86_400_000 - 60_000);
      }
    }
    await results.delete('list-l', 'r');
    for (const key of keys) expect(await client.exists(key)).toBe(0);
    expect(await results.count('list-l', 'r')).toBe(0);
  });

  it('sizes buckets from the input: powers of two, at most 64 rows each on average', () => {
    expect(bucketCount(0)).toBe(1);
    // From its line feeds when counted: a million rows in 16,384 buckets (61 each).
    expect(bucketCount(68_000_000, 1_000_000)).toBe(16_384);
    expect(bucketCount(68_000_000, 0)).toBe(1);
    // Else as if every row were 24 bytes.
    expect(bucketCount(68_000_000)).toBe(65_536);
    for (const bytes of [1_000, 1_000_000, 25_000_000, 68_000_000, 1_000_000_000]) {
      const n = bucketCount(bytes);
      expect(n & (n - 1)).toBe(0);
      expect(bytes / 24 / n).toBeLessThanOrEqual(64);
      expect(bucketCount(bytes, bytes / 40) * 64).toBeGreaterThanOrEqual(bytes / 40);
    }
  });
});

describe('AddressSet', () => {
  it('answers new once per address, across growth', () => {
    const set = new AddressSet();
    const addresses = Array.from({ length: 50_000 }, (_, i) => `user${i}@d${i % 97}.test`);
    for (const a of addresses) expect(set.add(a)).toBe(true);
    for (const a of addresses) expect(set.add(a)).toBe(false);
    expect(set.size).toBe(50_000);
    expect(set.add('USER1@d1.test')).toBe(true);
  });
});

describe('bucket scripts', () => {
  it('read and write thousands of fields in one bucket (Lua unpacks them in steps)', async () => {
    const key = listKeys(redis.prefix, 'list-big').run('r').results;
    const fields = Array.from({ length: 9_000 }, (_, i) => `f${i}`);
    await hsetBuckets(client, [key, `${key}:x`], [fields.flatMap((f) => [f, `v${f}`]), ['a', 'b']]);
    const [values, other] = await hmgetBuckets(
      client,
      [key, `${key}:x`],
      [[...fields, 'none'], ['a']],
    );
    expect(values).toHaveLength(9_001);
    expect(values?.[8_999]).toBe('vf8999');
    expect(values?.[9_000]).toBeNull();
    expect(other).toEqual(['b']);
  });
});
