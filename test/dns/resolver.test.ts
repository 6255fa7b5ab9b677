import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MxResolver } from '../../src/dns/resolver.ts';
import type { DnsOptions } from '../../src/dns/types.ts';
import {
  answerFromRecords,
  type DnsAnswer,
  type DnsRecord,
  type SandboxDnsServer,
  startDnsServer,
} from '../../src/sandbox/dns/dns-server.ts';
import { queriesDuring } from '../helpers/dns.ts';

const longLabel = (char: string) => char.repeat(60);
const bigExchanges = Array.from(
  { length: 8 },
  (_, i) => `${longLabel('a')}.${longLabel('b')}.${longLabel('c')}.mx${i}.big.test`,
);

const records: DnsRecord[] = [
  // Ties keep answer order; a host without addresses is dropped.
  { type: 'MX', name: 'order.test', preference: 20, exchange: 'mx-c.order.test' },
  { type: 'MX', name: 'order.test', preference: 10, exchange: 'mx-a.order.test' },
  { type: 'MX', name: 'order.test', preference: 30, exchange: 'mx-gone.order.test' },
  { type: 'MX', name: 'order.test', preference: 10, exchange: 'mx-b.order.test' },
  { type: 'A', name: 'mx-a.order.test', address: '127.0.0.11' },
  { type: 'AAAA', name: 'mx-a.order.test', address: 'fd00::11' },
  { type: 'A', name: 'mx-b.order.test', address: '127.0.0.12' },
  { type: 'AAAA', name: 'mx-c.order.test', address: 'fd00::13' },

  { type: 'MX', name: 'example.test', preference: 10, exchange: 'mx1.example.test' },
  { type: 'A', name: 'mx1.example.test', address: '127.0.0.20' },

  { type: 'MX', name: 'self.test', preference: 5, exchange: 'self.test' },
  { type: 'A', name: 'self.test', address: '127.0.0.21' },

  { type: 'A', name: 'implicit.test', address: '127.0.0.22' },
  { type: 'AAAA', name: 'implicit.test', address: 'fd00::22' },

  { type: 'MX', name: 'nullmx.test', preference: 0, exchange: '.' },
  { type: 'MX', name: 'mixednull.test', preference: 0, exchange: '.' },
  { type: 'MX', name: 'mixednull.test', preference: 10, exchange: 'mx.mixednull.test' },
  { type: 'A', name: 'mx.mixednull.test', address: '127.0.0.23' },

  { type: 'MX', name: 'dangling.test', preference: 10, exchange: 'mx.nowhere.test' },

  { type: 'MX', name: 'hostfail.test', preference: 10, exchange: 'mx.flaky.test' },
  { type: 'MX', name: 'partial.test', preference: 10, exchange: 'mx.partial.test' },
  { type: 'MX', name: 'partial.test', preference: 20, exchange: 'mx.flaky.test' },
  { type: 'A', name: 'mx.partial.test', address: '127.0.0.24' },

  ...bigExchanges.flatMap((exchange, i): DnsRecord[] => [
    { type: 'MX', name: 'big.test', preference: i, exchange },
    { type: 'A', name: exchange, address: `127.0.1.${i}` },
  ]),
];

const special: Record<string, DnsAnswer> = {
  'bare.test': { rcode: 'NOERROR', records: [] },
  'servfail.test': { rcode: 'SERVFAIL' },
  'refused.test': { rcode: 'REFUSED' },
  'blackhole.test': { drop: true },
  'mx.flaky.test': { rcode: 'SERVFAIL' },
};

const zone = answerFromRecords(records);
let server: SandboxDnsServer;

beforeAll(async () => {
  server = await startDnsServer({ answer: (name, type) => special[name] ?? zone(name, type) });
});
afterAll(() => server.close());

function resolver(options: DnsOptions = {}): MxResolver {
  return new MxResolver({
    servers: [`127.0.0.1:${server.port}`],
    timeoutMs: 100,
    tries: 1,
    ...options,
  });
}

describe('MxResolver', () => {
  it('sorts by preference (ties in answer order), A then AAAA, drops bare hosts', async () => {
    expect(await resolver().resolveMx('order.test')).toEqual({
      kind: 'ok',
      implicit: false,
      hosts: [
        { exchange: 'mx-a.order.test', preference: 10, addresses: ['127.0.0.11', 'fd00::11'] },
        { exchange: 'mx-b.order.test', preference: 10, addresses: ['127.0.0.12'] },
        { exchange: 'mx-c.order.test', preference: 20, addresses: ['fd00::13'] },
      ],
    });
  });

  it('resolves MX host names through the configured server, not the system resolver', async () => {
    const seen = await queriesDuring(server, () => resolver().resolveMx('example.test'));
    expect(seen).toEqual(
      expect.arrayContaining(['MX example.test', 'A mx1.example.test', 'AAAA mx1.example.test']),
    );
    expect(seen).toHaveLength(3);
  });

  it('accepts an MX that names the domain itself', async () => {
    expect(await resolver().resolveMx('self.test')).toEqual({
      kind: 'ok',
      implicit: false,
      hosts: [{ exchange: 'self.test', preference: 5, addresses: ['127.0.0.21'] }],
    });
  });

  it('normalises case and the trailing dot', async () => {
    const lookup = await resolver().resolveMx('Example.TEST.');
    expect(lookup).toMatchObject({ kind: 'ok', hosts: [{ exchange: 'mx1.example.test' }] });
  });

  it('falls back to the implicit MX (RFC 5321 §5.1) when there is no MX record', async () => {
    expect(await resolver().resolveMx('implicit.test')).toEqual({
      kind: 'ok',
      implicit: true,
      hosts: [{ exchange: 'implicit.test', preference: 0, addresses: ['127.0.0.22', 'fd00::22'] }],
    });
  });

  it('reports no_mail_server when there is neither MX nor A/AAAA', async () => {
    expect(await resolver().resolveMx('bare.test')).toMatchObject({
      kind: 'no_mail_server',
      detail: expect.stringContaining('no MX record and no A/AAAA'),
    });
  });

  it('reports no_mail_server for a null MX (RFC 7505) without looking further', async () => {
    const seen = await queriesDuring(server, async () => {
      expect(await resolver().resolveMx('nullmx.test')).toMatchObject({
        kind: 'no_mail_server',
        detail: expect.stringContaining('RFC 7505'),
      });
    });
    expect(seen).toEqual(['MX nullmx.test']);
  });

  it('ignores a null MX published next to real ones', async () => {
    expect(await resolver().resolveMx('mixednull.test')).toMatchObject({
      kind: 'ok',
      hosts: [{ exchange: 'mx.mixednull.test', preference: 10, addresses: ['127.0.0.23'] }],
    });
  });

  it('reports no_mail_server when no MX host has an address', async () => {
    expect(await resolver().resolveMx('dangling.test')).toMatchObject({
      kind: 'no_mail_server',
      detail: expect.stringContaining('mx.nowhere.test'),
    });
  });

  it('reports no_domain for NXDOMAIN', async () => {
    expect(await resolver().resolveMx('nowhere.test')).toEqual({
      kind: 'no_domain',
      detail: 'nowhere.test does not exist (NXDOMAIN)',
    });
  });

  it('retries SERVFAIL, then reports temporary naming the code', async () => {
    const seen = await queriesDuring(server, async () => {
      expect(await resolver().resolveMx('servfail.test')).toMatchObject({
        kind: 'temporary',
        detail: expect.stringContaining('ESERVFAIL'),
      });
    });
    expect(seen.filter((q) => q === 'MX servfail.test').length).toBeGreaterThan(1);
  });

  it('reports temporary for REFUSED', async () => {
    expect(await resolver().resolveMx('refused.test')).toMatchObject({
      kind: 'temporary',
      detail: expect.stringContaining('EREFUSED'),
    });
  });

  it('reports temporary when the server never answers', async () => {
    const started = Date.now();
    const seen = await queriesDuring(server, async () => {
      expect(await resolver().resolveMx('blackhole.test')).toMatchObject({
        kind: 'temporary',
        detail: expect.stringContaining('ETIMEOUT'),
      });
    });
    expect(seen.filter((q) => q === 'MX blackhole.test').length).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports temporary, not no_mail_server, when the only MX host fails for now', async () => {
    expect(await resolver().resolveMx('hostfail.test')).toMatchObject({
      kind: 'temporary',
      detail: expect.stringContaining('mx.flaky.test: ESERVFAIL'),
    });
  });

  it('keeps hosts that resolved when another fails for now, uncached', async () => {
    const mx = resolver();
    expect(await mx.resolveMx('partial.test')).toMatchObject({
      kind: 'ok',
      hosts: [{ exchange: 'mx.partial.test' }],
    });
    const seen = await queriesDuring(server, () => mx.resolveMx('partial.test'));
    expect(seen).toContain('MX partial.test');
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const lookup = await resolver().resolveMx('big.test');
    expect(lookup.kind === 'ok' && lookup.hosts.map((host) => host.exchange)).toEqual(bigExchanges);
    expect(server.tcpQueries).toContain('MX big.test');
  });

  it('rejects unusable options with config_invalid before touching the network', () => {
    expect(() => new MxResolver({ servers: ['127.0.0.1:0'] })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => new MxResolver({ servers: ['resolver.example'] })).toThrow(/resolver\.example/);
    expect(() => new MxResolver({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new MxResolver({ tries: 1.5 })).toThrow(/tries/);
  });
});
