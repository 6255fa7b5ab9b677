import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { parseRedisUrl, redactRedisUrl } from '../../src/redis/redis-url.ts';

describe('parseRedisUrl', () => {
  it('reads one server, with TLS and a database', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
    });
    expect(parseRedisUrl(' rediss://u:p@cache.internal:6380/2 ')).toEqual({
      kind: 'single',
      url: 'rediss://u:p@cache.internal:6380/2',
    });
  });

  it('reads a cluster: seed nodes, credentials, TLS, IPv6', () => {
    expect(parseRedisUrl('redis-cluster://10.0.0.1:7000,10.0.0.2:7001, redis-3:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3', port: 7002 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss-cluster://app:s%40cret@[::1]:7000/')).toEqual({
      kind: 'cluster',
      nodes: [{ host: '::1', port: 7000 }],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
    expect(parseRedisUrl('redis-cluster://:only-password@h:1')).toMatchObject({
      password: 'only-password',
    });
  });

  it('refuses what is neither form', () => {
    for (const bad of [
      '',
      'localhost:6379',
      'http://redis:6379',
      'redis://',
      'redis-cluster://',
      'redis-cluster://h',
      'redis-cluster://h:0',
      'redis-cluster://h:70000',
      'redis-cluster://h:1,,h:2',
      'redis-cluster://h:1/3',
    ]) {
      expect(parseRedisUrl(bad), bad).toBeNull();
    }
  });

  it('is what REDIS_URL and REDIS_CACHE_URL accept', () => {
    const config = readEnv({
      REDIS_URL: 'redis-cluster://127.0.0.1:7101,127.0.0.1:7102',
      REDIS_CACHE_URL: 'redis://127.0.0.1:6380',
    });
    expect(config.REDIS_URL).toBe('redis-cluster://127.0.0.1:7101,127.0.0.1:7102');
    expect(config.REDIS_CACHE_URL).toBe('redis://127.0.0.1:6380');
    expect(() => readEnv({ REDIS_URL: 'redis-cluster://nohost' })).toThrow(/REDIS_URL/);
  });
});

describe('redactRedisUrl', () => {
  it('keeps the user and hosts, hides the password', () => {
    expect(redactRedisUrl('redis://app:hunter2@10.0.0.1:6379/0')).toBe(
      'redis://app:***@10.0.0.1:6379/0',
    );
    expect(redactRedisUrl('redis-cluster://:pw@a:1,b:2')).toBe('redis-cluster://:***@a:1,b:2');
    expect(redactRedisUrl('redis://token@host:6379')).toBe('redis://***@host:6379');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('never prints any password, whatever characters it holds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('redis', 'rediss', 'redis-cluster', 'rediss-cluster'),
        fc.string({ minLength: 1 }).filter((p) => !p.includes('\n')),
        (scheme, password) => {
          const hosts = scheme.endsWith('cluster') ? 'h1:7000,h2:7001' : 'h1:7000/1';
          const out = redactRedisUrl(`${scheme}://app:${password}@${hosts}`);
          expect(out).toBe(`${scheme}://app:***@${hosts}`);
        },
      ),
    );
  });
});
