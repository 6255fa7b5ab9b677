import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/dns/cache.ts';

function clockedCache(maxEntries: number): {
  cache: TtlCache<string>;
  advance: (ms: number) => void;
} {
  let now = 1_000_000;
  return {
    cache: new TtlCache<string>(maxEntries, () => now),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('TtlCache', () => {
  it('forgets an entry once its TTL has passed', () => {
    const { cache, advance } = clockedCache(10);
    cache.set('a', 'A', 2);
    advance(1999);
    expect(cache.get('a')).toBe('A');
    advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing for a TTL of zero', () => {
    const { cache } = clockedCache(10);
    cache.set('a', 'A', 0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the oldest entry beyond its size, a refreshed one counting as new', () => {
    const { cache } = clockedCache(2);
    cache.set('a', 'A', 60);
    cache.set('b', 'B', 60);
    cache.set('a', 'A2', 60);
    cache.set('c', 'C', 60);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A2');
    expect(cache.get('c')).toBe('C');
    expect(cache.size).toBe(2);
  });
});
