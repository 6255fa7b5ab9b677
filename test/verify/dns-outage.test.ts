/**
 * A DNS outage (SERVFAIL, or no answer) is transient: the round asks again after the transient
 * backoff instead of making every address of the domain `unknown` at once. Found by the fault
 * suite (test/faults/smtp-and-dns.test.ts): an 8 s SERVFAIL turned whole domains unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld({
    domains: {
      'flaky.test': { mx: [{ host: 'mx.flaky.test' }], mailboxes: ['fay'], servfail: true },
      'hush.test': { mx: [{ host: 'mx.hush.test' }], mailboxes: ['hal'], dnsTimeout: true },
      'down.test': { mx: [{ host: 'mx.down.test' }], mailboxes: ['dot'], servfail: true },
    },
    dnsTtlSeconds: 1,
  });
});
afterAll(() => world?.close());

describe('a DNS outage', () => {
  it('is asked again: a name server back within the backoff gives the real verdict', async () => {
    const ctx = await contextFor(world);
    // Back while the first round's addresses wait for their transient retry.
    const back = setTimeout(() => {
      world.updateDomain('flaky.test', { servfail: false });
      world.updateDomain('hush.test', { dnsTimeout: false });
    }, 1500);
    try {
      const results = await verifyIn(ctx, ['fay@flaky.test', 'hal@hush.test', 'dot@down.test'], {
        transientRetries: 1,
        transientBackoffMs: 3000,
      });
      expect(results.get('fay@flaky.test')).toMatchObject({ status: 'deliverable' });
      expect(results.get('hal@hush.test')).toMatchObject({ status: 'deliverable' });
      // Still failing after the retry: unknown, saying why.
      expect(results.get('dot@down.test')).toMatchObject({
        status: 'unknown',
        reason: 'temporary_failure',
        rule: 'dns-temporary',
      });
      const asked = world.dns.queries.filter((q) => q === 'MX down.test').length;
      // c-ares' own tries in each of the two rounds.
      expect(asked).toBeGreaterThanOrEqual(2 * 2);
    } finally {
      clearTimeout(back);
    }
  }, 30_000);
});
