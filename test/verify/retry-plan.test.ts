import { describe, expect, it } from 'vitest';
import { type AddressOutcome, finalOutcome, type RetryKind } from '../../src/verify/outcome.ts';
import { planRetries, type RetryState } from '../../src/verify/retry-plan.ts';

const retrying = (kind: RetryKind, afterMs: number | null = null): AddressOutcome => ({
  ...finalOutcome('greylisted', 'greylist', null),
  retry: { kind, afterMs },
});
const policy = {
  greylistDelaysMs: [100, 200, 400],
  waitForGreylist: true,
  transientRetries: 2,
  transientBackoffMs: 50,
};

/** Runs rounds where every address keeps asking for the same retry, counting the rounds each gets. */
function roundsUntilFinal(kinds: Record<string, RetryKind>): Record<string, number> {
  const rounds: Record<string, number> = {};
  let pending = Object.keys(kinds);
  let state: RetryState = { waits: 0, transientTries: 0 };
  while (pending.length > 0) {
    for (const a of pending) rounds[a] = (rounds[a] ?? 0) + 1;
    const plan = planRetries(
      new Map(pending.map((a) => [a, retrying(kinds[a] as RetryKind)])),
      state,
      policy,
    );
    pending = plan.again;
    state = plan.next;
  }
  return rounds;
}

describe('planRetries', () => {
  it('greylisting follows the delays, then gives up', () => {
    expect(roundsUntilFinal({ a: 'greylist' })).toEqual({ a: 4 });
  });

  it('transient failures get transientRetries extra rounds with doubling backoff', () => {
    const first = planRetries(
      new Map([['a', retrying('transient')]]),
      { waits: 0, transientTries: 0 },
      policy,
    );
    expect(first.delayMs).toBe(50);
    const second = planRetries(new Map([['a', retrying('transient')]]), first.next, policy);
    expect(second.delayMs).toBe(100);
    expect(roundsUntilFinal({ a: 'transient' })).toEqual({ a: 3 });
  });

  it('a round that asked again in lockstep after broken PIPELINING has spent a try, and the next go in lockstep', () => {
    const transient = new Map([['a', retrying('transient')]]);
    const first = planRetries(transient, { waits: 0, transientTries: 0 }, policy, true);
    // Asked twice already (pipelined, then in lockstep): one more round, not two.
    expect(first.again).toEqual(['a']);
    expect(first.next).toEqual({ waits: 0, transientTries: 2, lockstep: true });
    const second = planRetries(transient, first.next, policy);
    expect(second.again).toEqual([]);
    expect(second.finals.has('a')).toBe(true);
    // Greylisting is not a connection failure: its waits are untouched, lockstep sticks.
    const grey = planRetries(new Map([['g', retrying('greylist')]]), first.next, policy);
    expect(grey.next).toEqual({ waits: 1, transientTries: 2, lockstep: true });
  });

  it('mixed rounds spend each budget once: neither kind gets more rounds than its own', () => {
    expect(roundsUntilFinal({ g: 'greylist', t: 'transient', c: 'catch_all_pending' })).toEqual({
      g: 4,
      t: 3,
      c: 4,
    });
  });

  it('waiting for the gate spends no retry budget and waits as long as the gate asked', () => {
    const plan = planRetries(
      new Map([['a', retrying('throttled', 1234)]]),
      { waits: 2, transientTries: 2 },
      policy,
    );
    expect(plan).toMatchObject({
      again: ['a'],
      delayMs: 1234,
      greylisted: 0,
      next: { waits: 2, transientTries: 2 },
    });
  });

  it('a slow-down request lowers the provider rate; a plain greylist does not', () => {
    const slow: AddressOutcome = {
      ...retrying('deferred'),
      retry: { kind: 'deferred', afterMs: null, slowDown: true },
    };
    const start = { waits: 0, transientTries: 0 };
    expect(planRetries(new Map([['a', slow]]), start, policy).rateLimited).toBe(true);
    expect(planRetries(new Map([['a', retrying('greylist')]]), start, policy).rateLimited).toBe(
      false,
    );
  });

  it('waits as long as the server asked when that is longer', () => {
    const plan = planRetries(
      new Map([['a', retrying('greylist', 300_000)]]),
      { waits: 0, transientTries: 0 },
      policy,
    );
    expect(plan.delayMs).toBe(300_000);
    expect(plan.greylisted).toBe(1);
  });

  it('final outcomes and --no-greylist-wait are final at once', () => {
    const plan = planRetries(
      new Map([
        ['a', finalOutcome('accepted', 'accepted', null)],
        ['b', retrying('greylist')],
      ]),
      { waits: 0, transientTries: 0 },
      { ...policy, waitForGreylist: false },
    );
    expect([...plan.finals.keys()]).toEqual(['a', 'b']);
    expect(plan.again).toEqual([]);
  });
});
