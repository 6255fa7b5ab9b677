/** Progress as people read it: what waits, for what, until when, and an honest ETA. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWaiting, duration } from '../../src/cli/progress-line.ts';
import { estimateFinish, type ListProgress } from '../../src/pipeline/progress.ts';
import { summariseWaiting, type WaitEntry } from '../../src/pipeline/waiting.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const MIN = 60_000;

function progress(over: Partial<ListProgress> = {}): ListProgress {
  return {
    rows: 100,
    unique: 100,
    verified: 60,
    pending: 40,
    greylisted: 0,
    waiting: summariseWaiting([]),
    deadlineAt: null,
    ...over,
  };
}

describe('summariseWaiting', () => {
  it('adds up addresses by reason and names the biggest domains', () => {
    const entries: WaitEntry[] = [
      { domain: 'a.test', addresses: 10, reason: 'greylisted', until: NOW + 5 * MIN },
      { domain: 'b.test', addresses: 3, reason: 'throttled', until: NOW + MIN },
      { domain: 'a.test', addresses: 4, reason: 'retrying', until: NOW + 15 * MIN },
    ];
    expect(summariseWaiting(entries)).toEqual({
      addresses: { greylisted: 10, throttled: 3, retrying: 4, deferred: 0 },
      until: NOW + 15 * MIN,
      domains: [
        { domain: 'a.test', addresses: 14, reason: 'greylisted', until: NOW + 15 * MIN },
        { domain: 'b.test', addresses: 3, reason: 'throttled', until: NOW + MIN },
      ],
    });
  });

  it('never loses an address and keeps at most five domains', () => {
    const entry = fc.record({
      domain: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      addresses: fc.integer({ min: 1, max: 50 }),
      reason: fc.constantFrom('greylisted', 'throttled', 'retrying', 'deferred' as const),
      until: fc.integer({ min: NOW, max: NOW + 600 * MIN }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const summary = summariseWaiting(entries as WaitEntry[]);
        const total = Object.values(summary.addresses).reduce((a, b) => a + b, 0);
        expect(total).toBe(entries.reduce((a, e) => a + e.addresses, 0));
        expect(summary.domains.length).toBeLessThanOrEqual(5);
        expect(summary.until).toBe(
          entries.length ? Math.max(...entries.map((e) => e.until)) : null,
        );
      }),
    );
  });
});

describe('estimateFinish', () => {
  it('is never after the deadline, however slow the list looks', () => {
    const p = progress({ deadlineAt: NOW + 45 * MIN });
    // One address a minute for 40 addresses would be 40 minutes; a crawl would be days.
    expect(estimateFinish(p, 1 / (24 * 60 * MIN), NOW)).toBe(NOW + 45 * MIN);
  });

  it('when everything left waits, is when the last wait ends', () => {
    const waiting = summariseWaiting([
      { domain: 'g.test', addresses: 40, reason: 'greylisted', until: NOW + 15 * MIN },
    ]);
    expect(estimateFinish(progress({ waiting }), null, NOW)).toBe(NOW + 15 * MIN);
    // Nothing verified in the last minute changes nothing about that.
    expect(estimateFinish(progress({ waiting }), 0, NOW)).toBe(NOW + 15 * MIN);
  });

  it('otherwise goes by the rate, and no earlier than the last wait', () => {
    const waiting = summariseWaiting([
      { domain: 'g.test', addresses: 10, reason: 'greylisted', until: NOW + 30 * MIN },
    ]);
    // 30 active addresses at 1 per second: 30 s, but the greylisted ten wait 30 minutes.
    expect(estimateFinish(progress({ waiting }), 1 / 1000, NOW)).toBe(NOW + 30 * MIN);
    expect(estimateFinish(progress(), 1 / 1000, NOW)).toBe(NOW + 40_000);
  });

  it('cannot tell with no rate and nothing waiting', () => {
    expect(estimateFinish(progress(), null, NOW)).toBeNull();
  });
});

describe('the progress line', () => {
  it('says what waits, why, where and until when, and the deadline', () => {
    const waiting = summariseWaiting([
      { domain: 'grey.test', addresses: 27, reason: 'greylisted', until: NOW + 5 * MIN },
      { domain: 'big.test', addresses: 3, reason: 'throttled', until: NOW + MIN },
    ]);
    expect(describeWaiting(progress({ waiting, deadlineAt: NOW + 90 * MIN }))).toBe(
      "27 wait for greylisting retries, 3 for a provider's turn (most at grey.test) until 12:05 UTC; deadline 13:30 UTC",
    );
    expect(describeWaiting(progress())).toBe('');
  });

  it('writes durations people read at a glance', () => {
    expect(duration(42_000)).toBe('42s');
    expect(duration(185_000)).toBe('3m05s');
    expect(duration(130 * MIN)).toBe('2h10m');
    expect(duration(-5)).toBe('0s');
  });
});
