import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIp, isPublicIp } from '../../src/dns/ip-guard.ts';

// Strings only: nothing here is ever connected to.
const table: Array<[string, string]> = [
  ['8.8.8.8', 'public'],
  ['2001:4860:4860::8888', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.5.4', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['100.64.1.1', 'carrierGradeNat'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.200', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.254', 'benchmarking'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:0:a9fe:a9fe', 'linkLocal'],
  ['::7f00:1', 'reserved'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fd00::1', 'uniqueLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['fec0::1', 'reserved'],
  ['100::1', 'reserved'],
  // 6to4 2002:AABB:CCDD::, judged by the IPv4 it carries.
  ['2002:7f00:1::1', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:808:808::1', 'public'],
  // NAT64 well-known prefix; the local-use prefix is never public.
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::808:808', 'public'],
  ['64:ff9b:1::808:808', 'reserved'],
  // Teredo: server 65.54.227.120, client 192.168.1.1 (bits inverted) / 8.8.8.8.
  ['2001:0:4136:e378:8000:63bf:3f57:fefe', 'private'],
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public'],
  // Not canonical literals: a resolver library might expand these to loopback.
  ['127.1', 'invalid'],
  ['0x7f.0.0.1', 'invalid'],
  ['2130706433', 'invalid'],
  ['010.0.0.1', 'invalid'],
  ['', 'invalid'],
  [' 8.8.8.8', 'invalid'],
  ['8.8.8.8:25', 'invalid'],
  ['[::1]', 'invalid'],
  ['mx.example.com', 'invalid'],
];

describe('classifyIp', () => {
  it.each(table)('%s is %s', (ip, expected) => {
    expect(classifyIp(ip)).toBe(expected);
    expect(isPublicIp(ip)).toBe(expected === 'public');
  });

  it('never throws and only calls canonical literals public', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (input) => {
        const result = classifyIp(input);
        expect(typeof result).toBe('string');
        if (result === 'public') expect(input).toMatch(/^[0-9a-f.:]+$/i);
      }),
      { numRuns: 2000 },
    );
  });

  it('judges an IPv4-mapped IPv6 address as the IPv4 it maps', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(classifyIp(`::ffff:${v4}`)).toBe(classifyIp(v4));
      }),
    );
  });
});
