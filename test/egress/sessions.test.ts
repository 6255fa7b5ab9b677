/**
 * Verification leaving through egresses, over real sockets: SOCKS5 proxies (microsocks, with
 * and without authentication, each binding an outgoing address of its own so the sandbox's
 * hosts see who spoke), a dead proxy and the failover to the next egress, a proxy that refuses
 * our credentials, per-egress budgets, and the policy's `egress:` restriction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { egressOrder } from '../../src/egress/choose.ts';
import { egressesOf } from '../../src/egress/config.ts';
import { RedisEgressCooldown } from '../../src/egress/cooldown.ts';
import { parsePolicy } from '../../src/policy/policy.ts';
import { egressDownKey, gateKeys, type RedisClient } from '../../src/redis/index.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { collectingRecorder } from '../../src/smtp/transcript.ts';
import { RedisSessionGate } from '../../src/throttle/index.ts';
import { createRoundContext } from '../../src/verify/context.ts';
import { freePort } from '../helpers/redis-server.ts';
import { type RunningSocks, startSocks } from '../helpers/socks.ts';
import { TEST_ENV, verifyIn } from '../helpers/verify.ts';
import { REDIS_URL, type RedisFixture, redisFixture } from '../redis/redis-fixture.ts';

/** `count` domains on one MX host, `perDomain` mailboxes each; their addresses. */
function domainsOn(
  scenario: Scenario,
  host: string,
  prefix: string,
  count: number,
  perDomain: number,
): string[] {
  const emails: string[] = [];
  for (let d = 0; d < count; d++) {
    const domain = `${prefix}${d}.test`;
    const mailboxes = Array.from({ length: perDomain }, (_, i) => `u${i}`);
    scenario.domains[domain] = { mx: [{ host }], mailboxes };
    emails.push(...mailboxes.map((m) => `${m}@${domain}`));
  }
  return emails;
}

const scenario: Scenario = {
  latencyMs: 25,
  domains: {
    'proxied.test': { mx: [{ host: 'mx.proxied.test' }], mailboxes: ['ann', 'bob'] },
    'guarded.test': { mx: [{ host: 'mx.guarded.test' }], mailboxes: ['cat'] },
    'refused.test': { mx: [{ host: 'mx.refused.test' }], mailboxes: ['dan'] },
  },
};
const failover = domainsOn(scenario, 'mx.failover.test', 'fo', 6, 2);
const budget = domainsOn(scenario, 'mx.budget.test', 'budget', 8, 6);
const single = domainsOn(scenario, 'mx.single.test', 'single', 8, 6);
const restricted = domainsOn(scenario, 'mx.restricted.test', 'restricted', 6, 2);
const open = domainsOn(scenario, 'mx.open.test', 'open', 6, 2);

let world: SandboxWorld;
let redis: RedisFixture;
let client: RedisClient;
let plain: RunningSocks;
let guarded: RunningSocks;
let deadPort: number;

beforeAll(async () => {
  world = await startWorld(scenario);
  redis = redisFixture();
  client = await redis.connect();
  plain = await startSocks(undefined, '127.0.0.31');
  guarded = await startSocks({ user: 'probe', password: 'pw-secret-31' }, '127.0.0.32');
  // Nothing listens here: a proxy that is down.
  deadPort = await freePort();
});

afterAll(async () => {
  await Promise.all([plain?.stop(), guarded?.stop()]);
  await redis?.close();
  await world?.close();
});

function config(env: Record<string, string>) {
  return readEnv({ REDIS_URL, ...world.env, ...TEST_ENV, ...env });
}

describe('SOCKS5 egress', () => {
  it('verifies through a proxy: the server sees the proxy, the result names the egress', async () => {
    const ctx = await createRoundContext(config({ SMTP_PROXIES: `eu1=${plain.url}` }));
    const results = await verifyIn(ctx, ['ann@proxied.test', 'nobody@proxied.test']);
    expect(results.get('ann@proxied.test')).toMatchObject({
      status: 'deliverable',
      reason: 'accepted',
      egress: 'eu1',
    });
    expect(results.get('nobody@proxied.test')).toMatchObject({
      status: 'undeliverable',
      reason: 'mailbox_not_found',
      egress: 'eu1',
    });
    expect(new Set(world.stats('mx.proxied.test').clientIps)).toEqual(new Set(['127.0.0.31']));
  });

  it('authenticates with the user and password of the proxy URL', async () => {
    const ctx = await createRoundContext(config({ SMTP_PROXIES: `eu2=${guarded.url}` }));
    const results = await verifyIn(ctx, ['cat@guarded.test']);
    expect(results.get('cat@guarded.test')).toMatchObject({
      status: 'deliverable',
      egress: 'eu2',
    });
    expect(new Set(world.stats('mx.guarded.test').clientIps)).toEqual(new Set(['127.0.0.32']));
  });

  it('keeps the proxy credentials out of transcripts, of a session through it and of one it refused', async () => {
    const through = collectingRecorder((n) => `s${n}`);
    const ctx = await createRoundContext(config({ SMTP_PROXIES: `eu2=${guarded.url}` }));
    const results = await verifyIn(ctx, ['cat@guarded.test'], { trace: through.recorder });
    expect(results.get('cat@guarded.test')).toMatchObject({ status: 'deliverable', trace: 's1' });
    const text = through.finished.map((t) => t.text()).join('\n');
    expect(text).toMatch(/^# egress eu2 \(socks5 127\.0\.0\.1:\d+\)$/m);
    expect(text).toMatch(/^ +\+\d+ms S: 250 /m);

    const refused = collectingRecorder((n) => `r${n}`);
    const badCtx = await createRoundContext(
      config({ SMTP_PROXIES: `eu-bad=socks5://probe:wrong-pw-78@127.0.0.1:${guarded.port}` }),
    );
    const bad = await verifyIn(badCtx, ['dan@refused.test'], { trace: refused.recorder });
    expect(bad.get('dan@refused.test')).toMatchObject({ reason: 'connection_failed' });
    const badText = refused.finished.map((t) => t.text()).join('\n');
    expect(badText).toContain('eu-bad (socks5 127.0.0.1:');
    for (const secret of ['pw-secret-31', 'wrong-pw-78', 'probe:', guarded.url]) {
      expect(text, secret).not.toContain(secret);
      expect(badText, secret).not.toContain(secret);
    }
  });

  it('a proxy that refuses our credentials gives unknown / connection_failed naming it, never a mailbox verdict', async () => {
    const ctx = await createRoundContext(
      config({ SMTP_PROXIES: `eu-bad=socks5://probe:wrong-pw-77@127.0.0.1:${guarded.port}` }),
    );
    const results = await verifyIn(ctx, ['dan@refused.test', 'nobody@refused.test']);
    for (const email of ['dan@refused.test', 'nobody@refused.test']) {
      const result = results.get(email);
      expect(result).toMatchObject({
        status: 'unknown',
        reason: 'connection_failed',
        rule: 'egress-failed',
      });
      expect(result?.detail).toContain('eu-bad (socks5 127.0.0.1:');
      expect(result?.detail).not.toContain('wrong-pw-77');
    }
    // The server never heard of us.
    expect(world.stats('mx.refused.test').sessions).toBe(0);
  });

  it('fails over from a dead proxy to the next egress at once, and cools the dead one down in Redis', async () => {
    const env = config({
      SMTP_PROXIES: `dead=socks5://127.0.0.1:${deadPort},live=${plain.url}`,
      EGRESS_COOLDOWN: '1m',
    });
    // The test means something only if some domain's stable pick is the dead proxy.
    const domains = [...new Set(failover.map((email) => email.split('@')[1] ?? ''))];
    const firstChoices = domains.map((d) => egressOrder(d, egressesOf(env))[0]?.name);
    expect(firstChoices).toContain('dead');
    const ctx = await createRoundContext(env, {
      egressCooldown: new RedisEgressCooldown(client, redis.prefix, env.EGRESS_COOLDOWN),
    });
    const results = await verifyIn(ctx, failover, { transientRetries: 0 });
    for (const email of failover) {
      expect(results.get(email), email).toMatchObject({
        status: 'deliverable',
        egress: 'live',
      });
    }
    expect(new Set(world.stats('mx.failover.test').clientIps)).toEqual(new Set(['127.0.0.31']));
    const key = egressDownKey(redis.prefix, 'dead');
    const ttl = await client.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const down = JSON.parse((await client.get(key)) ?? '{}') as { reason?: string };
    expect(down.reason).toMatch(/the proxy dead \(socks5 127\.0\.0\.1:\d+\) failed/);
    expect(await client.exists(egressDownKey(redis.prefix, 'live'))).toBe(0);
  });
});

describe('per-egress budgets', () => {
  const policy = parsePolicy({
    defaults: { connectionsPerMinute: 10_000, maxRcptsPerSession: 3 },
    providers: [
      { match: 'budget.test', maxConcurrentSessions: 1 },
      { match: 'single.test', maxConcurrentSessions: 1 },
    ],
  });

  it('two egresses double the sessions a provider sees at once; each budget is its own in Redis', async () => {
    const gate = new RedisSessionGate(client, { prefix: redis.prefix });
    const ctx = await createRoundContext(
      config({ SMTP_LOCAL_ADDRESSES: '127.0.0.41,127.0.0.42' }),
      { policy, gate },
    );
    const results = await verifyIn(ctx, budget);
    expect([...results.values()].every((r) => r.status === 'deliverable')).toBe(true);
    const stats = world.stats('mx.budget.test');
    expect(new Set(stats.clientIps)).toEqual(new Set(['127.0.0.41', '127.0.0.42']));
    expect(stats.maxConcurrentSessions).toBe(2);
    // The budgets live under the provider and the egress; nothing under the provider alone.
    for (const egress of ['127.0.0.41', '127.0.0.42']) {
      expect(await client.exists(gateKeys(redis.prefix, 'budget.test', egress).bucket)).toBe(1);
    }
    expect(await client.exists(gateKeys(redis.prefix, 'budget.test').bucket)).toBe(0);
    // Every result names the egress its session left from.
    expect(new Set([...results.values()].map((r) => r.egress))).toEqual(
      new Set(['127.0.0.41', '127.0.0.42']),
    );
  });

  it('one egress (the default route) keeps the single budget and its keys', async () => {
    const gate = new RedisSessionGate(client, { prefix: redis.prefix });
    const ctx = await createRoundContext(config({}), { policy, gate });
    const results = await verifyIn(ctx, single);
    expect([...results.values()].every((r) => r.status === 'deliverable')).toBe(true);
    expect(world.stats('mx.single.test').maxConcurrentSessions).toBe(1);
    expect(await client.exists(gateKeys(redis.prefix, 'single.test').bucket)).toBe(1);
    expect(gateKeys(redis.prefix, 'single.test')).toEqual(
      gateKeys(redis.prefix, 'single.test', 'default'),
    );
    expect([...results.values()].every((r) => r.egress === 'default')).toBe(true);
  });
});

describe('the policy’s egress restriction', () => {
  it('a provider restricted to one egress is only probed from it; the others use every egress', async () => {
    const policy = parsePolicy({
      providers: [{ match: 'restricted.test', egress: ['127.0.0.52'] }],
    });
    const ctx = await createRoundContext(
      config({ SMTP_LOCAL_ADDRESSES: '127.0.0.51,127.0.0.52' }),
      { policy },
    );
    const results = await verifyIn(ctx, [...restricted, ...open]);
    expect([...results.values()].every((r) => r.status === 'deliverable')).toBe(true);
    expect(new Set(world.stats('mx.restricted.test').clientIps)).toEqual(new Set(['127.0.0.52']));
    expect(new Set(world.stats('mx.open.test').clientIps)).toEqual(
      new Set(['127.0.0.51', '127.0.0.52']),
    );
  });

  it('refuses a policy naming an egress the process does not have', async () => {
    const policy = parsePolicy({
      providers: [{ match: 'restricted.test', egress: ['eu1', 'eu9'] }],
    });
    const attempt = createRoundContext(config({ SMTP_PROXIES: `eu1=${plain.url}` }), { policy });
    await expect(attempt).rejects.toMatchObject({ code: 'policy_invalid' });
    await expect(attempt).rejects.toThrow(/egress "eu9".*this process has eu1/);
  });
});
