import { describe, expect, it } from 'vitest';
import { DomainTally, domainOf } from '../../src/report/domain-tally.ts';

describe('domainOf', () => {
  it('takes the part after the last @, and nothing for rows without an address', () => {
    expect(domainOf('a@example.com')).toBe('example.com');
    expect(domainOf('"a@b"@example.com')).toBe('example.com');
    expect(domainOf(null)).toBeNull();
  });
});

describe('DomainTally', () => {
  it('ranks by undeliverable + unknown rows, then share, then name', () => {
    const tally = new DomainTally();
    for (let i = 0; i < 10; i += 1) tally.add('big.test', i < 3 ? 'undeliverable' : 'deliverable');
    tally.add('small.test', 'unknown');
    tally.add('small.test', 'undeliverable');
    tally.add('tiny-b.test', 'unknown');
    tally.add('tiny-a.test', 'unknown');
    tally.add('safe.test', 'deliverable');
    tally.add('risky.test', 'risky');
    expect(tally.riskiest(10).map((entry) => [entry.domain, entry.share])).toEqual([
      ['big.test', 0.3],
      ['small.test', 1],
      ['tiny-a.test', 1],
      ['tiny-b.test', 1],
    ]);
    expect(tally.riskiest(2)).toHaveLength(2);
  });

  it('stops tracking new domains at the cap and counts their rows as other', () => {
    const tally = new DomainTally(3);
    for (const domain of ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'a.test']) {
      tally.add(domain, 'undeliverable');
    }
    expect(tally.trackedDomains).toBe(3);
    expect(tally.other).toEqual({ rows: 2, undeliverable: 2, unknown: 0 });
    expect(tally.riskiest(10).map((entry) => [entry.domain, entry.rows])).toEqual([
      ['a.test', 2],
      ['b.test', 1],
      ['c.test', 1],
    ]);
  });
});
