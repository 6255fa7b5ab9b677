/**
 * A batch at one domain is verified in as few sessions as the politeness rule allows: a session
 * stops at SMTP_MAX_REJECTS_PER_SESSION rejected RCPTs (the catch-all probe counts) or at
 * SMTP_MAX_RCPTS_PER_SESSION, and never reaches the server's own error throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

const valid = Array.from({ length: 50 }, (_, i) => `user${i}`);
const invalid = Array.from({ length: 12 }, (_, i) => `ghost${i}`);

/** Rejected RCPTs (unknown users and the random catch-all probe) per session, from the log. */
function rejectedPerSession(commands: string[]): number[] {
  const counts: number[] = [];
  for (const command of commands) {
    if (/^(EHLO|HELO) /.test(command)) counts.push(0);
    else if (/^RCPT TO:<(ghost\d+|lc-[0-9a-f]+)@/.test(command))
      counts.push((counts.pop() ?? 0) + 1);
  }
  return counts;
}

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld({
    domains: { 'big.test': { mx: [{ host: 'mx.big.test' }], mailboxes: valid } },
    // Postfix's defaults: slow down after 10 errors, hang up after 20.
    hosts: { 'mx.big.test': { errorLimits: { soft: 10, hard: 20, sleepMs: 1000 } } },
  });
});
afterAll(async () => {
  await world?.close();
});

describe('batch of 62 addresses at one domain', () => {
  it.each([
    // [pipelining, expected sessions]: 13 rejections (12 + probe) at 8 per session → 2 sessions.
    ['1', 2],
    ['0', 2],
  ])(
    'SMTP_PIPELINING=%s: verdicts right in %i sessions, never over the reject budget',
    async (pipelining, sessions) => {
      world.resetStats();
      // Interleave so rejections are spread through the batch, as in a real list.
      const emails = valid.flatMap((local, i) => [
        `${local}@big.test`,
        ...(invalid[i] ? [`${invalid[i]}@big.test`] : []),
      ]);
      const ctx = await contextFor(world, {
        SMTP_PIPELINING: pipelining,
        SMTP_MAX_RCPTS_PER_SESSION: '100',
        SMTP_MAX_REJECTS_PER_SESSION: '8',
      });
      const results = await verifyIn(ctx, emails);
      for (const local of valid) expect(results.get(`${local}@big.test`)?.reason).toBe('accepted');
      for (const local of invalid)
        expect(results.get(`${local}@big.test`)?.reason).toBe('mailbox_not_found');

      const stats = world.stats('mx.big.test');
      expect(stats.sessions).toBe(sessions);
      // Every address asked exactly once, plus one catch-all probe.
      expect(stats.rcpts).toBe(emails.length + 1);
      expect(Object.values(stats.rcptsByAddress).every((n) => n === 1)).toBe(true);
      // The server's error throttling never bit: no session got more than 8 rejected RCPTs.
      expect(rejectedPerSession(stats.commands).every((n) => n <= 8)).toBe(true);
      expect(rejectedPerSession(stats.commands).reduce((a, b) => a + b, 0)).toBe(13);
    },
  );

  it('splits at SMTP_MAX_RCPTS_PER_SESSION too', async () => {
    world.resetStats();
    const ctx = await contextFor(world, { SMTP_MAX_RCPTS_PER_SESSION: '20' });
    const emails = valid.map((local) => `${local}@big.test`);
    const results = await verifyIn(ctx, emails);
    expect([...results.values()].every((r) => r.status === 'deliverable')).toBe(true);
    // 50 addresses + 1 probe, 20 RCPTs per session → 3 sessions.
    expect(world.stats('mx.big.test').sessions).toBe(3);
  });
});
