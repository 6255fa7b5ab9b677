/**
 * The evidence rules of DESIGN §2.8, one shape at a time (the reply corpus covers the breadth):
 * whom a reply is about decides before what it says, and `undeliverable` needs evidence about
 * the recipient.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyReply, requestedDelayMs } from '../../src/classify/classify-reply.ts';
import type { ReplyStage } from '../../src/classify/types.ts';
import { REASON_STATUS } from '../../src/verdict/types.ts';
import { wireReply } from './corpus.ts';

const rcpt = (line: string, mxHost = 'mx.example.org') =>
  classifyReply(wireReply(line), { stage: 'rcpt', mxHost });

describe('classifyReply at RCPT', () => {
  it.each([
    ['250 2.1.5 Ok', 'accepted', 'accepted'],
    ['251 User not local; will forward', 'accepted', 'accepted'],
    [
      '550 5.1.1 <x@y.z>: Recipient address rejected: User unknown in virtual mailbox table',
      'mailbox_not_found',
      'enhanced-5.1.1',
    ],
    [
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      'mailbox_not_found',
      'mta-exchange-recipient-not-found',
    ],
    ['550 5.1.10 <x@y.z>: recipient not found', 'mailbox_not_found', 'enhanced-5.1.10'],
    ['550 5.1.6 recipient no longer on server', 'mailbox_not_found', 'enhanced-5.1.6'],
    ['550 5.1.1 <x@y.z>... User unknown', 'mailbox_not_found', 'enhanced-5.1.1'],
    ['550 No such user here', 'mailbox_not_found', 'text-user-unknown'],
    ['550 Benutzer unbekannt', 'mailbox_not_found', 'text-user-unknown'],
    [
      '550 5.2.1 The email account that you tried to reach is disabled.',
      'mailbox_disabled',
      'enhanced-5.2.1',
    ],
    ['550 5.7.13 User account disabled', 'mailbox_disabled', 'enhanced-5.7.13'],
    ['552 5.2.2 Mailbox full', 'mailbox_full', 'enhanced-5.2.2'],
    [
      '452 4.2.2 The email account that you tried to reach is over quota.',
      'mailbox_full',
      'enhanced-4.2.2',
    ],
    ['522 5.2.0 Delivery failed: Over quota', 'mailbox_full', 'text-mailbox-full'],
    ['550 Requested action not taken: mailbox unavailable', 'rejected', 'bare-5xx'],
    ['550 5.1.0 Address rejected', 'rejected', 'unclear-5xx'],
    ['501 5.5.2 Syntax error', 'protocol_error', 'protocol-5.5'],
  ])('%s → %s (%s)', (line, reason, rule) => {
    expect(rcpt(line)).toMatchObject({ reason, rule, retry: null });
  });

  it.each([
    // About the sender, whatever the code says.
    ['550 5.1.0 <verify@example.net> sender rejected: domain not found', 'sender-rejected', true],
    ['501 5.1.8 Sender address rejected: Domain not found', 'sender-rejected', true],
    // Our client: a blocklist entry repeats at every server of the provider.
    [
      '550 5.7.1 Service unavailable; client [203.0.113.9] blocked using zen.spamhaus.org',
      'client-blocked',
      true,
    ],
    ['550 5.7.1 Recipient rejected by policy', 'policy-5.7', false],
    ['554 5.7.1 <x@y.z>: Relay access denied', 'policy-5.7', false],
  ])('%s → unknown/blocked by %s (breaker %s)', (line, rule, breaker) => {
    expect(rcpt(line)).toMatchObject({ reason: 'blocked', rule, breaker });
  });

  it('reads a 5.1.1 used for a volume limit as the limit, and asks again later, slower', () => {
    const cls = rcpt('550 5.1.1 <x@y.z> - 203.0.113.9 has sent to too many recipients this hour');
    expect(cls).toMatchObject({
      reason: 'blocked',
      rule: 'rate-limit-5xx',
      slowDown: true,
      retry: { kind: 'deferred' },
    });
  });

  it('reads Gmail 5.2.1 "receiving mail at a rate" as a recipient rate limit, not disabled', () => {
    const cls = rcpt(
      '550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.',
    );
    expect(cls).toMatchObject({ reason: 'temporary_failure', rule: 'recipient-rate-limit' });
    expect(cls.slowDown).toBe(false);
  });

  it('Postfix "Recipient address rejected:" is not "user unknown" by itself', () => {
    expect(rcpt('550 5.7.1 <x@y.z>: Recipient address rejected: Access denied').reason).toBe(
      'blocked',
    );
    expect(rcpt('550 <x@y.z>: Recipient address rejected: On hold').reason).toBe('rejected');
    expect(rcpt('550 too many invalid recipients')).toMatchObject({
      reason: 'temporary_failure',
      rule: 'session-error-limit',
    });
  });

  it('552 is not always full; 4.5.3 and 552 too many recipients are about our batch', () => {
    expect(rcpt('552 Too many recipients')).toMatchObject({
      reason: 'temporary_failure',
      rule: 'too-many-recipients',
      retry: { kind: 'transient' },
    });
    expect(rcpt('452 4.5.3 Too many recipients').rule).toBe('too-many-recipients');
  });

  it('5.4.1 means "no such user" only at Microsoft', () => {
    const dbeb = '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)';
    expect(rcpt(dbeb, 'contoso-com.mail.protection.outlook.com')).toMatchObject({
      reason: 'mailbox_not_found',
      rule: 'provider-microsoft-dbeb',
    });
    expect(rcpt(dbeb, 'mx.example.org').reason).not.toBe('mailbox_not_found');
    expect(rcpt('541 5.4.1 Mail rejected by destination domain', 'mx.zoho.com').reason).toBe(
      'blocked',
    );
  });

  it('greylisting, rate limits and a busy server ask again, each paced its own way', () => {
    expect(
      rcpt(
        '450 4.2.0 <x@y.z>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/y.z.html',
      ),
    ).toMatchObject({ reason: 'greylisted', retry: { kind: 'greylist' }, slowDown: false });
    expect(rcpt('451 4.7.1 Please try again later')).toMatchObject({
      reason: 'greylisted',
      retry: { kind: 'greylist' },
    });
    expect(
      rcpt('450 4.2.1 The user you are trying to contact is receiving mail too quickly'),
    ).toMatchObject({
      reason: 'temporary_failure',
      rule: 'recipient-rate-limit',
      retry: { kind: 'deferred' },
    });
    expect(rcpt('421 4.7.0 Too many connections, slow down')).toMatchObject({
      reason: 'temporary_failure',
      slowDown: true,
      retry: { kind: 'deferred' },
    });
    expect(rcpt('421 4.7.0 mx.y.z Service not available, try again later')).toMatchObject({
      rule: 'closing-421',
      slowDown: true,
    });
    expect(rcpt('452 4.3.1 Insufficient system storage')).toMatchObject({
      reason: 'temporary_failure',
      rule: 'server-trouble-4xx',
    });
  });

  it('a temporary blocklist defer opens the breaker; a temporary sender check does not', () => {
    expect(
      rcpt('450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.9]'),
    ).toMatchObject({ reason: 'blocked', breaker: true, retry: { kind: 'deferred' } });
    expect(
      rcpt('450 4.1.8 <verify@example.net>: Sender address rejected: Domain not found'),
    ).toMatchObject({ reason: 'blocked', breaker: false, retry: { kind: 'deferred' } });
  });

  it('a provider that accepts every recipient is never deliverable', () => {
    expect(rcpt('250 ok', 'mta5.am0.yahoodns.net')).toMatchObject({
      reason: 'catch_all',
      rule: 'provider-yahoo-accepts-all',
    });
  });

  it('reads a qmail (#5.7.1) trailer as the enhanced code', () => {
    expect(rcpt('553 sorry, no mailbox here by that name (#5.7.1)')).toMatchObject({
      reason: 'rejected',
      rule: 'contradicting-5.7',
    });
    expect(rcpt('550 sorry, no mailbox here by that name. (#5.1.1)').reason).toBe(
      'mailbox_not_found',
    );
  });

  it('an address in the reply is never read as wording', () => {
    expect(rcpt('550 5.7.1 <user.unknown@example.com> blocked').reason).toBe('blocked');
    expect(rcpt('550 <no.such.user@example.com>').reason).toBe('rejected');
  });

  it('never turns 5.7.x (but 5.7.13) or any 4xx into undeliverable, whatever the text', () => {
    const texts = fc.oneof(
      fc.constantFrom(
        'User unknown',
        'No such user',
        'mailbox unavailable',
        'Access denied',
        'account disabled',
        'Recipient address rejected: User unknown in local recipient table',
        '',
      ),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 99 }),
        texts,
        fc.constantFrom('mx.example.org', 'aspmx.l.google.com', 'x.mail.protection.outlook.com'),
        (code, subject4xx, detail, text, mxHost) => {
          const permanent = code >= 500;
          const subject = permanent ? 7 : subject4xx;
          if (permanent && detail === 13) return;
          const cleaned = text.replace(/[\r\n]/g, ' ');
          const line = `${code} ${permanent ? 5 : 4}.${subject}.${detail} ${cleaned}`;
          const cls = classifyReply(wireReply(line), { stage: 'rcpt', mxHost });
          expect(REASON_STATUS[cls.reason], line).not.toBe('undeliverable');
        },
      ),
    );
  });

  it('gives every reply a reason and a rule, and never throws', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 599 }),
        fc.string({ maxLength: 200 }),
        fc.constantFrom<ReplyStage>('banner', 'helo', 'mail', 'rcpt'),
        (code, text, stage) => {
          const line = `${code} ${text.replace(/[\r\n]/g, ' ')}`;
          const cls = classifyReply(wireReply(line), { stage, mxHost: 'mx.example.org' });
          expect(Object.hasOwn(REASON_STATUS, cls.reason)).toBe(true);
          expect(cls.rule).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
        },
      ),
    );
  });
});

describe('classifyReply before RCPT', () => {
  it('a 554 banner is blocked and opens the breaker; a 421 asks again, slower', () => {
    const banner = (line: string) => classifyReply(wireReply(line), { stage: 'banner' });
    expect(banner('554 5.7.1 You are not welcome')).toMatchObject({
      reason: 'blocked',
      rule: 'banner-refused',
      breaker: true,
    });
    expect(banner('421 4.7.0 Too many concurrent SMTP connections')).toMatchObject({
      reason: 'temporary_failure',
      slowDown: true,
      retry: { kind: 'deferred' },
    });
  });

  it('a MAIL FROM refusal is about our sender; a syntax complaint is a protocol error', () => {
    const mail = (line: string) => classifyReply(wireReply(line), { stage: 'mail' });
    expect(mail('553 5.1.8 Domain of sender address does not exist')).toMatchObject({
      reason: 'blocked',
      about: 'sender',
      breaker: true,
    });
    expect(mail('501 5.5.4 Syntax: MAIL FROM:<address>').reason).toBe('protocol_error');
  });

  it('names our own MAIL FROM when the reply quotes it', () => {
    const cls = classifyReply(wireReply('550 5.1.1 <verify@example.net>: User unknown'), {
      stage: 'rcpt',
      mailFrom: 'verify@example.net',
      recipient: 'alice@example.com',
    });
    expect(cls).toMatchObject({ reason: 'blocked', about: 'sender' });
  });
});

describe('requestedDelayMs', () => {
  it.each([
    ['Greylisted for 300 seconds', 300_000],
    ['try again in 5 minutes', 300_000],
    ['please retry after 2 min', 120_000],
    ['Greylisted, see http://postgrey', null],
  ])('%s → %s', (text, ms) => {
    expect(requestedDelayMs(text)).toBe(ms);
  });
});
