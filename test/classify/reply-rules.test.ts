/** The reviewed rules file: validated on load, matched by provider, stage, code and text. */
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/classify/evidence.ts';
import {
  bundledReplyRules,
  matchReplyRule,
  parseReplyRules,
  providerOf,
} from '../../src/classify/reply-rules.ts';
import { wireReply } from './corpus.ts';

const base = (rules: string) => `
providers:
  acme:
    mx: [acme-mail.com, "*.mx.acme.test"]
rules:
${rules}`;

const rule = (extra: string) => `
  - id: provider-acme-gone
    provider: acme
    codes: [550]
    text: 'gone away'
    reason: mailbox_not_found
    about: recipient
    source: https://acme.example/postmaster
${extra}`;

describe('parseReplyRules', () => {
  it('loads the bundled file: every provider the issue names, rules with sources', () => {
    const rules = bundledReplyRules();
    for (const name of [
      'google',
      'microsoft',
      'yahoo',
      'apple',
      'united-internet',
      'yandex',
      'mailru',
      'orange',
      'comcast',
      'zoho',
      'proofpoint',
      'mimecast',
      'barracuda',
    ]) {
      expect(rules.providers.has(name), name).toBe(true);
    }
    expect(rules.rules.length).toBeGreaterThan(30);
    expect(rules.rules.some((r) => r.id.startsWith('mta-postfix'))).toBe(true);
    expect(rules.rules.some((r) => r.id.startsWith('mta-exim'))).toBe(true);
    expect(rules.rules.some((r) => r.id.startsWith('mta-qmail'))).toBe(true);
  });

  it.each([
    ['a duplicate id', rule(rule('')), /id is used twice/],
    [
      'an unknown provider',
      rule('').replace('provider: acme', 'provider: nobody'),
      /not under providers/,
    ],
    [
      'a broken regular expression',
      rule('').replace("'gone away'", "'gone ('"),
      /not a regular expression/,
    ],
    [
      'no matcher',
      rule('').replace("    codes: [550]\n    text: 'gone away'\n", ''),
      /at least one of/,
    ],
    [
      'a retry on a final reason',
      rule('').replace('about: recipient', 'about: recipient\n    retry: deferred'),
      /only an unknown reason/,
    ],
    ['no source', rule('').replace('    source: https://acme.example/postmaster\n', ''), /source/],
    ['an unknown reason', rule('').replace('mailbox_not_found', 'gone'), /reason/],
    ['a misspelt key', rule('').replace('codes:', 'code:'), /code/],
  ])('refuses %s, naming the problem', (_, rules, message) => {
    let error: unknown;
    try {
      parseReplyRules(base(rules), 'test.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'reply_rules_invalid',
      message: expect.stringMatching(message),
    });
  });
});

describe('providerOf', () => {
  it.each([
    ['aspmx.l.google.com', 'google'],
    ['gmail-smtp-in.l.google.com.', 'google'],
    ['contoso-com.mail.protection.outlook.com', 'microsoft'],
    ['mta5.am0.yahoodns.net', 'yahoo'],
    ['mx00.gmx.net', 'united-internet'],
    ['mx-ha03.web.de', 'united-internet'],
    ['mx0a-001b2d01.pphosted.com', 'proofpoint'],
    ['mx.example.org', null],
    [null, null],
  ])('%s → %s', (host, provider) => {
    expect(providerOf(bundledReplyRules(), host)).toBe(provider);
  });

  it('matches host globs as well as provider keys', () => {
    const rules = parseReplyRules(base(rule('')), 'test.yaml');
    expect(providerOf(rules, 'in1.acme-mail.com')).toBe('acme');
    expect(providerOf(rules, 'a.mx.acme.test')).toBe('acme');
    expect(providerOf(rules, 'mx.acme.test')).toBeNull();
  });
});

describe('matchReplyRule', () => {
  const rules = parseReplyRules(
    base(
      `${rule('')}
  - id: mta-any-gone
    text: 'gone away'
    reason: rejected
    about: recipient
    source: github:acme/mta/src/smtpd.c`,
    ),
    'test.yaml',
  );
  const ev = readEvidence(wireReply('550 User has gone away'));

  it('a provider rule holds only at its provider; an MTA rule anywhere', () => {
    expect(matchReplyRule(rules, ev, 'rcpt', 'acme', null)?.rule).toBe('provider-acme-gone');
    expect(matchReplyRule(rules, ev, 'rcpt', 'other', null)?.rule).toBe('mta-any-gone');
    expect(matchReplyRule(rules, ev, 'rcpt', null, null)?.rule).toBe('mta-any-gone');
  });

  it('matches on the reply code', () => {
    const other = readEvidence(wireReply('551 User has gone away'));
    expect(matchReplyRule(rules, other, 'rcpt', 'acme', null)?.rule).toBe('mta-any-gone');
  });
});
