import { describe, expect, it } from 'vitest';
import { BOUNCE_PROBABILITY, BounceRateMeter } from '../../src/report/bounce-probability.ts';
import { scoreBucket } from '../../src/report/bounce-risk-buckets.ts';
import { REASON_STATUS, REASONS } from '../../src/verdict/types.ts';

describe('BOUNCE_PROBABILITY', () => {
  it('is certain for undeliverable reasons and lowest for accepted', () => {
    for (const reason of REASONS) {
      const p = BOUNCE_PROBABILITY[reason];
      expect(p).toBeGreaterThanOrEqual(BOUNCE_PROBABILITY.accepted);
      expect(p).toBeLessThanOrEqual(1);
      if (REASON_STATUS[reason] === 'undeliverable') expect(p).toBe(1);
    }
  });
});

describe('BounceRateMeter', () => {
  it('averages in whole basis points and is 0 with no rows', () => {
    const meter = new BounceRateMeter();
    expect(meter.rate()).toBe(0);
    for (let i = 0; i < 1000; i += 1) meter.add('accepted');
    meter.add('no_domain');
    // (1000 × 100 + 10 000) basis points / 1001 rows = 109.9 → 0.0110.
    expect(meter.rate()).toBe(0.011);
  });
});

describe('scoreBucket', () => {
  it('clamps to 0–100 and sends a non-number to the top', () => {
    expect(scoreBucket(42)).toBe(42);
    expect(scoreBucket(-5)).toBe(0);
    expect(scoreBucket(140)).toBe(100);
    expect(scoreBucket(49.6)).toBe(50);
    expect(scoreBucket(Number.NaN)).toBe(100);
  });
});
