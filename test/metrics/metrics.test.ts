import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMetrics } from '../../src/metrics/collect.ts';
import { MetricsRecorder } from '../../src/metrics/recorder.ts';
import type { RedisClient } from '../../src/redis/index.ts';
import { createRedis } from '../../src/redis/index.ts';
import { metricKeys } from '../../src/redis/keys.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { parseExposition, sampleValue } from './exposition.ts';
import { type RuntimeFixture, startRuntime } from './runtime-fixture.ts';

let fx: RuntimeFixture;
const extra: RedisClient[] = [];

beforeAll(async () => {
  fx = await startRuntime();
});

afterAll(async () => {
  for (const client of extra) client.disconnect();
  await fx.close();
});

/** A recorder on a connection of its own, as a worker process would have. */
async function workerRecorder(): Promise<MetricsRecorder> {
  const client = await createRedis(fx.rt.config.REDIS_URL);
  extra.push(client);
  return new MetricsRecorder(client, fx.rt.prefix);
}

async function scrape() {
  return parseExposition(await collectMetrics(fx.rt, { processMetrics: false }));
}

describe('metrics recorded by workers, read at scrape', () => {
  it('sums rounds recorded by several processes', async () => {
    const [a, b] = [await workerRecorder(), await workerRecorder()];
    await a.recordRound({
      provider: 'google.com',
      sessions: 2,
      replyCodes: { '250': 5, '550': 1 },
      statuses: { deliverable: 5, undeliverable: 1 },
    });
    await b.recordRound({
      provider: 'google.com',
      sessions: 1,
      replyCodes: { '250': 2, '450': 3 },
      statuses: { deliverable: 2 },
    });
    await b.recordRound({ provider: 'outlook.com', sessions: 1, replyCodes: {}, statuses: {} });
    await a.recordThrottleWait('google.com');
    await b.recordThrottleWait('google.com');
    await a.recordGreylistRetries(3);

    const s = await scrape();
    const sessions = 'listclean_smtp_sessions_total';
    expect(sampleValue(s, sessions, { provider: 'google.com' })).toBe(3);
    expect(sampleValue(s, sessions, { provider: 'outlook.com' })).toBe(1);
    const replies = 'listclean_smtp_replies_total';
    expect(sampleValue(s, replies, { code: '250', provider: 'google.com' })).toBe(7);
    expect(sampleValue(s, replies, { code: '550', provider: 'google.com' })).toBe(1);
    expect(sampleValue(s, replies, { code: '450', provider: 'google.com' })).toBe(3);
    const verified = 'listclean_addresses_verified_total';
    expect(sampleValue(s, verified, { status: 'deliverable' })).toBe(7);
    expect(sampleValue(s, verified, { status: 'undeliverable' })).toBe(1);
    expect(sampleValue(s, 'listclean_throttle_waits_total', { provider: 'google.com' })).toBe(2);
    expect(sampleValue(s, 'listclean_greylist_retries_total')).toBe(3);
  });

  it('folds what it cannot trust as a label, and never counts backwards', async () => {
    const r = await workerRecorder();
    await r.recordRound({
      provider: null,
      sessions: 1,
      replyCodes: { '250': 1, 'garbage code': 2, '999': 1, '421': -4 },
      statuses: { 'Not A Status!': 1, unknown: 0 },
    });
    await r.recordRound({
      provider: 'Evil"}\nprovider',
      sessions: 1,
      replyCodes: {},
      statuses: {},
    });
    const s = await scrape();
    expect(sampleValue(s, 'listclean_smtp_sessions_total', { provider: 'unknown' })).toBe(1);
    expect(sampleValue(s, 'listclean_smtp_sessions_total', { provider: 'other' })).toBe(1);
    const replies = 'listclean_smtp_replies_total';
    expect(sampleValue(s, replies, { code: 'other', provider: 'unknown' })).toBe(3);
    expect(sampleValue(s, replies, { code: '421', provider: 'unknown' })).toBeUndefined();
    expect(sampleValue(s, 'listclean_addresses_verified_total', { status: 'other' })).toBe(1);
    expect(sampleValue(s, 'listclean_addresses_verified_total', { status: 'unknown' })).toBe(
      undefined,
    );
  });

  it('counts lists by status and greylisted addresses of unfinished lists only', async () => {
    const { lists } = fx.rt;
    const create = (id: string) =>
      lists.create({ id, name: id, tenant: 't', options: { includeRisky: false }, inputBytes: 1 });
    await Promise.all(['l1', 'l2', 'l3', 'l4'].map(create));
    await lists.advance('l2', 'verifying');
    await lists.advance('l3', 'verifying');
    await lists.advance('l4', 'done');
    await lists.increment('l2', 'greylisted', 4);
    await lists.increment('l3', 'greylisted', 2);
    await lists.increment('l4', 'greylisted', 50);
    // A moment between a decrement and its increment: not a negative pending count.
    await create('l5');
    await lists.increment('l5', 'greylisted', -3);

    const s = await scrape();
    expect(sampleValue(s, 'listclean_lists', { status: 'queued' })).toBe(2);
    expect(sampleValue(s, 'listclean_lists', { status: 'verifying' })).toBe(2);
    expect(sampleValue(s, 'listclean_lists', { status: 'done' })).toBe(1);
    expect(sampleValue(s, 'listclean_lists', { status: 'failed' })).toBe(0);
    expect(sampleValue(s, 'listclean_greylist_retries_pending')).toBe(6);
  });

  it('shows job counts per queue and state, the webhook queue included', async () => {
    await fx.rt.queues.probe.add('p', { any: 1 }, { delay: 60_000 });
    await fx.rt.queues.ingest.add('i', { any: 1 });
    const s = await scrape();
    expect(sampleValue(s, 'listclean_queue_jobs', { queue: 'probe', state: 'delayed' })).toBe(1);
    expect(sampleValue(s, 'listclean_queue_jobs', { queue: 'ingest', state: 'waiting' })).toBe(1);
    expect(sampleValue(s, 'listclean_queue_jobs', { queue: 'webhook', state: 'failed' })).toBe(0);
    const queues = new Set(
      s.filter((x) => x.name === 'listclean_queue_jobs').map((x) => x.labels.queue),
    );
    for (const name of ['aggregate', 'ingest', 'probe', 'webhook']) expect(queues).toContain(name);
  });

  it('keeps the top 200 providers and folds the rest into other', async () => {
    // A deployment of its own, so the earlier tests' providers do not join the ranking.
    const own = await startRuntime();
    try {
      await topProviders(own.rt);
    } finally {
      await own.close();
    }
  });

  it('fails the scrape instead of hanging when Redis does not answer', async () => {
    // Commands to a server that is not there wait in the offline queue, as during an outage.
    const dead = new Redis({ port: 1, maxRetriesPerRequest: null, retryStrategy: () => 200 });
    dead.on('error', () => undefined);
    try {
      await expect(
        collectMetrics({ ...fx.rt, redis: dead }, { timeoutMs: 300, processMetrics: false }),
      ).rejects.toMatchObject({ code: 'metrics_unavailable' });
    } finally {
      dead.disconnect();
    }
  });
});

async function topProviders(rt: Runtime): Promise<void> {
  const r = new MetricsRecorder(rt.redis, rt.prefix);
  // Provider i gets i sessions and i replies: the top 200 are p51 … p250.
  for (let i = 1; i <= 250; i++) {
    await r.recordRound({
      provider: `p${i}.example`,
      sessions: i,
      replyCodes: { '250': i },
      statuses: {},
    });
    await r.recordThrottleWait(`p${i}.example`);
  }
  const s = parseExposition(await collectMetrics(rt, { processMetrics: false }));
  const sessions = s.filter((x) => x.name === 'listclean_smtp_sessions_total');
  const bottom = (50 * 51) / 2; // p1 … p50
  expect(sessions.length).toBeLessThanOrEqual(201);
  expect(sessions.some((x) => x.labels.provider === 'p50.example')).toBe(false);
  expect(sampleValue(s, 'listclean_smtp_sessions_total', { provider: 'p51.example' })).toBe(51);
  expect(sampleValue(s, 'listclean_smtp_sessions_total', { provider: 'other' })).toBe(bottom);
  const replies = s.filter((x) => x.name === 'listclean_smtp_replies_total');
  const providers = new Set(replies.map((x) => x.labels.provider));
  expect(providers.size).toBeLessThanOrEqual(201);
  expect(sampleValue(s, 'listclean_smtp_replies_total', { code: '250', provider: 'other' })).toBe(
    bottom,
  );
  // Sums survive the folding.
  const total = replies.reduce((sum, x) => sum + x.value, 0);
  const raw = await rt.redis.hvals(metricKeys(rt.prefix).replies);
  expect(total).toBe(raw.reduce((sum, v) => sum + Number(v), 0));
  const waits = s.filter((x) => x.name === 'listclean_throttle_waits_total');
  expect(waits.length).toBeLessThanOrEqual(201);
}
