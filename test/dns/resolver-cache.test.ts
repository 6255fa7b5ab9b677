import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MxResolver } from '../../src/dns/resolver.ts';
import type { DnsOptions } from '../../src/dns/types.ts';
import {
  answerFromRecords,
  type SandboxDnsServer,
  startDnsServer,
} from '../../src/sandbox/dns/dns-server.ts';
import { queriesDuring } from '../helpers/dns.ts';

const zone = answerFromRecords([
  { type: 'MX', name: 'cached.test', preference: 10, exchange: 'mx.cached.test' },
  { type: 'A', name: 'mx.cached.test', address: '127.0.0.30' },
  { type: 'MX', name: 'short.test', preference: 10, exchange: 'mx.short.test', ttl: 1 },
  { type: 'A', name: 'mx.short.test', address: '127.0.0.31', ttl: 1 },
  { type: 'AAAA', name: 'mx.short.test', address: 'fd00::31', ttl: 1 },
  { type: 'MX', name: 'other.test', preference: 10, exchange: 'mx.cached.test' },
  { type: 'MX', name: 'slow.test', preference: 10, exchange: 'mx.cached.test' },
]);

let server: SandboxDnsServer;

beforeAll(async () => {
  server = await startDnsServer({
    answer: async (name, type) => {
      if (name === 'servfail.test') return { rcode: 'SERVFAIL' };
      // Slow enough that concurrent lookups overlap.
      if (name === 'slow.test') await delay(150);
      return zone(name, type);
    },
  });
});
afterAll(() => server.close());

function resolver(options: DnsOptions = {}): MxResolver {
  return new MxResolver({
    servers: [`127.0.0.1:${server.port}`],
    timeoutMs: 500,
    tries: 1,
    ...options,
  });
}

describe('MxResolver cache', () => {
  it('answers a second lookup from the cache without a query', async () => {
    const mx = resolver();
    const first = await mx.resolveMx('cached.test');
    expect(first.kind).toBe('ok');
    const seen = await queriesDuring(server, async () => {
      expect(await mx.resolveMx('CACHED.test.')).toEqual(first);
    });
    expect(seen).toEqual([]);
  });

  it('asks again once the shortest A/AAAA TTL has passed', async () => {
    const mx = resolver();
    await mx.resolveMx('short.test');
    expect(await queriesDuring(server, () => mx.resolveMx('short.test'))).toEqual([]);
    await delay(1100);
    const seen = await queriesDuring(server, () => mx.resolveMx('short.test'));
    expect(seen).toEqual(expect.arrayContaining(['MX short.test', 'A mx.short.test']));
  });

  it('caches NXDOMAIN for the negative TTL', async () => {
    const mx = resolver({ negativeCacheTtlSeconds: 1 });
    expect((await mx.resolveMx('gone.test')).kind).toBe('no_domain');
    expect(await queriesDuring(server, () => mx.resolveMx('gone.test'))).toEqual([]);
    await delay(1100);
    expect(await queriesDuring(server, () => mx.resolveMx('gone.test'))).toEqual(['MX gone.test']);
  });

  it('never caches a temporary failure', async () => {
    const mx = resolver();
    expect((await mx.resolveMx('servfail.test')).kind).toBe('temporary');
    expect(await queriesDuring(server, () => mx.resolveMx('servfail.test'))).toContain(
      'MX servfail.test',
    );
  });

  it('shares one in-flight lookup between concurrent callers', async () => {
    const mx = resolver();
    const seen = await queriesDuring(server, async () => {
      const lookups = await Promise.all(Array.from({ length: 5 }, () => mx.resolveMx('slow.test')));
      for (const lookup of lookups) expect(lookup).toEqual(lookups[0]);
      expect(lookups[0]?.kind).toBe('ok');
    });
    expect(seen.filter((q) => q === 'MX slow.test')).toHaveLength(1);
  });

  it('gives each caller its own copy, so one caller cannot corrupt the cache', async () => {
    const mx = resolver();
    const first = await mx.resolveMx('cached.test');
    if (first.kind === 'ok') first.hosts.length = 0;
    expect(await mx.resolveMx('cached.test')).toMatchObject({ kind: 'ok', hosts: [{}] });
  });

  it('caches nothing with maxCacheTtlSeconds 0', async () => {
    const mx = resolver({ maxCacheTtlSeconds: 0 });
    await mx.resolveMx('cached.test');
    expect(await queriesDuring(server, () => mx.resolveMx('cached.test'))).toContain(
      'MX cached.test',
    );
  });

  it('evicts the oldest domain beyond maxCacheEntries', async () => {
    const mx = resolver({ maxCacheEntries: 1 });
    await mx.resolveMx('cached.test');
    await mx.resolveMx('other.test');
    expect(await queriesDuring(server, () => mx.resolveMx('other.test'))).toEqual([]);
    expect(await queriesDuring(server, () => mx.resolveMx('cached.test'))).toContain(
      'MX cached.test',
    );
  });
});
