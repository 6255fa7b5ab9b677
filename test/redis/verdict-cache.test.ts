/** The global verdict cache: one round trip per call, TTL by verdict kind, maxAge filtering. */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RedisClient } from '../../src/redis/index.ts';
import { type CachedVerdict, VerdictCache, verdictKey } from '../../src/redis/index.ts';
import type { Reason } from '../../src/verdict/types.ts';
import { type RedisFixture, redisFixture, sleep } from './redis-fixture.ts';

const DAY = 86_400_000;

let redis: RedisFixture;
let client: RedisClient;
let cache: VerdictCache;
beforeAll(async () => {
  redis = redisFixture();
  client = await redis.connect();
  cache = new VerdictCache(client, { prefix: redis.prefix });
});
afterAll(async () => {
  await redis.close();
});

function verdict(reason: Reason, agoMs = 0): CachedVerdict {
  return {
    reason,
    checkedAt: new Date(Date.now() - agoMs),
    catchAll: false,
    mxHost: 'mx.example.test',
    smtpCode: reason === 'accepted' ? 250 : 550,
    smtpEnhancedCode: reason === 'accepted' ? '2.1.5' : '5.1.1',
    detail: null,
    rule: reason === 'accepted' ? 'accepted' : 'enhanced-5.1.1',
    mxProvider: 'example.test',
    spf: true,
    dmarc: 'quarantine',
    egress: '192.0.2.10',
    trace: 'lsome-list-initial-s3',
  };
}

async function pttl(address: string): Promise<number> {
  return client.pttl(verdictKey(redis.prefix, address));
}

describe('VerdictCache', () => {
  it('round-trips verdicts in one MGET, duplicates and misses included', async () => {
    const ok = verdict('accepted');
    const gone = { ...verdict('mailbox_not_found'), detail: 'x'.repeat(500) };
    await cache.set([
      ['ok@rt.test', ok],
      ['gone@rt.test', gone],
    ]);
    if (client instanceof Cluster) {
      // A Redis Cluster: one GET per key (an MGET must stay in one slot).
      const sent = vi.spyOn(client, 'get');
      await cache.get(['ok@rt.test', 'gone@rt.test', 'ok@rt.test', 'none@rt.test']);
      expect(sent).toHaveBeenCalledTimes(3);
      sent.mockRestore();
    } else {
      const sent = vi.spyOn(client, 'sendCommand');
      await cache.get(['ok@rt.test', 'gone@rt.test', 'ok@rt.test', 'none@rt.test']);
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['mget']);
      expect(sent.mock.calls[0]?.[0].args).toHaveLength(3);
      sent.mockRestore();
    }
    const found = await cache.get(['ok@rt.test', 'gone@rt.test', 'ok@rt.test', 'none@rt.test']);
    expect([...found.keys()].sort()).toEqual(['gone@rt.test', 'ok@rt.test']);
    // The probe's egress and transcript belong to its list, not to the shared cache.
    expect(found.get('ok@rt.test')).toEqual({ ...ok, egress: null, trace: null });
    expect(found.get('gone@rt.test')?.detail).toHaveLength(200);
    expect(await cache.get([])).toEqual(new Map());
  });

  it('keeps conclusive verdicts 7 days and unknown ones an hour', async () => {
    await cache.set([
      ['deliverable@ttl.test', verdict('accepted')],
      ['undeliverable@ttl.test', verdict('mailbox_not_found')],
      ['risky@ttl.test', verdict('catch_all')],
      ['unknown@ttl.test', verdict('greylisted')],
    ]);
    for (const kind of ['deliverable', 'undeliverable', 'risky']) {
      const ttl = await pttl(`${kind}@ttl.test`);
      expect(ttl).toBeGreaterThan(7 * DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(7 * DAY);
    }
    const unknown = await pttl('unknown@ttl.test');
    expect(unknown).toBeGreaterThan(3_600_000 - 60_000);
    expect(unknown).toBeLessThanOrEqual(3_600_000);
  });

  it('counts the TTL from checkedAt and skips verdicts already too old', async () => {
    await cache.set([
      ['old@age.test', verdict('accepted', 6 * DAY)],
      ['older@age.test', verdict('accepted', 8 * DAY)],
      ['stale-unknown@age.test', verdict('timeout', 2 * 3_600_000)],
    ]);
    const ttl = await pttl('old@age.test');
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
    expect(await pttl('older@age.test')).toBe(-2);
    expect(await pttl('stale-unknown@age.test')).toBe(-2);
  });

  it('returns only verdicts younger than maxAgeMs, none for 0', async () => {
    await cache.set([
      ['fresh@max-age.test', verdict('accepted', 1_000)],
      ['days@max-age.test', verdict('accepted', 3 * DAY)],
    ]);
    const both = ['fresh@max-age.test', 'days@max-age.test'];
    expect([...(await cache.get(both)).keys()].sort()).toEqual(both.sort());
    expect([...(await cache.get(both, { maxAgeMs: DAY })).keys()]).toEqual(['fresh@max-age.test']);
    expect((await cache.get(both, { maxAgeMs: 0 })).size).toBe(0);
  });

  it('expires entries by kind with configured lifetimes', async () => {
    const short = new VerdictCache(client, {
      prefix: redis.prefix,
      maxAgeMs: 1_000,
      unknownTtlMs: 100,
    });
    await short.set([
      ['known@short.test', verdict('accepted')],
      ['unknown@short.test', verdict('blocked')],
    ]);
    await sleep(300);
    expect([...(await short.get(['known@short.test', 'unknown@short.test'])).keys()]).toEqual([
      'known@short.test',
    ]);
    await sleep(800);
    expect((await short.get(['known@short.test'])).size).toBe(0);
  });

  it('costs little Redis memory per cached verdict', async () => {
    const address = 'jane.doe@example-company.test';
    await cache.set([
      [
        address,
        { ...verdict('accepted'), mxHost: 'example-company-test.mail.protection.outlook.com' },
      ],
    ]);
    const bytes = Number(await client.memory('USAGE', verdictKey(redis.prefix, address)));
    // Key (~57 B here) + value (~90 B) + Redis' per-key overhead, rounded to allocator classes:
    // 200 B today. Field names (a JSON object) would add ~100 B to every one of millions.
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(256);
  });
});
