/**
 * The Redis session gate holds its limits across processes: each gate here has its own
 * connection, as separate worker processes would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ProviderLimits } from '../../src/policy/policy.ts';
import type { RedisClient } from '../../src/redis/index.ts';
import { RedisSessionGate, ThrottledError } from '../../src/throttle/index.ts';
import { type RedisFixture, redisFixture, sleep } from './redis-fixture.ts';

let redis: RedisFixture;
beforeAll(() => {
  redis = redisFixture();
});
afterAll(async () => {
  await redis.close();
});

function limits(maxConcurrentSessions: number, connectionsPerMinute: number): ProviderLimits {
  return { ...DEFAULT_LIMITS, maxConcurrentSessions, connectionsPerMinute };
}

async function gates(
  count: number,
  options: { leaseTtlMs?: number; maxWaitMs?: number } = {},
): Promise<{ gates: RedisSessionGate[]; clients: RedisClient[] }> {
  const clients = await Promise.all(Array.from({ length: count }, () => redis.connect()));
  return {
    clients,
    gates: clients.map((c) => new RedisSessionGate(c, { prefix: redis.prefix, ...options })),
  };
}

describe('RedisSessionGate concurrency', () => {
  it('never lets more than the limit hold sessions across 3 processes, and reaches it', async () => {
    const {
      gates: [a, b, c],
    } = await gates(3);
    const all = [a, b, c] as RedisSessionGate[];
    const provider = 'concurrency.test';
    let held = 0;
    let maxHeld = 0;
    const sessions = Array.from({ length: 12 }, async (_, i) => {
      const gate = all[i % all.length] as RedisSessionGate;
      const release = await gate.acquire(provider, limits(2, 10_000));
      held += 1;
      maxHeld = Math.max(maxHeld, held);
      await sleep(30);
      held -= 1;
      release();
    });
    await Promise.all(sessions);
    expect(maxHeld).toBe(2);
    for (const gate of all) gate.close();
  });

  it('release is idempotent and frees the slot for another process', async () => {
    const {
      gates: [a, b],
    } = await gates(2, { maxWaitMs: 0 });
    const provider = 'release.test';
    const release = await (a as RedisSessionGate).acquire(provider, limits(1, 10_000));
    await expect((b as RedisSessionGate).acquire(provider, limits(1, 10_000))).rejects.toThrow(
      ThrottledError,
    );
    release();
    release();
    await sleep(20);
    const again = await (b as RedisSessionGate).acquire(provider, limits(1, 10_000));
    expect((await (a as RedisSessionGate).stats(provider, limits(1, 10_000))).open).toBe(1);
    again();
  });
});

describe('RedisSessionGate connection rate', () => {
  it('allows a burst of connectionsPerMinute, then paces at the rate, across processes', async () => {
    const { gates: burst } = await gates(2, { maxWaitMs: 0 });
    const {
      gates: [pacer],
    } = await gates(1);
    const provider = 'rate.test';
    // 240 a minute: a burst of 240, then one connection every 250 ms.
    const rate = limits(1000, 240);
    const burstStarted = Date.now();
    let admitted = 0;
    for (;;) {
      const gate = burst[admitted % 2] as RedisSessionGate;
      const release = await gate.acquire(provider, rate).catch((error: unknown) => {
        expect(error).toMatchObject({ blockedBy: 'rate' });
        return null;
      });
      if (release === null) break;
      release();
      admitted += 1;
    }
    const burstMs = Date.now() - burstStarted;
    expect(admitted).toBeGreaterThanOrEqual(240);
    // Only what refilled while the burst ran comes on top.
    expect(admitted).toBeLessThanOrEqual(240 + Math.ceil(burstMs / 250));

    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      (await (pacer as RedisSessionGate).acquire(provider, rate))();
      times.push(Date.now());
    }
    const [first = 0, , third = 0] = times;
    expect(first - burstStarted - burstMs).toBeLessThan(1_000);
    // Two more tokens take 2 × 250 ms whatever the polling jitter; the upper bound is loose
    // because a loaded CI box delays timers.
    expect(third - first).toBeGreaterThanOrEqual(450);
    expect(third - first).toBeLessThan(1_500);
  });
});

describe('RedisSessionGate leases', () => {
  it("frees a crashed holder's session after the lease TTL", async () => {
    const {
      gates: [crashed, survivor],
      clients: [crashedClient],
    } = await gates(2, {
      leaseTtlMs: 300,
    });
    const provider = 'crash.test';
    await (crashed as RedisSessionGate).acquire(provider, limits(1, 10_000));
    // kill -9: the holder neither releases nor renews.
    crashedClient?.disconnect();
    const started = Date.now();
    const release = await (survivor as RedisSessionGate).acquire(provider, limits(1, 10_000));
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(2_000);
    release();
    (crashed as RedisSessionGate).close();
  });

  it('keeps a live holder’s lease renewed well past its TTL', async () => {
    const {
      gates: [holder, other],
    } = await gates(2, { leaseTtlMs: 300, maxWaitMs: 1_200 });
    const provider = 'renew.test';
    const release = await (holder as RedisSessionGate).acquire(provider, limits(1, 10_000));
    await expect((other as RedisSessionGate).acquire(provider, limits(1, 10_000))).rejects.toThrow(
      ThrottledError,
    );
    release();
  });
});

describe('RedisSessionGate maxWaitMs', () => {
  it('rejects with ThrottledError after maxWaitMs while every session is open', async () => {
    const {
      gates: [holder, waiter],
    } = await gates(2, { maxWaitMs: 200 });
    const provider = 'max-wait.test';
    const release = await (holder as RedisSessionGate).acquire(provider, limits(1, 10_000));
    const started = Date.now();
    const error = await (waiter as RedisSessionGate)
      .acquire(provider, limits(1, 10_000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ code: 'provider_throttled', blockedBy: 'sessions' });
    expect((error as ThrottledError).retryInMs).toBeGreaterThan(0);
    expect((error as ThrottledError).retryInMs).toBeLessThanOrEqual(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    release();
  });

  it('rejects at once when the next token is further away than maxWaitMs', async () => {
    const {
      gates: [gate],
    } = await gates(1, { maxWaitMs: 5_000 });
    const provider = 'max-wait-rate.test';
    (await (gate as RedisSessionGate).acquire(provider, limits(10, 1)))();
    const started = Date.now();
    const error = await (gate as RedisSessionGate)
      .acquire(provider, limits(10, 1))
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ blockedBy: 'rate', provider });
    // One token a minute: the next is ~60 s away.
    expect((error as ThrottledError).retryInMs).toBeGreaterThan(55_000);
    expect((error as ThrottledError).retryInMs).toBeLessThanOrEqual(60_000);
  });

  it('waits instead when the next token comes within maxWaitMs', async () => {
    const {
      gates: [gate],
    } = await gates(1, { maxWaitMs: 1_000 });
    const provider = 'max-wait-short.test';
    const rate = limits(10, 600); // a token every 100 ms
    for (let i = 0; i < 600; i += 1) (await (gate as RedisSessionGate).acquire(provider, rate))();
    const release = await (gate as RedisSessionGate).acquire(provider, rate);
    release();
  });
});
