/**
 * 421 at any point, and the provider rules of the policy (skip the catch-all probe; a provider
 * that accepts every recipient is never `deliverable`).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld({
    domains: {
      'busy421.test': { mx: [{ host: 'mx.busy421.test' }], mailboxes: ['a'] },
      'backup421.test': {
        mx: [
          { host: 'mx.busy421.test', preference: 1 },
          { host: 'mx2.backup421.test', preference: 2 },
        ],
        mailboxes: ['b'],
      },
      'ratelimited.test': {
        mx: [{ host: 'mx.ratelimited.test' }],
        mailboxes: ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'],
      },
      'giant.test': { mx: [{ host: 'mx.giant.test' }], mailboxes: ['real'] },
      'skipper.test': { mx: [{ host: 'mx.skipper.test' }], mailboxes: ['s'] },
    },
    hosts: {
      'mx.busy421.test': { behavior: 'banner-421' },
      'mx.ratelimited.test': { rateLimit: { rcpts: 3, windowMs: 60_000 } },
      'mx.giant.test': { acceptAll: true },
    },
  });
});
afterAll(async () => {
  await world?.close();
});

describe('421', () => {
  it('a 421 banner on the only MX ends temporary_failure after the retries', async () => {
    const results = await verifyIn(await contextFor(world), ['a@busy421.test'], {
      greylistDelaysMs: [50, 50],
    });
    expect(results.get('a@busy421.test')).toMatchObject({
      status: 'unknown',
      reason: 'temporary_failure',
      smtp_code: 421,
    });
    // First try plus one per retry delay.
    expect(world.stats('mx.busy421.test').sessions).toBe(3);
  });

  it('a 421 banner sends us to the next MX', async () => {
    const results = await verifyIn(await contextFor(world), ['b@backup421.test']);
    expect(results.get('b@backup421.test')).toMatchObject({
      reason: 'accepted',
      mx_host: 'mx2.backup421.test',
    });
  });

  it('a 421 mid-session keeps the answers already given and retries the rest later', async () => {
    const emails = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'].map((l) => `${l}@ratelimited.test`);
    const results = await verifyIn(await contextFor(world), emails, { greylistDelaysMs: [50] });
    // Probe + r0 + r1 fit in the 3-RCPT window; the rest hit 421 until retries run out.
    expect(results.get('r0@ratelimited.test')?.reason).toBe('accepted');
    expect(results.get('r1@ratelimited.test')?.reason).toBe('accepted');
    for (const email of emails.slice(2)) {
      expect(results.get(email)).toMatchObject({ status: 'unknown', reason: 'temporary_failure' });
    }
  });
});

describe('provider rules from THROTTLE_POLICY', () => {
  it('acceptsAllRecipients: accepted is risky/catch_all; skipCatchAllProbe: no probe RCPT', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-policy-'));
    const policy = path.join(dir, 'policy.yaml');
    await writeFile(
      policy,
      [
        'providers:',
        '  - match: giant.test',
        '    acceptsAllRecipients: true',
        '  - match: "mx.skipper.*"',
        '    skipCatchAllProbe: true',
      ].join('\n'),
    );
    world.resetStats();
    const ctx = await contextFor(world, { THROTTLE_POLICY: policy });
    const results = await verifyIn(ctx, ['nobody@giant.test', 's@skipper.test']);
    expect(results.get('nobody@giant.test')).toMatchObject({
      status: 'risky',
      reason: 'catch_all',
      catch_all: true,
    });
    expect(results.get('s@skipper.test')).toMatchObject({
      status: 'deliverable',
      reason: 'accepted',
    });
    expect(world.stats('mx.skipper.test').rcpts).toBe(1);
    expect(world.stats('mx.giant.test').rcpts).toBe(1);
  });

  it('rejects a bad policy file with a message naming the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-policy-'));
    const policy = path.join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ defaults: { maxConcurrentSessions: 0 } }));
    await expect(contextFor(world, { THROTTLE_POLICY: policy })).rejects.toThrow(
      /defaults\.maxConcurrentSessions/,
    );
  });
});
