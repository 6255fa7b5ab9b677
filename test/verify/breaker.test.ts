/**
 * The circuit breaker for providers that refuse us: a block of our sender or IP pauses the
 * whole provider (no more sessions towards it), its addresses come out unknown/blocked with the
 * reply named, and a recipient's own policy never pauses a provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

let world: SandboxWorld;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      // Two domains of one provider (the MX host's registrable domain, blocker.test).
      'one.test': { mx: [{ host: 'mx1.blocker.test' }], mailboxes: ['ann'] },
      'two.test': { mx: [{ host: 'mx2.blocker.test' }], mailboxes: ['bob'] },
      // Two domains of a provider whose recipients have policies of their own.
      'strict.test': { mx: [{ host: 'mx1.policies.test' }], mailboxes: ['cy'], policyBlock: true },
      'open.test': { mx: [{ host: 'mx2.policies.test' }], mailboxes: ['dee'] },
    },
    hosts: {
      'mx1.blocker.test': { blockSender: true },
      'mx2.blocker.test': { blockSender: true },
    },
  });
});
afterAll(async () => {
  await world?.close();
});

describe('the provider breaker in process (listclean verify)', () => {
  it('a block of our IP pauses the provider: its next domain is not probed, and says why', async () => {
    world.resetStats();
    const progress: string[] = [];
    const results = await verifyIn(await contextFor(world), ['ann@one.test', 'bob@two.test'], {
      concurrency: 1,
      onProgress: (m) => progress.push(m),
    });
    expect(results.get('ann@one.test')).toMatchObject({
      status: 'unknown',
      reason: 'blocked',
      rule: 'mail-refused',
      smtp_code: 550,
    });
    expect(results.get('bob@two.test')).toMatchObject({
      status: 'unknown',
      reason: 'blocked',
      rule: 'breaker-open',
      smtp_code: null,
    });
    expect(results.get('bob@two.test')?.detail).toMatch(
      /not probed: blocker\.test refused us \(550 5\.7\.1 .*spamhaus.*\); probing it is paused until/,
    );
    // The sandbox saw one session: the second domain was never contacted.
    expect(world.stats('mx1.blocker.test').sessions).toBe(1);
    expect(world.stats('mx2.blocker.test').sessions).toBe(0);
    expect(progress.join('\n')).toMatch(/blocker\.test refused us .* probing it is paused until/);
  });

  it('BREAKER_COOLDOWN=0 turns it off: every domain is probed', async () => {
    world.resetStats();
    const results = await verifyIn(
      await contextFor(world, { BREAKER_COOLDOWN: '0' }),
      ['ann@one.test', 'bob@two.test'],
      { concurrency: 1 },
    );
    expect(results.get('bob@two.test')?.rule).toBe('mail-refused');
    expect(world.stats('mx2.blocker.test').sessions).toBe(1);
  });

  it("a recipient's own policy refuses that recipient, not us: the provider stays open", async () => {
    world.resetStats();
    const results = await verifyIn(await contextFor(world), ['cy@strict.test', 'dee@open.test'], {
      concurrency: 1,
    });
    expect(results.get('cy@strict.test')).toMatchObject({ reason: 'blocked', rule: 'policy-5.7' });
    expect(results.get('dee@open.test')).toMatchObject({ status: 'deliverable' });
    expect(world.stats('mx2.policies.test').sessions).toBe(1);
  });
});
