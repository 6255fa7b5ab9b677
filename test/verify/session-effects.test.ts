/**
 * What ends or fills a session keeps its meaning: a "too many recipients" or a 421 at RCPT is
 * the verdict's last reply (code, enhanced code, text), a 421 is never answered by reconnecting
 * at once, and a round the provider's gate cuts short keeps what it learnt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import type { Release, SessionGate } from '../../src/throttle/session-gate.ts';
import { ThrottledError } from '../../src/throttle/throttled-error.ts';
import { verifyDomainRound } from '../../src/verify/domain-round.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

let world: SandboxWorld;
const MANY = Array.from({ length: 120 }, (_, i) => `u${i}`);

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'fulltx.test': {
        mx: [{ host: 'mx.fulltx.test' }],
        mailboxes: ['ok'],
        replies: { stuck: '452 4.5.3 Error: too many recipients' },
      },
      'closing.test': {
        mx: [{ host: 'mx.closing.test' }],
        mailboxes: ['ok'],
        replies: { late: '421 4.7.0 mx.closing.test Error: too many errors' },
      },
      'many.test': { mx: [{ host: 'mx.many.test' }], mailboxes: MANY },
    },
  });
});
afterAll(async () => {
  await world?.close();
});

describe('session effects keep the meaning of the reply', () => {
  it('"too many recipients" at RCPT: temporary, with the reply the server gave', async () => {
    const results = await verifyIn(
      await contextFor(world),
      ['stuck@fulltx.test', 'ok@fulltx.test'],
      {
        greylistDelaysMs: [20],
        transientRetries: 1,
      },
    );
    expect(results.get('stuck@fulltx.test')).toMatchObject({
      status: 'unknown',
      reason: 'temporary_failure',
      rule: 'too-many-recipients',
      smtp_code: 452,
      smtp_enhanced_code: '4.5.3',
      detail: '452 4.5.3 Error: too many recipients',
    });
  });

  it('a 421 at RCPT keeps its meaning for that address and is not answered by a reconnection', async () => {
    world.resetStats();
    const results = await verifyIn(await contextFor(world), ['late@closing.test'], {
      greylistDelaysMs: [20],
      transientRetries: 1,
    });
    expect(results.get('late@closing.test')).toMatchObject({
      status: 'unknown',
      reason: 'temporary_failure',
      rule: 'session-error-limit',
      smtp_code: 421,
      detail: '421 4.7.0 mx.closing.test Error: too many errors',
    });
    // One session per round (the first and one retry), never a reconnection inside a round.
    expect(world.stats('mx.closing.test').sessions).toBe(2);
  });
});

/** Admits the first `admit` sessions, then refuses: the provider's budget is spent. */
function spentGate(admit: number): SessionGate {
  let admitted = 0;
  return {
    async acquire(provider): Promise<Release> {
      if (admitted >= admit) throw new ThrottledError(provider, 'rate', 1234);
      admitted += 1;
      return () => undefined;
    },
  };
}

describe('a round the gate cuts short', () => {
  it('keeps the answers of the sessions it had; the rest wait for the gate, costing no retry', async () => {
    world.resetStats();
    const ctx = { ...(await contextFor(world)), gate: spentGate(1) };
    const addresses = MANY.map((local) => `${local}@many.test`);
    const round = await verifyDomainRound('many.test', addresses, ctx, { disposable: false });
    const outcomes = [...round.outcomes.values()];
    const answered = outcomes.filter((o) => o.reason === 'accepted');
    const waiting = outcomes.filter((o) => o.retry?.kind === 'throttled');
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length + waiting.length).toBe(addresses.length);
    expect(waiting.every((o) => o.retry?.afterMs === 1234 && o.rule === 'throttled')).toBe(true);
    expect(world.stats('mx.many.test').sessions).toBe(1);
  });

  it('is retried whole when the gate refused its first session', async () => {
    const ctx = { ...(await contextFor(world)), gate: spentGate(0) };
    await expect(
      verifyDomainRound('many.test', ['u1@many.test'], ctx, { disposable: false }),
    ).rejects.toBeInstanceOf(ThrottledError);
  });
});
