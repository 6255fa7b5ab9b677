/** The compact verdict encoding round-trips, stays small, and reads bad input as a miss. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailProvider } from '../../src/dns/provider.ts';
import {
  type CachedVerdict,
  DETAIL_MAX_CHARS,
  decodeVerdict,
  encodeVerdict,
} from '../../src/redis/index.ts';
import { REASONS } from '../../src/verdict/types.ts';

const verdict = fc.record<CachedVerdict>({
  reason: fc.constantFrom(...REASONS),
  checkedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms)),
  catchAll: fc.boolean(),
  mxHost: fc.option(fc.domain(), { nil: null }),
  smtpCode: fc.option(fc.integer({ min: 200, max: 599 }), { nil: null }),
  smtpEnhancedCode: fc.option(fc.stringMatching(/^[245]\.\d{1,3}\.\d{1,3}$/), { nil: null }),
  detail: fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: null }),
  rule: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/), { nil: null }),
  // Derived from mxHost on reading (below), never stored.
  mxProvider: fc.constant(null),
  spf: fc.option(fc.boolean(), { nil: null }),
  dmarc: fc.option(fc.constantFrom('none', 'quarantine', 'reject', 'absent' as const), {
    nil: null,
  }),
  egress: fc.option(fc.constantFrom('192.0.2.10', 'eu1'), { nil: null }),
  trace: fc.option(fc.stringMatching(/^[a-z0-9-]{1,40}$/), { nil: null }),
});

/** What a verdict decodes with when it was stored without the domain signals, egress, trace. */
const NO_EXTRAS = { spf: null, dmarc: null, egress: null, trace: null };

describe('compact verdict encoding', () => {
  it('round-trips every verdict, detail cut to DETAIL_MAX_CHARS', () => {
    fc.assert(
      fc.property(verdict, (generated) => {
        const v = { ...generated, mxProvider: mailProvider(generated.mxHost) };
        const decoded = decodeVerdict(encodeVerdict(v));
        expect(decoded).toBeDefined();
        const { detail, ...rest } = decoded as CachedVerdict;
        const { detail: original, ...expected } = v;
        expect(rest).toEqual(expected);
        if (original === null || original.length <= DETAIL_MAX_CHARS) {
          expect(detail).toBe(original);
        } else {
          expect(detail?.length).toBeLessThanOrEqual(DETAIL_MAX_CHARS);
          expect(detail?.endsWith('…')).toBe(true);
          expect(original.startsWith(detail?.slice(0, -1) ?? '?')).toBe(true);
          // Never half a surrogate pair.
          expect(detail).toBe(Buffer.from(detail ?? '', 'utf8').toString('utf8'));
        }
      }),
    );
  });

  it('is a few tens of bytes for a typical verdict', () => {
    const text = encodeVerdict({
      reason: 'accepted',
      checkedAt: new Date('2025-01-01T00:00:00Z'),
      catchAll: false,
      mxHost: 'aspmx.l.google.com',
      smtpCode: 250,
      smtpEnhancedCode: '2.1.5',
      detail: null,
      rule: 'accepted',
    });
    expect(text).toBe(
      '["accepted",1735689600000,0,"aspmx.l.google.com",250,"2.1.5",null,"accepted"]',
    );
    const noMx = encodeVerdict({
      reason: 'invalid_syntax',
      checkedAt: new Date(0),
      catchAll: false,
      mxHost: null,
      smtpCode: null,
      smtpEnhancedCode: null,
      detail: null,
      rule: null,
    });
    expect(noMx).toBe('["invalid_syntax",0,0]');
  });

  it('reads entries written before verdicts named their rule, with no rule', () => {
    expect(decodeVerdict('["accepted",1735689600000,0,"mx.example.test",250,"2.1.5"]')).toEqual({
      reason: 'accepted',
      checkedAt: new Date(1_735_689_600_000),
      catchAll: false,
      mxHost: 'mx.example.test',
      smtpCode: 250,
      smtpEnhancedCode: '2.1.5',
      detail: null,
      rule: null,
      mxProvider: 'example.test',
      ...NO_EXTRAS,
    });
  });

  it('keeps the domain signals, the egress and the transcript name', () => {
    const full: CachedVerdict = {
      reason: 'accepted',
      checkedAt: new Date('2025-01-01T00:00:00Z'),
      catchAll: false,
      mxHost: 'aspmx.l.google.com',
      smtpCode: 250,
      smtpEnhancedCode: '2.1.5',
      detail: null,
      rule: 'accepted',
      mxProvider: 'google',
      spf: false,
      dmarc: 'reject',
      egress: 'eu1',
      trace: 'l1-initial-3',
    };
    expect(encodeVerdict(full)).toBe(
      '["accepted",1735689600000,0,"aspmx.l.google.com",250,"2.1.5",null,"accepted","0r","eu1","l1-initial-3"]',
    );
    expect(decodeVerdict(encodeVerdict(full))).toEqual(full);
    // Signals that are not two known characters: a miss, like any other garbage.
    for (const signals of ['"1x"', '"2r"', '"1"', '"1rq"', '1']) {
      expect(decodeVerdict(`["accepted",1,0,null,null,null,null,null,${signals}]`)).toBeUndefined();
    }
  });

  it('reads anything else as a miss', () => {
    for (const text of [
      '',
      'nope',
      '{}',
      '[]',
      '["no_such_reason",0,0]',
      '["__proto__",0,0]',
      '["accepted","0",0]',
      '["accepted",0,2]',
      '["accepted",0,0,5]',
      '["accepted",0,0,null,2.5]',
    ]) {
      expect(decodeVerdict(text), text).toBeUndefined();
    }
  });
});
