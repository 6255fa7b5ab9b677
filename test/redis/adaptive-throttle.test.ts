/** AIMD: a complaint halves a provider's budgets everywhere, successes win them back slowly. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ProviderLimits } from '../../src/policy/policy.ts';
import type { RedisClient } from '../../src/redis/index.ts';
import { gateKeys } from '../../src/redis/index.ts';
import { RedisSessionGate, ThrottledError } from '../../src/throttle/index.ts';
import { type RedisFixture, redisFixture } from './redis-fixture.ts';

let redis: RedisFixture;
let client: RedisClient;
let gate: RedisSessionGate;
beforeAll(async () => {
  redis = redisFixture();
  client = await redis.connect();
  // Waits out short token gaps (a penalised bucket refills one at a time) but not full sessions.
  gate = new RedisSessionGate(client, {
    prefix: redis.prefix,
    maxWaitMs: 100,
    penaltyCooldownMs: 0,
  });
});
afterAll(async () => {
  gate.close();
  await redis.close();
});

const wide: ProviderLimits = {
  ...DEFAULT_LIMITS,
  maxConcurrentSessions: 4,
  connectionsPerMinute: 10_000,
};

/** How many sessions the gate admits right now (all released afterwards). */
async function admitted(provider: string, limits: ProviderLimits): Promise<number> {
  const releases = [];
  for (;;) {
    try {
      releases.push(await gate.acquire(provider, limits));
    } catch (error) {
      if (!(error instanceof ThrottledError) || error.blockedBy !== 'sessions') throw error;
      break;
    }
  }
  for (const release of releases) release();
  return releases.length;
}

describe('RedisSessionGate AIMD', () => {
  it('penalise halves the effective session limit; rewards restore it', async () => {
    const provider = 'aimd.test';
    expect(await admitted(provider, wide)).toBe(4);
    expect(await gate.penalise(provider)).toBe(0.5);
    expect(await admitted(provider, wide)).toBe(2);
    expect(await gate.stats(provider, wide)).toMatchObject({
      factor: 0.5,
      maxConcurrentSessions: 2,
      connectionsPerMinute: 5_000,
    });

    const factors = [];
    for (let i = 0; i < 10; i += 1) factors.push(await gate.reward(provider));
    expect(factors[0]).toBe(0.55);
    expect(factors.at(-1)).toBe(1);
    // Back at full speed the factor key is gone, so the next success writes nothing.
    expect(await client.exists(gateKeys(redis.prefix, provider).factor)).toBe(0);
    expect(await gate.reward(provider)).toBe(1);
    expect(await admitted(provider, wide)).toBe(4);
  });

  it('penalise slows the connection rate and leaves no burst', async () => {
    const provider = 'aimd-rate.test';
    const limits = { ...wide, connectionsPerMinute: 60 };
    await gate.penalise(provider);
    const error = await gate.acquire(provider, limits).catch((e: unknown) => e);
    expect(error).toMatchObject({ blockedBy: 'rate' });
    // 30 a minute from an empty bucket: the next token in 2 s.
    expect((error as ThrottledError).retryInMs).toBeGreaterThan(1_900);
    expect((error as ThrottledError).retryInMs).toBeLessThanOrEqual(2_000);
  });

  it('never lowers the effective limits below one session and one connection a minute', async () => {
    const provider = 'aimd-floor.test';
    let factor = 1;
    for (let i = 0; i < 20; i += 1) factor = await gate.penalise(provider);
    expect(factor).toBe(0.01);
    const stats = await gate.stats(provider, { ...wide, connectionsPerMinute: 60 });
    expect(stats).toMatchObject({ maxConcurrentSessions: 1, connectionsPerMinute: 1 });
  });

  it('counts complaints inside the cool-down once', async () => {
    const cooling = new RedisSessionGate(client, {
      prefix: redis.prefix,
      penaltyCooldownMs: 60_000,
    });
    const provider = 'aimd-cooldown.test';
    expect(await cooling.penalise(provider)).toBe(0.5);
    expect(await cooling.penalise(provider)).toBe(0.5);
    expect(await cooling.penalise(provider)).toBe(0.5);
  });

  it('forgets a factor after an hour without events', async () => {
    const provider = 'aimd-ttl.test';
    await gate.penalise(provider);
    await gate.reward(provider);
    const ttl = await client.pttl(gateKeys(redis.prefix, provider).factor);
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });
});
