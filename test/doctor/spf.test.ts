/**
 * The SPF evaluator (RFC 7208 check_host) over an in-memory zone: the RFC's own examples
 * (Appendix A, the macro table of §7.4), the limits of §4.6.4, errors, and properties over
 * random addresses, prefixes and include graphs.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import type { Answer, MxAnswer } from '../../src/doctor/dns.ts';
import { checkHost, MAX_DNS_TERMS, type SpfLookups } from '../../src/doctor/spf/check-host.ts';
import { expandDomainSpec } from '../../src/doctor/spf/macro.ts';
import { parseSpfRecord, SpfSyntaxError } from '../../src/doctor/spf/record.ts';

interface Zone {
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  txt?: Record<string, string[]>;
  mx?: Record<string, Array<[number, string]>>;
  /** By address. */
  ptr?: Record<string, string[]>;
  /** Names whose every lookup fails (SERVFAIL). */
  broken?: string[];
}

/** A fake resolver over `zone`; a name in no table is NXDOMAIN, in another table NODATA. */
function fakeDns(zone: Zone): SpfLookups & { asked: string[] } {
  const asked: string[] = [];
  const names = new Set(
    [zone.a, zone.aaaa, zone.txt, zone.mx].flatMap((table) => Object.keys(table ?? {})),
  );
  const lookup =
    <T>(type: string, table: Record<string, T[]> | undefined) =>
    async (name: string): Promise<Answer<T>> => {
      asked.push(`${type} ${name}`);
      if (zone.broken?.includes(name)) return { kind: 'error', code: 'ESERVFAIL' };
      const values = table?.[name];
      if (values !== undefined && values.length > 0) return { kind: 'ok', values };
      return { kind: 'none', code: names.has(name) ? 'ENODATA' : 'ENOTFOUND' };
    };
  const mx = Object.fromEntries(
    Object.entries(zone.mx ?? {}).map(([name, records]) => [
      name,
      records.map(([priority, exchange]): MxAnswer => ({ priority, exchange })),
    ]),
  );
  return {
    asked,
    a: lookup('A', zone.a),
    aaaa: lookup('AAAA', zone.aaaa),
    txt: lookup('TXT', zone.txt),
    mx: lookup('MX', mx),
    ptr: lookup('PTR', zone.ptr),
  };
}

/** RFC 7208 Appendix A's zone. */
const APPENDIX_A: Zone = {
  a: {
    'example.com': ['192.0.2.10', '192.0.2.11'],
    'amy.example.com': ['192.0.2.65'],
    'bob.example.com': ['192.0.2.66'],
    'mail-a.example.com': ['192.0.2.129'],
    'mail-b.example.com': ['192.0.2.130'],
    'mail-c.example.org': ['192.0.2.140'],
  },
  mx: {
    'example.com': [
      [10, 'mail-a.example.com'],
      [20, 'mail-b.example.com'],
    ],
    'example.org': [[10, 'mail-c.example.org']],
  },
  ptr: {
    '192.0.2.10': ['example.com'],
    '192.0.2.11': ['example.com'],
    '192.0.2.65': ['amy.example.com'],
    '192.0.2.66': ['bob.example.com'],
    '192.0.2.129': ['mail-a.example.com'],
    '192.0.2.130': ['mail-b.example.com'],
    '192.0.2.140': ['mail-c.example.org'],
    '10.2.3.4': ['bob.example.com'],
  },
};

async function spf(record: string, ip: string, zone: Zone = APPENDIX_A, domain = 'example.com') {
  const dns = fakeDns({ ...zone, txt: { ...zone.txt, [domain]: [record] } });
  return checkHost({ ip, domain, sender: `alice@${domain}`, helo: 'mx.example.net' }, dns);
}

describe('check_host on RFC 7208 Appendix A', () => {
  const cases: Array<[string, string, string]> = [
    ['v=spf1 +all', '203.0.113.9', 'pass'],
    ['v=spf1 a -all', '192.0.2.10', 'pass'],
    ['v=spf1 a -all', '192.0.2.11', 'pass'],
    ['v=spf1 a -all', '192.0.2.65', 'fail'],
    ['v=spf1 a:example.org -all', '192.0.2.10', 'fail'],
    ['v=spf1 mx -all', '192.0.2.129', 'pass'],
    ['v=spf1 mx -all', '192.0.2.130', 'pass'],
    ['v=spf1 mx -all', '192.0.2.140', 'fail'],
    ['v=spf1 mx:example.org -all', '192.0.2.140', 'pass'],
    ['v=spf1 mx mx:example.org -all', '192.0.2.130', 'pass'],
    ['v=spf1 mx mx:example.org -all', '192.0.2.140', 'pass'],
    ['v=spf1 mx/30 mx:example.org/30 -all', '192.0.2.131', 'pass'],
    ['v=spf1 mx/30 mx:example.org/30 -all', '192.0.2.143', 'pass'],
    ['v=spf1 mx/30 mx:example.org/30 -all', '192.0.2.144', 'fail'],
    ['v=spf1 ptr -all', '192.0.2.65', 'pass'],
    ['v=spf1 ptr -all', '192.0.2.140', 'fail'],
    // bob.example.com does not resolve back to 10.2.3.4: the PTR name is not validated.
    ['v=spf1 ptr -all', '10.2.3.4', 'fail'],
    ['v=spf1 ip4:192.0.2.128/28 -all', '192.0.2.65', 'fail'],
    ['v=spf1 ip4:192.0.2.128/28 -all', '192.0.2.129', 'pass'],
  ];
  it.each(cases)('%s from %s is %s', async (record, ip, result) => {
    expect((await spf(record, ip)).result).toBe(result);
  });

  it('names the term that decided and the record it is in', async () => {
    const outcome = await spf('v=spf1 mx -all', '192.0.2.129');
    expect(outcome).toEqual({
      result: 'pass',
      reason: '"mx" matched in the SPF record of example.com',
      record: 'v=spf1 mx -all',
      lookups: 1,
    });
  });
});

describe('check_host', () => {
  it('maps the four qualifiers, and ends neutral when nothing matches', async () => {
    expect((await spf('v=spf1 -all', '192.0.2.1')).result).toBe('fail');
    expect((await spf('v=spf1 ~all', '192.0.2.1')).result).toBe('softfail');
    expect((await spf('v=spf1 ?all', '192.0.2.1')).result).toBe('neutral');
    expect((await spf('v=spf1 ip4:10.0.0.0/8', '192.0.2.1')).result).toBe('neutral');
    expect((await spf('V=SPF1 IP4:192.0.2.1 -ALL', '192.0.2.1')).result).toBe('pass');
  });

  it('is none without a record, and permerror with two', async () => {
    const none = await checkHost(
      { ip: '192.0.2.1', domain: 'example.com', sender: 'a@example.com', helo: 'h.test' },
      fakeDns({ txt: { 'example.com': ['google-site-verification=x', 'v=spf10 +all'] } }),
    );
    expect(none).toMatchObject({ result: 'none', record: null });
    const two = await checkHost(
      { ip: '192.0.2.1', domain: 'example.com', sender: 'a@example.com', helo: 'h.test' },
      fakeDns({ txt: { 'example.com': ['v=spf1 -all', 'v=spf1 +all'] } }),
    );
    expect(two.result).toBe('permerror');
    expect(two.reason).toContain('2 SPF records');
    const single = await checkHost(
      { ip: '192.0.2.1', domain: 'localhost', sender: 'a@localhost', helo: 'h.test' },
      fakeDns({}),
    );
    expect(single.result).toBe('none');
  });

  it('matches IPv6 clients against ip6, a and mx, and IPv4-mapped ones against ip4', async () => {
    const zone: Zone = {
      aaaa: { 'example.com': ['2001:db8::10'], 'mail-a.example.com': ['2001:db8:1::25'] },
      mx: { 'example.com': [[10, 'mail-a.example.com']] },
    };
    expect((await spf('v=spf1 ip6:2001:db8::/32 -all', '2001:db8:ffff::1', zone)).result).toBe(
      'pass',
    );
    expect((await spf('v=spf1 ip6:2001:db8::/32 -all', '2001:db9::1', zone)).result).toBe('fail');
    expect((await spf('v=spf1 a -all', '2001:db8::10', zone)).result).toBe('pass');
    expect((await spf('v=spf1 a//64 -all', '2001:db8::ffff', zone)).result).toBe('pass');
    expect((await spf('v=spf1 mx -all', '2001:db8:1::25', zone)).result).toBe('pass');
    // ip4 never matches an IPv6 client, ip6 never an IPv4 one.
    expect((await spf('v=spf1 ip4:0.0.0.0/0 -all', '2001:db8::1', zone)).result).toBe('fail');
    expect((await spf('v=spf1 ip6:::/0 -all', '192.0.2.1', zone)).result).toBe('fail');
    expect((await spf('v=spf1 ip4:192.0.2.0/24 -all', '::ffff:192.0.2.7', zone)).result).toBe(
      'pass',
    );
  });

  it('follows include: (pass matches, fail does not) and redirect=', async () => {
    const zone: Zone = {
      txt: {
        '_spf.provider.test': ['v=spf1 ip4:198.51.100.0/24 -all'],
        '_spf.other.test': ['v=spf1 ip4:203.0.113.0/24 ~all'],
      },
    };
    const record = 'v=spf1 include:_spf.provider.test include:_spf.other.test -all';
    expect((await spf(record, '198.51.100.5', zone)).result).toBe('pass');
    expect((await spf(record, '203.0.113.5', zone)).result).toBe('pass');
    const refused = await spf(record, '192.0.2.5', zone);
    expect(refused.result).toBe('fail');
    expect(refused.reason).toBe('"-all" matched in the SPF record of example.com');
    const redirected = await spf('v=spf1 redirect=_spf.provider.test', '192.0.2.5', zone);
    expect(redirected.result).toBe('fail');
    expect(redirected.reason).toContain('redirect=_spf.provider.test');
    expect((await spf('v=spf1 redirect=_spf.provider.test', '198.51.100.9', zone)).result).toBe(
      'pass',
    );
    // An "all" wins before redirect= is ever looked at.
    expect((await spf('v=spf1 ?all redirect=_spf.provider.test', '192.0.2.5', zone)).result).toBe(
      'neutral',
    );
  });

  it('is permerror when an include or redirect target has no record', async () => {
    const include = await spf('v=spf1 include:nothing.test -all', '192.0.2.5', {});
    expect(include.result).toBe('permerror');
    expect(include.reason).toContain('nothing.test has no SPF record');
    const redirect = await spf('v=spf1 redirect=nothing.test', '192.0.2.5', {});
    expect(redirect.result).toBe('permerror');
  });

  it('stops at 10 DNS-querying terms, also in an include loop', async () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:s${i}.test`).join(' ');
    const txt = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`s${i}.test`, ['v=spf1 ip4:10.0.0.1 -all']]),
    );
    const many = await spf(`v=spf1 ${includes} -all`, '192.0.2.5', { txt });
    expect(many.result).toBe('permerror');
    expect(many.reason).toBe('the policy needs more than 10 DNS lookups');
    expect(many.lookups).toBe(MAX_DNS_TERMS + 1);
    // Ten are fine.
    const ten = Array.from({ length: 10 }, (_, i) => `include:s${i}.test`).join(' ');
    expect((await spf(`v=spf1 ${ten} -all`, '192.0.2.5', { txt })).result).toBe('fail');
    const loop = await spf('v=spf1 include:example.com -all', '192.0.2.5', {});
    expect(loop.result).toBe('permerror');
  });

  it('stops after 2 void lookups', async () => {
    const record = 'v=spf1 a:gone1.test a:gone2.test a:gone3.test -all';
    const outcome = await spf(record, '192.0.2.5', {});
    expect(outcome.result).toBe('permerror');
    expect(outcome.reason).toContain('gone3.test');
    expect((await spf('v=spf1 a:gone1.test a:gone2.test -all', '192.0.2.5', {})).result).toBe(
      'fail',
    );
  });

  it('is permerror for more than 10 MX hosts', async () => {
    const mx: Zone['mx'] = {
      'example.com': Array.from({ length: 11 }, (_, i): [number, string] => [i, `mx${i}.test`]),
    };
    expect((await spf('v=spf1 mx -all', '192.0.2.5', { mx })).result).toBe('permerror');
  });

  it('is temperror when DNS fails, and a failed PTR lookup simply does not match', async () => {
    const broken = await spf('v=spf1 a:dead.test -all', '192.0.2.5', { broken: ['dead.test'] });
    expect(broken).toMatchObject({ result: 'temperror' });
    expect(broken.reason).toContain('ESERVFAIL');
    const record = await checkHost(
      { ip: '192.0.2.5', domain: 'dead.test', sender: 'a@dead.test', helo: 'h.test' },
      fakeDns({ broken: ['dead.test'] }),
    );
    expect(record.result).toBe('temperror');
    expect((await spf('v=spf1 ptr ~all', '192.0.2.5', { broken: ['192.0.2.5'] })).result).toBe(
      'softfail',
    );
  });

  it('expands macros in exists: and include:', async () => {
    const zone: Zone = { a: { '5.2.0.192.in-addr.allow.example.com': ['127.0.0.2'] } };
    const record = 'v=spf1 exists:%{ir}.%{v}.allow.%{d} -all';
    expect((await spf(record, '192.0.2.5', zone)).result).toBe('pass');
    expect((await spf(record, '192.0.2.6', zone)).result).toBe('fail');
  });

  it('is permerror for records the grammar refuses', async () => {
    for (const record of [
      'v=spf1 foo -all',
      'v=spf1 ip4:192.0.2.300 -all',
      'v=spf1 ip4:192.0.2.0/33 -all',
      'v=spf1 ip6:192.0.2.1 -all',
      'v=spf1 a/024 -all',
      'v=spf1 include -all',
      'v=spf1 all:x',
      'v=spf1 exists:%{x} -all',
      'v=spf1 redirect=a.test redirect=b.test',
      'v=spf1 include:%{d0}.test -all',
    ]) {
      const outcome = await spf(record, '192.0.2.5', {});
      expect(outcome.result, record).toBe('permerror');
    }
    // Unknown modifiers are ignored; extra spaces are fine.
    expect((await spf('v=spf1  foo=bar   ip4:192.0.2.5  -all ', '192.0.2.5', {})).result).toBe(
      'pass',
    );
  });
});

describe('SPF macros (RFC 7208 §7.4)', () => {
  const v4 = { sender: 'strong-bad@email.example.com', domain: 'email.example.com', helo: 'h' };
  const table: Array<[string, string]> = [
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
  ];
  it.each(table)('%s → %s', (spec, expanded) => {
    expect(expandDomainSpec(spec, { ...v4, ip: '192.0.2.3' })).toBe(expanded);
  });

  it('expands an IPv6 client by nibbles, escapes, and URL-encodes upper-case macros', () => {
    expect(expandDomainSpec('%{ir}.%{v}._spf.%{d2}', { ...v4, ip: '2001:db8::cb01' })).toBe(
      '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
    );
    expect(expandDomainSpec('a%%b%_c%-d', { ...v4, ip: '192.0.2.3' })).toBe('a%b c%20d');
    expect(expandDomainSpec('%{S}', { ...v4, ip: '192.0.2.3' })).toBe(
      'strong-bad%40email.example.com',
    );
  });
});

describe('SPF properties', () => {
  const ipv4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
  const dotted = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');

  it('ip4:<net>/<len> passes exactly the addresses that share its first len bits', async () => {
    await fc.assert(
      fc.asyncProperty(ipv4, ipv4, fc.integer({ min: 0, max: 32 }), async (client, net, len) => {
        const outcome = await spf(`v=spf1 ip4:${dotted(net)}/${len} -all`, dotted(client), {});
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const inside = (client & mask) >>> 0 === (net & mask) >>> 0;
        expect(outcome.result).toBe(inside ? 'pass' : 'fail');
      }),
    );
  });

  it('ip6:<net>/<len> agrees with a bit-by-bit comparison', async () => {
    const bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(bytes, bytes, fc.integer({ min: 0, max: 128 }), async (a, b, len) => {
        const client = ipaddr.fromByteArray([...a]).toString();
        const net = ipaddr.fromByteArray([...b]).toString();
        const outcome = await spf(`v=spf1 ip6:${net}/${len} -all`, client, {});
        let inside = true;
        for (let bit = 0; bit < len; bit++) {
          const byte = bit >> 3;
          const mask = 0x80 >> (bit & 7);
          if (((a[byte] ?? 0) & mask) !== ((b[byte] ?? 0) & mask)) inside = false;
        }
        // An IPv4-mapped client is judged as IPv4, which no ip6 term matches.
        const mapped = ipaddr.process(client).kind() === 'ipv4';
        expect(outcome.result).toBe(inside && !mapped ? 'pass' : 'fail');
      }),
      { numRuns: 200 },
    );
  });

  it('always ends, within the lookup limit, whatever the includes and redirects', async () => {
    const domains = ['d0.test', 'd1.test', 'd2.test', 'd3.test'];
    const term = fc.oneof(
      fc.constantFrom(...domains).map((d) => `include:${d}`),
      fc.constantFrom(...domains).map((d) => `a:${d}`),
      fc.constantFrom(...domains).map((d) => `mx:${d}`),
      fc.constantFrom(...domains).map((d) => `exists:%{i}.${d}`),
      fc.constantFrom('ip4:10.0.0.0/8', '-ip4:192.0.2.0/24', 'ptr', '~all'),
    );
    const record = fc
      .tuple(fc.array(term, { maxLength: 6 }), fc.option(fc.constantFrom(...domains)))
      .map(([terms, redirect]) =>
        ['v=spf1', ...terms, ...(redirect ? [`redirect=${redirect}`] : [])].join(' '),
      );
    await fc.assert(
      fc.asyncProperty(fc.tuple(record, record, record, record), ipv4, async (records, client) => {
        const dns = fakeDns({
          txt: Object.fromEntries(domains.map((d, i) => [d, [records[i] ?? 'v=spf1']])),
          a: { 'd1.test': ['10.1.1.1'] },
          mx: { 'd2.test': [[10, 'd1.test']] },
        });
        const outcome = await checkHost(
          { ip: dotted(client), domain: 'd0.test', sender: 'a@d0.test', helo: 'h.test' },
          dns,
        );
        expect(['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror']).toContain(
          outcome.result,
        );
        expect(outcome.lookups).toBeLessThanOrEqual(MAX_DNS_TERMS + 1);
        if (outcome.lookups > MAX_DNS_TERMS) expect(outcome.result).toBe('permerror');
        // Each counted term asks a handful of questions at most.
        expect(dns.asked.length).toBeLessThanOrEqual(1 + (MAX_DNS_TERMS + 1) * 3);
      }),
      { numRuns: 300 },
    );
  });

  it('parses any text without throwing anything but a syntax error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        try {
          parseSpfRecord(`v=spf1 ${tail}`);
        } catch (error) {
          expect(error).toBeInstanceOf(SpfSyntaxError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
