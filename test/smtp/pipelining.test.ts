/**
 * PIPELINING (RFC 2920), over real sockets against the sandbox: MAIL FROM goes with the first
 * window of RCPTs and QUIT with the last; the reject budget holds even when every RCPT of a window
 * fails; every reply pairs with its own RCPT; and a server that advertises PIPELINING and then
 * breaks it — refusing pipelined commands, closing the connection, answering out of step — costs
 * a session in lockstep, never a wrong verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import type { PipeliningLie } from '../../src/sandbox/scenario/scenario.ts';
import { runSession, type SessionOptions, type SmtpTarget } from '../../src/smtp/session.ts';
import { collectingRecorder } from '../../src/smtp/transcript.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

const LIES: PipeliningLie[] = ['rejects', 'closes', 'out-of-step'];
const people = Array.from({ length: 12 }, (_, i) => `user${i}`);
const ghosts = Array.from({ length: 5 }, (_, i) => `ghost${i}`);
/** Each mailbox answers with a reply of its own, so a reply paired with another RCPT shows. */
const ownReplies = Object.fromEntries(
  Array.from({ length: 16 }, (_, i) => [
    `own${i}`,
    i % 3 === 0
      ? `550 5.1.1 <own${i}@paired.test>: Recipient address rejected: no mailbox ${i}`
      : `250 2.1.5 Ok, mailbox ${i}`,
  ]),
);

const scenario: Scenario = {
  latencyModel: 'round-trip',
  latencyMs: 5,
  domains: {
    'honest.test': { mx: [{ host: 'mx.honest.test' }], mailboxes: people },
    'nobody.test': { mx: [{ host: 'mx.nobody.test' }], mailboxes: [] },
    'paired.test': { mx: [{ host: 'mx.paired.test' }], replies: ownReplies },
    // Hangs up at the first RCPT, pipelined or not: it looks like a server that cannot pipeline.
    'dropper.test': { mx: [{ host: 'mx.dropper.test' }], mailboxes: people },
    ...Object.fromEntries(
      LIES.map((lie) => [`${lie}.test`, { mx: [{ host: `mx.${lie}.test` }], mailboxes: people }]),
    ),
  },
  hosts: {
    // Postfix's error throttling: slow after 10 errors, hang up after 20.
    'mx.nobody.test': { errorLimits: { soft: 10, hard: 20, sleepMs: 1000 } },
    'mx.dropper.test': { behavior: 'drop-mid-session' },
    ...Object.fromEntries(LIES.map((lie) => [`mx.${lie}.test`, { pipelining: lie }])),
  },
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world?.close());

function options(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    port: world.smtpPort,
    heloName: 'probe.listclean.test',
    mailFrom: 'probe@listclean.test',
    timeouts: { connectMs: 2000, bannerMs: 2000, commandMs: 2000, quitMs: 2000 },
    pipelining: true,
    starttls: false,
    maxRcptsPerSession: 50,
    maxRejectsPerSession: 8,
    ...extra,
  };
}

function target(host: string): SmtpTarget {
  return { host, ip: world.hostIp(host) };
}

/** Rejected RCPT lines per session, from the host's command log (a session starts at EHLO). */
function rcptsPerSession(commands: string[], rejected: RegExp): number[] {
  const counts: number[] = [];
  for (const command of commands) {
    if (/^(EHLO|HELO) /.test(command)) counts.push(0);
    else if (rejected.test(command)) counts.push((counts.pop() ?? 0) + 1);
  }
  return counts;
}

/** The transcript's event lines, without their times. */
function events(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^ *\+\d+ms /, ''));
}

describe('a pipelined session', () => {
  it('sends MAIL FROM with the first window and QUIT with the last, before their replies', async () => {
    const { recorder, finished } = collectingRecorder((n) => `p-${n}`);
    const addresses = ['user1@honest.test', 'user2@honest.test', 'nope@honest.test'];
    const result = await runSession(
      target('mx.honest.test'),
      addresses,
      options({ trace: recorder }),
    );
    expect(result.pipeliningFailed).toBe(false);
    expect(result.failure).toBeNull();
    expect([...result.replies].map(([a, r]) => [a, r.code])).toEqual([
      ['user1@honest.test', 250],
      ['user2@honest.test', 250],
      ['nope@honest.test', 550],
    ]);
    const lines = events(finished[0]?.text() ?? '');
    const mail = lines.indexOf('C: MAIL FROM:<probe@listclean.test>');
    const firstReply = lines.findIndex((line, i) => i > mail && line.startsWith('S: '));
    // One group: MAIL, the three RCPTs and QUIT all left before the first reply came back.
    expect(lines.slice(mail, firstReply)).toEqual([
      'C: MAIL FROM:<probe@listclean.test>',
      ...addresses.map((a) => `C: RCPT TO:<${a}>`),
      'C: QUIT',
    ]);
    expect(lines.slice(firstReply, firstReply + 5).map((l) => l.slice(0, 7))).toEqual([
      'S: 250 ',
      'S: 250 ',
      'S: 250 ',
      'S: 550 ',
      'S: 221 ',
    ]);
    // QUIT went once.
    expect(lines.filter((line) => line === 'C: QUIT')).toHaveLength(1);
  });

  it('keeps within the reject budget when every RCPT of every window fails', async () => {
    world.resetStats();
    const addresses = Array.from({ length: 20 }, (_, i) => `n${i}@nobody.test`);
    const result = await runSession(
      target('mx.nobody.test'),
      addresses,
      options({ maxRejectsPerSession: 5 }),
    );
    expect(result.replies.size).toBe(5);
    expect([...result.replies.values()].every((r) => r.code === 550)).toBe(true);
    expect(result.stoppedForPoliteness).toBe(true);
    expect(result.unanswered).toEqual(addresses.slice(5));
    const stats = world.stats('mx.nobody.test');
    // Not one RCPT more than the budget left us, and no error reply beyond it.
    expect(stats.rcpts).toBe(5);
    expect(stats.maxSessionErrors).toBe(5);
  });

  it('verifies a batch of unknown mailboxes in sessions that never pass the budget', async () => {
    world.resetStats();
    const emails = Array.from({ length: 30 }, (_, i) => `n${i}@nobody.test`);
    const ctx = await contextFor(world, {
      SMTP_PIPELINING: '1',
      SMTP_MAX_REJECTS_PER_SESSION: '8',
    });
    const results = await verifyIn(ctx, emails);
    for (const email of emails) expect(results.get(email)?.reason).toBe('mailbox_not_found');
    const stats = world.stats('mx.nobody.test');
    // 30 addresses and the catch-all probe, all rejected, 8 a session: 4 sessions.
    expect(stats.sessions).toBe(4);
    expect(stats.rcpts).toBe(31);
    const perSession = rcptsPerSession(stats.commands, /^RCPT TO:</);
    expect(perSession).toHaveLength(4);
    expect(perSession.every((n) => n <= 8)).toBe(true);
    expect(stats.maxSessionErrors).toBeLessThanOrEqual(8);
  });

  it('pairs every reply with its own RCPT across windows', async () => {
    const addresses = Object.keys(ownReplies).map((local) => `${local}@paired.test`);
    // A budget of 3 splits the batch into windows of 3, 2, 1 … as rejections come.
    const result = await runSession(
      target('mx.paired.test'),
      addresses,
      options({ maxRejectsPerSession: 3 }),
    );
    expect(result.pipeliningFailed).toBe(false);
    expect(result.replies.size).toBeGreaterThan(5);
    for (const [address, reply] of result.replies) {
      const local = address.slice(0, address.indexOf('@'));
      const i = local.slice('own'.length);
      expect(reply.text).toContain(`mailbox ${i}`);
      expect(reply.code).toBe(Number(ownReplies[local]?.slice(0, 3)));
    }
    // Answered in order, and the session stopped exactly at its third rejection.
    expect([...result.replies.keys()]).toEqual(addresses.slice(0, result.replies.size));
    expect([...result.replies.values()].filter((r) => r.code === 550)).toHaveLength(3);
  });
});

describe('a server that advertises PIPELINING and breaks it', () => {
  it.each(LIES)('%s: the session says so and keeps no answer it cannot pair', async (lie) => {
    world.resetStats();
    const addresses = ['user1@x.test', 'ghost1@x.test', 'user2@x.test'].map((a) =>
      a.replace('x.test', `${lie}.test`),
    );
    const result = await runSession(target(`mx.${lie}.test`), addresses, options());
    expect(result.pipeliningFailed).toBe(true);
    // Whatever it kept is the right answer for its address.
    for (const [address, reply] of result.replies) {
      expect(reply.code).toBe(address.startsWith('ghost') ? 550 : 250);
    }
    expect(result.unanswered).toEqual(addresses.filter((a) => !result.replies.has(a)));
    expect(result.unanswered.length).toBeGreaterThan(0);
  });

  it.each(LIES)(
    '%s: verdicts as right as an honest server’s, in lockstep after one session',
    async (lie) => {
      world.resetStats();
      const emails = [...people, ...ghosts].map((local) => `${local}@${lie}.test`);
      const ctx = await contextFor(world, {
        SMTP_PIPELINING: '1',
        SMTP_MAX_REJECTS_PER_SESSION: '8',
      });
      const results = await verifyIn(ctx, emails);
      for (const local of people) {
        expect(results.get(`${local}@${lie}.test`)?.reason).toBe('accepted');
      }
      for (const local of ghosts) {
        expect(results.get(`${local}@${lie}.test`)?.reason).toBe('mailbox_not_found');
      }
      const stats = world.stats(`mx.${lie}.test`);
      // The pipelined session, then one in lockstep that asks the rest.
      expect(stats.sessions).toBe(2);
      // No session reached Postfix's soft error limit (10).
      expect(stats.maxSessionErrors).toBeLessThan(10);
      const lockstep = stats.commands.slice(stats.commands.lastIndexOf('QUIT', -2) + 1);
      expect(lockstep.filter((c) => c.startsWith('RCPT TO:')).length).toBeGreaterThan(0);
    },
  );

  it('asks an address of a server that hangs up no more than 1 + transientRetries times, in lockstep after the first round', async () => {
    world.resetStats();
    const ctx = await contextFor(world, { SMTP_PIPELINING: '1' });
    const results = await verifyIn(ctx, ['user1@dropper.test', 'user2@dropper.test'], {
      transientRetries: 2,
      transientBackoffMs: 20,
    });
    expect(results.get('user1@dropper.test')?.reason).toBe('connection_failed');
    const stats = world.stats('mx.dropper.test');
    // The first round: pipelined, then in lockstep at once; one more round, in lockstep.
    for (const [address, asked] of Object.entries(stats.rcptsByAddress)) {
      expect(asked, address).toBeLessThanOrEqual(3);
    }
    expect(Math.max(...Object.values(stats.rcptsByAddress))).toBe(3);
  });
});
