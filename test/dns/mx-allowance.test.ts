import { describe, expect, it } from 'vitest';
import { mayConnect, parseMxAllowance } from '../../src/dns/mx-allowance.ts';

describe('ALLOW_PRIVATE_MX', () => {
  it('parses 0, 1 and CIDR lists, and rejects the rest', () => {
    expect(parseMxAllowance('0')).toEqual({ kind: 'none' });
    expect(parseMxAllowance('')).toEqual({ kind: 'none' });
    expect(parseMxAllowance('1')).toEqual({ kind: 'all' });
    expect(parseMxAllowance('127.0.0.0/8,::1/128')).toEqual({
      kind: 'ranges',
      ranges: ['127.0.0.0/8', '::1/128'],
    });
    expect(parseMxAllowance('127.0.0.1')).toBeNull();
    expect(parseMxAllowance('maybe')).toBeNull();
  });

  it.each([
    ['127.0.0.5', 'none', false],
    ['127.0.0.5', 'all', true],
    ['127.0.0.5', '127.0.0.0/8', true],
    ['::ffff:127.0.0.5', '127.0.0.0/8', true],
    ['10.0.0.1', '127.0.0.0/8', false],
    ['169.254.169.254', '127.0.0.0/8', false],
    ['::1', '127.0.0.0/8', false],
    ['::1', '::1/128', true],
    ['8.8.8.8', 'none', true],
    ['not-an-ip', 'all', false],
    ['127.1', 'all', false],
    ['not-an-ip', '127.0.0.0/8', false],
  ])('%s under %s → %s', (ip, spec, expected) => {
    const allowance = parseMxAllowance(spec === 'none' ? '0' : spec === 'all' ? '1' : spec);
    if (!allowance) throw new Error('bad spec');
    expect(mayConnect(ip, allowance)).toBe(expected);
  });
});
