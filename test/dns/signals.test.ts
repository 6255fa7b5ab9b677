/**
 * Domain signals (issue 12): SPF and DMARC parsing (RFC 7208 §4.5, RFC 7489 §6.3–§6.6.3), the
 * TXT lookups through the MX resolver against the sandbox DNS (cached, nulls when DNS fails),
 * and the signals on every result of `verify`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MxResolver } from '../../src/dns/resolver.ts';
import {
  dmarcPolicyOf,
  isSpfRecord,
  lookupDnsSignals,
  organizationalDomain,
  parseDmarcRecord,
  spfFrom,
} from '../../src/dns/signals.ts';
import type { TxtLookup } from '../../src/dns/types.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { queriesDuring } from '../helpers/dns.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

describe('SPF records', () => {
  it('start with exactly v=spf1, then a space or the end', () => {
    expect(isSpfRecord('v=spf1 include:_spf.google.com ~all')).toBe(true);
    expect(isSpfRecord('v=spf1')).toBe(true);
    expect(isSpfRecord('V=SPF1 -all')).toBe(true);
    expect(isSpfRecord('v=spf10 -all')).toBe(false);
    expect(isSpfRecord(' v=spf1 -all')).toBe(false);
    expect(isSpfRecord('spf2.0/pra -all')).toBe(false);
    expect(isSpfRecord('google-site-verification=abc')).toBe(false);
  });

  it('any record followed by a space or nothing after v=spf1 is one; no other is', () => {
    fc.assert(
      fc.property(fc.string(), (rest) => {
        expect(isSpfRecord(`v=spf1 ${rest}`)).toBe(true);
        fc.pre(!/^v=spf1( |$)/i.test(rest));
        expect(isSpfRecord(rest)).toBe(false);
      }),
    );
  });

  it('is known only when the lookup answered', () => {
    expect(spfFrom({ kind: 'ok', records: ['x', 'v=spf1 -all'] })).toBe(true);
    expect(spfFrom({ kind: 'ok', records: ['x'] })).toBe(false);
    expect(spfFrom({ kind: 'none' })).toBe(false);
    expect(spfFrom({ kind: 'temporary', detail: 'SERVFAIL' })).toBeNull();
  });
});

describe('DMARC records', () => {
  it('reads p, sp and rua, tolerating whitespace and case where the RFC does', () => {
    expect(parseDmarcRecord('v=DMARC1; p=reject')).toEqual({
      p: 'reject',
      sp: null,
      spInvalid: false,
      rua: false,
    });
    expect(parseDmarcRecord('v = DMARC1 ;P= Quarantine ; sp=none;rua=mailto:d@x.test;')).toEqual({
      p: 'quarantine',
      sp: 'none',
      spInvalid: false,
      rua: true,
    });
    expect(parseDmarcRecord('V=DMARC1; p=none; sp=maybe')).toMatchObject({
      sp: null,
      spInvalid: true,
    });
    // The version must come first and is spelt exactly (the ABNF gives it in hex).
    expect(parseDmarcRecord('p=reject; v=DMARC1')).toBeNull();
    expect(parseDmarcRecord('v=dmarc1; p=reject')).toBeNull();
    expect(parseDmarcRecord('v=spf1 -all')).toBeNull();
    // The first of a repeated tag counts.
    expect(parseDmarcRecord('v=DMARC1; p=none; p=reject')?.p).toBe('none');
  });

  it('gives the policy of the one record there is (RFC 7489 §6.6.3)', () => {
    expect(dmarcPolicyOf(['v=DMARC1; p=reject'])).toBe('reject');
    expect(dmarcPolicyOf(['something else', 'v=DMARC1; p=quarantine; pct=50'])).toBe('quarantine');
    // None: look at the organizational domain.
    expect(dmarcPolicyOf([])).toBeUndefined();
    expect(dmarcPolicyOf(['v=spf1 -all'])).toBeUndefined();
    // More than one: no policy applies.
    expect(dmarcPolicyOf(['v=DMARC1; p=reject', 'v=DMARC1; p=none'])).toBe('absent');
    // No valid p: none when it asks for reports, else no policy (step 6).
    expect(dmarcPolicyOf(['v=DMARC1; p=bogus; rua=mailto:d@x.test'])).toBe('none');
    expect(dmarcPolicyOf(['v=DMARC1; rua=mailto:d@x.test'])).toBe('none');
    expect(dmarcPolicyOf(['v=DMARC1; p=bogus'])).toBe('absent');
    // A subdomain takes sp from its organizational domain's record, else p.
    expect(dmarcPolicyOf(['v=DMARC1; p=reject; sp=quarantine'], true)).toBe('quarantine');
    expect(dmarcPolicyOf(['v=DMARC1; p=reject; sp=quarantine'])).toBe('reject');
    expect(dmarcPolicyOf(['v=DMARC1; p=reject'], true)).toBe('reject');
  });

  it('always answers one of the policies, whatever the records say', () => {
    const tag = fc.oneof(
      fc.constantFrom('p', 'sp', 'rua', 'pct', 'adkim', 'P', 'SP'),
      fc.string({ maxLength: 5 }),
    );
    const value = fc.oneof(
      fc.constantFrom('none', 'quarantine', 'reject', 'REJECT', 'mailto:a@b', ''),
      fc.string({ maxLength: 8 }),
    );
    const record = fc
      .array(fc.tuple(tag, value), { maxLength: 6 })
      .map((tags) => ['v=DMARC1', ...tags.map(([t, v]) => `${t}=${v}`)].join('; '));
    const txt = fc.oneof(record, fc.string());
    fc.assert(
      fc.property(fc.array(txt, { maxLength: 4 }), fc.boolean(), (records, sub) => {
        const policy = dmarcPolicyOf(records, sub);
        const dmarc = records.filter((r) => parseDmarcRecord(r) !== null);
        if (dmarc.length === 0) expect(policy).toBeUndefined();
        else expect(['none', 'quarantine', 'reject', 'absent']).toContain(policy);
        if (dmarc.length > 1) expect(policy).toBe('absent');
      }),
    );
  });

  it('names the organizational domain of a subdomain only', () => {
    expect(organizationalDomain('mail.example.co.uk')).toBe('example.co.uk');
    expect(organizationalDomain('example.co.uk')).toBeNull();
    expect(organizationalDomain('a.b.corp.test')).toBe('corp.test');
  });

  it('falls back to the organizational domain, and gives nulls when DNS fails', async () => {
    const zone = (answers: Record<string, TxtLookup>) => async (name: string) =>
      answers[name] ?? ({ kind: 'none' } as const);
    const org: Record<string, TxtLookup> = {
      '_dmarc.corp.test': { kind: 'ok', records: ['v=DMARC1; p=reject; sp=none'] },
    };
    expect(await lookupDnsSignals('mail.corp.test', zone(org))).toEqual({
      spf: false,
      dmarc: 'none',
    });
    expect(await lookupDnsSignals('corp.test', zone(org))).toEqual({ spf: false, dmarc: 'reject' });
    const failing = { kind: 'temporary', detail: 'SERVFAIL' } as const;
    expect(
      await lookupDnsSignals('mail.corp.test', zone({ ...org, 'mail.corp.test': failing })),
    ).toEqual({ spf: null, dmarc: null });
    expect(await lookupDnsSignals('mail.corp.test', zone({ '_dmarc.corp.test': failing }))).toEqual(
      { spf: false, dmarc: null },
    );
    expect(
      await lookupDnsSignals('mail.corp.test', zone({ '_dmarc.mail.corp.test': failing })),
    ).toEqual({ spf: false, dmarc: null });
  });
});

describe('signals looked up in the sandbox', () => {
  let world: SandboxWorld;
  let resolver: MxResolver;

  beforeAll(async () => {
    world = await startWorld({
      domains: {
        'signed.test': {
          mx: [{ host: 'aspmx.l.google.com' }],
          mailboxes: ['ann'],
          txt: ['google-site-verification=abc', 'v=spf1 ip4:127.0.0.0/8 -all'],
        },
        'bare.test': { mx: [{ host: 'mx.bare.test' }], mailboxes: ['bob'] },
        'broken.test': { mx: [{ host: 'mx.bare.test' }], servfail: true },
        'corp.test': { mx: [{ host: 'mx.corp.test' }], mailboxes: ['cy'] },
        'eu.corp.test': {
          mx: [{ host: 'mx.corp.test' }],
          mailboxes: ['dee'],
          txt: ['v=spf1 include:corp.test -all'],
        },
      },
      records: [
        { name: '_dmarc.signed.test', type: 'TXT', value: 'v=DMARC1; p=reject' },
        {
          name: '_dmarc.corp.test',
          type: 'TXT',
          value: 'v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@corp.test',
        },
      ],
    });
    const servers = world.env.DNS_SERVERS?.split(',') ?? [];
    resolver = new MxResolver({ servers, timeoutMs: 500 });
  });

  afterAll(() => world?.close());

  const signals = (domain: string) => lookupDnsSignals(domain, (name) => resolver.resolveTxt(name));

  it('finds SPF and a DMARC reject policy', async () => {
    expect(await signals('signed.test')).toEqual({ spf: true, dmarc: 'reject' });
  });

  it('finds neither on a domain that publishes none', async () => {
    expect(await signals('bare.test')).toEqual({ spf: false, dmarc: 'absent' });
  });

  it('gives nulls for a domain whose DNS fails (SERVFAIL)', async () => {
    expect(await resolver.resolveTxt('broken.test')).toMatchObject({ kind: 'temporary' });
    expect(await signals('broken.test')).toEqual({ spf: null, dmarc: null });
  });

  it('takes a subdomain’s DMARC policy from its organizational domain', async () => {
    expect(await signals('eu.corp.test')).toEqual({ spf: true, dmarc: 'quarantine' });
  });

  it('asks each name once while its answer is cached, and never caches a failure', async () => {
    await signals('signed.test');
    const again = await queriesDuring(world.dns, () => signals('signed.test'));
    expect(again).toEqual([]);
    const failing = await queriesDuring(world.dns, () => resolver.resolveTxt('broken.test'));
    expect(failing.filter((q) => q === 'TXT broken.test').length).toBeGreaterThan(0);
  });

  it('puts the signals on every result of verify, whatever the verdict', async () => {
    const ctx = await contextFor(world);
    const results = await verifyIn(ctx, [
      'ann@signed.test',
      'nobody@signed.test',
      'bob@bare.test',
      'x@broken.test',
      'dee@eu.corp.test',
      'x@nowhere.test',
    ]);
    const pick = (email: string) => {
      const r = results.get(email);
      return [r?.status, r?.mx_provider, r?.spf, r?.dmarc];
    };
    expect(pick('ann@signed.test')).toEqual(['deliverable', 'google', true, 'reject']);
    expect(pick('nobody@signed.test')).toEqual(['undeliverable', 'google', true, 'reject']);
    expect(pick('bob@bare.test')).toEqual(['deliverable', 'bare.test', false, 'absent']);
    expect(pick('x@broken.test')).toEqual(['unknown', null, null, null]);
    expect(pick('dee@eu.corp.test')).toEqual(['deliverable', 'corp.test', true, 'quarantine']);
    expect(pick('x@nowhere.test')).toEqual(['undeliverable', null, false, 'absent']);
  });
});
