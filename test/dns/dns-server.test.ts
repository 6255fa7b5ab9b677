import type { MxAnswer } from 'dns-packet';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerFromRecords,
  type DnsRecord,
  type SandboxDnsServer,
  startDnsServer,
} from '../../src/sandbox/dns/dns-server.ts';
import { overTcp, overUdp, query } from './dns-client.ts';

const longLabel = (char: string) => char.repeat(60);
const bigMx: DnsRecord[] = Array.from({ length: 8 }, (_, i) => ({
  type: 'MX',
  name: 'big.test',
  preference: i,
  exchange: `${longLabel('a')}.${longLabel('b')}.${longLabel('c')}.mx${i}.big.test`,
}));

const zone = answerFromRecords([
  { type: 'MX', name: 'example.test', preference: 10, exchange: 'mx1.example.test', ttl: 42 },
  { type: 'A', name: 'mx1.example.test', address: '127.0.0.10' },
  { type: 'AAAA', name: 'mx1.example.test', address: '::1' },
  { type: 'MX', name: 'nullmx.test', preference: 0, exchange: '.' },
  ...bigMx,
]);

let server: SandboxDnsServer;
const seenNames: string[] = [];

beforeAll(async () => {
  server = await startDnsServer({
    answer: (name, type) => {
      seenNames.push(name);
      if (name === 'boom.test') throw new Error('scenario bug');
      if (name === 'blackhole.test') return { drop: true };
      if (name === 'refused.test') return { rcode: 'REFUSED' };
      return zone(name, type);
    },
  });
});
afterAll(() => server.close());

describe('sandbox DNS server', () => {
  it('answers an MX question over UDP, authoritatively, echoing id and question', async () => {
    const reply = await overUdp(server.port, [query('example.test', 'MX', 7)]);
    expect(reply?.id).toBe(7);
    expect(reply?.type).toBe('response');
    expect(reply?.flag_aa).toBe(true);
    expect(reply?.flag_rd).toBe(true);
    expect(reply?.answers).toMatchObject([
      {
        type: 'MX',
        name: 'example.test',
        ttl: 42,
        data: { preference: 10, exchange: 'mx1.example.test' },
      },
    ]);
    expect(server.queries).toContain('MX example.test');
  });

  it('answers A and AAAA with a default TTL', async () => {
    const a = await overUdp(server.port, [query('mx1.example.test', 'A')]);
    const aaaa = await overUdp(server.port, [query('mx1.example.test', 'AAAA')]);
    expect(a?.answers).toMatchObject([{ type: 'A', data: '127.0.0.10', ttl: 300 }]);
    expect(aaaa?.answers).toMatchObject([{ type: 'AAAA', data: '::1', ttl: 300 }]);
  });

  it('passes the name lower-case without the dot, echoing the client spelling', async () => {
    const reply = await overUdp(server.port, [query('MX1.Example.TEST.', 'A')]);
    expect(seenNames).toContain('mx1.example.test');
    expect(reply?.questions?.[0]?.name).toBe('MX1.Example.TEST');
    expect(reply?.answers?.[0]?.name).toBe('MX1.Example.TEST');
  });

  it('encodes a null MX as the root name', async () => {
    const reply = await overUdp(server.port, [query('nullmx.test', 'MX')]);
    const [mx] = (reply?.answers ?? []) as MxAnswer[];
    expect(mx?.data.preference).toBe(0);
    expect(['', '.']).toContain(mx?.data.exchange);
  });

  it('tells NXDOMAIN from NODATA', async () => {
    const nx = await overUdp(server.port, [query('nowhere.test', 'MX')]);
    const nodata = await overUdp(server.port, [query('example.test', 'TXT')]);
    expect(nx?.rcode).toBe('NXDOMAIN');
    expect(nodata?.rcode).toBe('NOERROR');
    expect(nodata?.answers).toEqual([]);
    expect(server.queries).toContain('TXT example.test');
  });

  it('answers SERVFAIL when the answer function throws, REFUSED when asked to', async () => {
    expect((await overUdp(server.port, [query('boom.test', 'MX')]))?.rcode).toBe('SERVFAIL');
    expect((await overUdp(server.port, [query('refused.test', 'MX')]))?.rcode).toBe('REFUSED');
  });

  it('never answers a dropped question', async () => {
    expect(await overUdp(server.port, [query('blackhole.test', 'MX')], 300)).toBeNull();
    expect(server.queries).toContain('MX blackhole.test');
  });

  it('ignores malformed datagrams and answers the next good one', async () => {
    const before = server.queries.length;
    const garbage = Buffer.from('definitely not dns');
    const truncatedHeader = Buffer.from([0x12, 0x34, 0x01]);
    const response = dnsPacket.encode({
      type: 'response',
      id: 1,
      questions: [{ type: 'A', name: 'x.test' }],
    });
    const reply = await overUdp(server.port, [
      garbage,
      truncatedHeader,
      response,
      query('example.test', 'MX', 99),
    ]);
    expect(reply?.id).toBe(99);
    expect(server.queries.slice(before)).toEqual(['MX example.test']);
  });

  it('sets TC over UDP when the answer does not fit, and answers in full over TCP', async () => {
    const udp = await overUdp(server.port, [query('big.test', 'MX')]);
    expect(udp?.flag_tc).toBe(true);
    expect(udp?.answers).toEqual([]);
    const tcp = await overTcp(server.port, query('big.test', 'MX'));
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.answers).toHaveLength(8);
    expect(server.tcpQueries).toEqual(['MX big.test']);
  });

  it('gives every server its own free port, and frees it on close', async () => {
    const other = await startDnsServer({ answer: () => ({ rcode: 'NXDOMAIN' }) });
    expect(other.port).not.toBe(server.port);
    expect(other.host).toBe('127.0.0.1');
    await other.close();
    await other.close();
    const again = await startDnsServer({ port: other.port, answer: () => ({ rcode: 'NXDOMAIN' }) });
    expect((await overUdp(again.port, [query('a.test', 'A')]))?.rcode).toBe('NXDOMAIN');
    await again.close();
  });

  it('fails with a code when the port is taken', async () => {
    await expect(
      startDnsServer({ port: server.port, answer: () => ({ rcode: 'NXDOMAIN' }) }),
    ).rejects.toMatchObject({ code: 'sandbox_dns_unavailable' });
  });
});
