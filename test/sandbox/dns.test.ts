import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { mxRecords } from '../dns/dns-client.ts';

const scenario: Scenario = {
  domains: {
    'example.com': { mx: [{ host: 'MX1.example.com' }, { host: 'mx2.example.com' }] },
    'backup.test': { mx: [{ host: 'mx2.example.com', preference: 5 }] },
    'nullmx.test': { nullMx: true },
    'implicit.test': { implicitMx: true, mailboxes: ['alice'] },
    'private.test': { a: ['10.0.0.7'], aaaa: ['fd00::7'] },
    'nomail.test': {},
    'broken.test': { mx: [{ host: 'mx1.example.com' }], servfail: true },
    'slow.test': { mx: [{ host: 'mx1.example.com' }], dnsTimeout: true },
    'signed.test': {
      mx: [{ host: 'mx1.example.com' }],
      txt: ['v=spf1 ip4:127.0.0.0/8 -all', `long ${'x'.repeat(300)}`],
    },
  },
  hosts: { 'spare.example.com': {} },
  records: [
    { name: '_dmarc.signed.test', type: 'TXT', value: 'v=DMARC1; p=reject' },
    { name: '5.0.0.127.in-addr.arpa', type: 'PTR', value: 'Verify.Example.COM.' },
    { name: '5.0.0.127.zen.blocklist.test', type: 'A', value: '127.0.0.2' },
  ],
};

let world: SandboxWorld;
let resolver: Resolver;
beforeAll(async () => {
  world = await startWorld(scenario, {});
  resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([`127.0.0.1:${world.dns.port}`]);
});
afterAll(() => world.close());

const failure = (pending: Promise<unknown>) =>
  pending.then(
    () => 'resolved',
    (error: NodeJS.ErrnoException) => error.code,
  );

describe('sandbox DNS', () => {
  it('publishes MX records, default preferences in listed order', async () => {
    const records = mxRecords(await resolver.resolveMx('example.com'));
    expect(records.sort((a, b) => a.priority - b.priority)).toEqual([
      { exchange: 'mx1.example.com', priority: 10 },
      { exchange: 'mx2.example.com', priority: 20 },
    ]);
    expect(mxRecords(await resolver.resolveMx('backup.test'))).toEqual([
      { exchange: 'mx2.example.com', priority: 5 },
    ]);
  });

  it('answers case-insensitively', async () => {
    expect((await resolver.resolveMx('EXAMPLE.Com')).length).toBe(2);
  });

  it('gives every sandbox host an A record on 127.0.0.x', async () => {
    const names = ['mx1.example.com', 'mx2.example.com', 'spare.example.com'];
    const ips = await Promise.all(names.map((name) => resolver.resolve4(name)));
    expect(ips).toEqual(names.map((name) => [world.hostIp(name)]));
    expect(new Set(ips.flat()).size).toBe(3);
    for (const ip of ips.flat()) expect(ip).toMatch(/^127\./);
    expect(await failure(resolver.resolve6('mx1.example.com'))).toBe('ENODATA');
  });

  it('publishes a null MX', async () => {
    expect(mxRecords(await resolver.resolveMx('nullmx.test'))).toEqual([
      { exchange: '', priority: 0 },
    ]);
  });

  it('implicit MX: no MX record, the domain A record is a sandbox host', async () => {
    expect(await failure(resolver.resolveMx('implicit.test'))).toBe('ENODATA');
    expect(await resolver.resolve4('implicit.test')).toEqual([world.hostIp('implicit.test')]);
  });

  it('publishes the scenario A and AAAA records as given', async () => {
    expect(await resolver.resolve4('private.test')).toEqual(['10.0.0.7']);
    expect(await resolver.resolve6('private.test')).toEqual(['fd00::7']);
  });

  it('NXDOMAIN for unknown names, NODATA for a known domain with no mail records', async () => {
    expect(await failure(resolver.resolveMx('unknown.test'))).toBe('ENOTFOUND');
    expect(await failure(resolver.resolveMx('nomail.test'))).toBe('ENODATA');
    expect(await failure(resolver.resolve4('nomail.test'))).toBe('ENODATA');
  });

  it('SERVFAIL and silence where the scenario asks', async () => {
    expect(await failure(resolver.resolveMx('broken.test'))).toBe('ESERVFAIL');
    expect(await failure(resolver.resolveMx('slow.test'))).toBe('ETIMEOUT');
  });

  it('records the questions it was asked', () => {
    expect(world.dns.queries).toContain('MX example.com');
  });

  it('publishes TXT (long ones split into strings), PTR and any extra record', async () => {
    expect(await resolver.resolveTxt('signed.test')).toEqual([
      ['v=spf1 ip4:127.0.0.0/8 -all'],
      [`long ${'x'.repeat(250)}`, 'x'.repeat(50)],
    ]);
    expect(await resolver.resolveTxt('_dmarc.signed.test')).toEqual([['v=DMARC1; p=reject']]);
    expect(await resolver.reverse('127.0.0.5')).toEqual(['verify.example.com']);
    expect(await resolver.resolve4('5.0.0.127.zen.blocklist.test')).toEqual(['127.0.0.2']);
    // A name with only other types is NODATA; a name with none is NXDOMAIN.
    expect(await failure(resolver.resolveTxt('5.0.0.127.zen.blocklist.test'))).toBe('ENODATA');
    expect(await failure(resolver.resolve4('6.0.0.127.zen.blocklist.test'))).toBe('ENOTFOUND');
    expect(await failure(resolver.resolveTxt('example.com'))).toBe('ENODATA');
  });
});
