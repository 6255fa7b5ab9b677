import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyRcptReply,
  classifySessionReply,
  requestedDelayMs,
} from '../../src/smtp/classify.ts';
import { ReplyParser } from '../../src/smtp/reply.ts';

const reply = (line: string) => {
  const [parsed] = new ReplyParser().push(`${line}\r\n`);
  if (!parsed) throw new Error('no reply');
  return parsed;
};

describe('classifyRcptReply', () => {
  it.each([
    ['250 2.1.5 Ok', 'accepted'],
    ['251 User not local; will forward', 'accepted'],
    [
      '550 5.1.1 <x@y.z>: Recipient address rejected: User unknown in virtual mailbox table',
      'mailbox_not_found',
    ],
    ['550 5.1.0 Address rejected', 'mailbox_not_found'],
    [
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      'mailbox_not_found',
    ],
    ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', 'mailbox_not_found'],
    ['550 5.2.1 The email account that you tried to reach is disabled.', 'mailbox_disabled'],
    ['552 5.2.2 Mailbox full', 'mailbox_full'],
    ['452 4.2.2 The email account that you tried to reach is over quota.', 'mailbox_full'],
    ['452 Mailbox full', 'mailbox_full'],
    ['550 5.7.1 Service unavailable; client [1.2.3.4] blocked using zen.spamhaus.org', 'blocked'],
    ['554 5.7.1 <x@y.z>: Relay access denied', 'blocked'],
    ['550 5.7.1 User unknown', 'blocked'],
    ['550 No such user here', 'mailbox_not_found'],
    ['550 Requested action not taken: mailbox unavailable', 'mailbox_not_found'],
    ["554 delivery error: dd This user doesn't have a yahoo.com account", 'mailbox_not_found'],
    ['550 Your IP is listed at spamhaus', 'blocked'],
    ["553 sorry, that domain isn't in my list of allowed rcpthosts", 'mailbox_not_found'],
    ['501 5.5.2 Syntax error', 'protocol_error'],
  ])('%s → %s', (line, reason) => {
    const cls = classifyRcptReply(reply(line));
    expect(cls.kind === 'accepted' ? 'accepted' : cls.reason).toBe(reason);
  });

  it.each([
    [
      '450 4.2.0 <x@y.z>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/y.z.html',
      'greylisted',
      false,
    ],
    ['451 4.7.1 Please try again later', 'greylisted', false],
    ['450 4.7.1 Greylisted for 300 seconds', 'greylisted', false],
    ['451 Temporary local problem - please try later', 'greylisted', false],
    ['421 4.7.0 Too many connections, slow down', 'temporary_failure', true],
    ['452 4.5.3 Too many recipients', 'temporary_failure', true],
    ['450 4.7.1 Client host rejected: blocked temporarily', 'blocked', false],
    ['451 4.3.0 Temporary lookup failure', 'greylisted', false],
  ])('%s → retry %s (rate limited %s)', (line, reason, rateLimited) => {
    const cls = classifyRcptReply(reply(line));
    expect(cls).toMatchObject({ kind: 'retry', reason, rateLimited });
  });

  it('never turns 5.7.x or any 4xx into mailbox_not_found, whatever the text', () => {
    const texts = fc.oneof(
      fc.constantFrom('User unknown', 'No such user', 'mailbox unavailable', 'Access denied', ''),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.integer({ min: 0, max: 9 }),
        texts,
        (code, detail, text) => {
          const cls = code >= 500 ? 5 : 4;
          const subject = code >= 500 ? 7 : fc.sample(fc.integer({ min: 0, max: 7 }), 1)[0];
          const cleaned = text.replace(/[\r\n]/g, ' ');
          const parsed = reply(`${code} ${cls}.${subject}.${detail} ${cleaned}`);
          const result = classifyRcptReply(parsed);
          expect(result.kind === 'final' && result.reason === 'mailbox_not_found').toBe(false);
        },
      ),
    );
  });
});

describe('classifySessionReply', () => {
  it('treats a 554 banner as blocked and a 421 as a rate-limited retry', () => {
    expect(classifySessionReply(reply('554 5.7.1 You are not welcome'))).toEqual({
      kind: 'final',
      reason: 'blocked',
    });
    expect(
      classifySessionReply(reply('421 4.7.0 Too many concurrent SMTP connections')),
    ).toMatchObject({
      kind: 'retry',
      rateLimited: true,
    });
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
