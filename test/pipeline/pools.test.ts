/**
 * Provider pools (src/policy/pools.ts): a provider rule with its own session limit gets a probe
 * queue of its own, capped across every worker at that limit; ingest routes the provider's
 * domains there in batches of several sessions' worth, and near the end of the pool's work a
 * long job shares its addresses with the pool's idle slots. Without pool rules, ingest resolves
 * nothing and every batch goes to the shared `probe` queue.
 */
import type { Job, Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { POOL_BATCH_SESSIONS } from '../../src/pipeline/probe-route.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import type { ProbeJobData } from '../../src/pipeline/types.ts';
import { poolQueueName } from '../../src/policy/pools.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { startIngestWorker } from '../../workers/ingest.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  policyFile,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let world: SandboxWorld | undefined;
let harness: PipelineHarness | undefined;
let workers: WorkerPool | undefined;
afterEach(async () => {
  await workers?.close(2000);
  await harness?.close();
  await world?.close();
  workers = undefined;
  harness = undefined;
  world = undefined;
});

/** Expected reason per address, in list order. */
type Truth = Map<string, 'accepted' | 'mailbox_not_found'>;

/**
 * A domain on `host` with `existing` mailboxes, listed with `missing` addresses that do not
 * exist; adds them to `truth`.
 */
function addDomain(
  scenario: Scenario,
  truth: Truth,
  domain: string,
  host: string,
  existing: number,
  missing: number,
  extra: Partial<Scenario['domains'][string]> = {},
): void {
  const mailboxes = Array.from({ length: existing }, (_, i) => `u${i}`);
  scenario.domains[domain] = { mx: [{ host }], mailboxes, ...extra };
  for (const m of mailboxes) truth.set(`${m}@${domain}`, 'accepted');
  for (let i = 0; i < missing; i++) truth.set(`nobody${i}@${domain}`, 'mailbox_not_found');
}

async function runList(listId: string, truth: Truth): Promise<void> {
  if (!harness) throw new Error('no harness');
  await submitList(harness.rt, {
    id: listId,
    name: `${listId}.csv`,
    tenant: 'test',
    options: { includeRisky: false },
    input: `email\n${[...truth.keys()].join('\n')}\n`,
  });
  await waitForList(harness.rt, listId, 40_000);
}

/** Rows of report.csv whose reason is not the expected one (and the row count). */
async function wrongVerdicts(listId: string, truth: Truth): Promise<string[]> {
  if (!harness) throw new Error('no harness');
  const report = await readCsvOutput(harness.rt, listId, 'report.csv');
  expect(report).toHaveLength(truth.size);
  return report.flatMap((row) => {
    const want = truth.get(row.email ?? '');
    return row.reason === want ? [] : [`${row.email}: got ${row.reason}, want ${want}`];
  });
}

async function completedJobs(queue: Queue): Promise<Job<ProbeJobData>[]> {
  return (await queue.getJobs(['completed'])) as Job<ProbeJobData>[];
}

/** Submits the list and runs its ingest alone (no probe worker), until every batch is queued. */
async function ingestOnly(listId: string, truth: Truth): Promise<void> {
  if (!harness) throw new Error('no harness');
  const rt = harness.rt;
  const ingest = startIngestWorker(rt);
  try {
    await submitList(rt, {
      id: listId,
      name: `${listId}.csv`,
      tenant: 'test',
      options: { includeRisky: false },
      input: `email\n${[...truth.keys()].join('\n')}\n`,
    });
    const deadline = Date.now() + 20_000;
    while ((await rt.lists.get(listId))?.status !== 'verifying') {
      if (Date.now() > deadline) throw new Error('ingest did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await ingest.close();
  }
}

/** Addresses per queued job, in batch order (job ids end in the batch number). */
async function batchSizes(queue: Queue): Promise<number[]> {
  const jobs = (await queue.getJobs(['wait', 'prioritized'])) as Job<ProbeJobData>[];
  const batch = (job: Job) => Number(job.id?.split('-').at(-1));
  return jobs.sort((a, b) => batch(a) - batch(b)).map((j) => j.data.addresses.length);
}

const DEFAULTS = { maxConcurrentSessions: 4, maxRcptsPerSession: 10, connectionsPerMinute: 10_000 };

describe('provider probe pools', () => {
  it("a big provider's batches run in its own pool, capped across the pool and used to the limit", async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 10 };
    const truth: Truth = new Map();
    const big: string[] = [];
    const small: string[] = [];
    for (let d = 0; d < 6; d++) {
      big.push(`big${d}.test`);
      addDomain(scenario, truth, `big${d}.test`, 'mx.bigpool.test', 40, 4);
    }
    for (let d = 0; d < 10; d++) {
      small.push(`small${d}.test`);
      addDomain(scenario, truth, `small${d}.test`, `mx.small${d}.test`, 6, 2);
    }
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'bigpool.test', maxConcurrentSessions: 3 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const rt = harness.rt;
    expect(
      rt.pools.map(({ queue, match, concurrency, maxRcptsPerSession }) => ({
        queue,
        match,
        concurrency,
        maxRcptsPerSession,
      })),
    ).toEqual([
      {
        queue: poolQueueName('bigpool.test'),
        match: 'bigpool.test',
        concurrency: 3,
        maxRcptsPerSession: 10,
      },
    ]);
    const pool = rt.pools[0];
    if (!pool) throw new Error('no pool');
    workers = await startWorkers(rt);
    await runList('pools', truth);

    expect(await pool.bull.getGlobalConcurrency()).toBe(3);
    // Every big address was probed in exactly one pool job, none in the shared queue.
    const poolJobs = await completedJobs(pool.bull);
    const sharedJobs = await completedJobs(rt.queues.probe);
    expect(new Set(poolJobs.map((j) => j.data.domain))).toEqual(new Set(big));
    expect(new Set(sharedJobs.map((j) => j.data.domain))).toEqual(new Set(small));
    const bigAddresses = [...truth.keys()].filter((a) => big.includes(a.split('@')[1] ?? ''));
    expect(poolJobs.flatMap((j) => j.data.addresses).sort()).toEqual(bigAddresses.sort());
    for (const job of poolJobs) {
      expect(job.data.addresses.length).toBeLessThanOrEqual(POOL_BATCH_SESSIONS * 10);
    }
    for (const job of sharedJobs) expect(job.data.addresses.length).toBeLessThanOrEqual(10);
    // A big domain's 44 addresses are more than one pool job (30) before any split.
    expect(poolJobs.length).toBeGreaterThanOrEqual(big.length * 2);
    // Ingest resolved each domain's MX once; the probe jobs used the cached answer.
    for (const domain of [...big, ...small]) {
      expect(world.dns.queries.filter((q) => q === `MX ${domain}`)).toHaveLength(1);
    }

    const stats = world.stats('mx.bigpool.test');
    expect(stats.maxConcurrentSessions).toBe(3);
    expect(stats.sessions).toBeGreaterThanOrEqual(bigAddresses.length / 10);
    expect(await wrongVerdicts('pools', truth)).toEqual([]);
  }, 60_000);

  it("a lone batch of several sessions' worth is shared among the pool's idle slots", async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 15 };
    const truth: Truth = new Map();
    // 3 × 10 addresses: one pool job's worth. Whatever jobs ingest makes of it, the pool's other
    // slots are idle, so the work is shared.
    addDomain(scenario, truth, 'lone.test', 'mx.lonepool.test', 27, 3);
    expect(truth.size).toBe(POOL_BATCH_SESSIONS * 10);
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'lonepool.test', maxConcurrentSessions: 3 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const pool = harness.rt.pools[0];
    expect(pool?.queue).toBe(poolQueueName('lonepool.test'));
    if (!pool) throw new Error('no pool');
    workers = await startWorkers(harness.rt);
    await runList('lone', truth);

    const jobs = await completedJobs(pool.bull);
    expect(await completedJobs(harness.rt.queues.probe)).toEqual([]);
    expect(jobs.length).toBeGreaterThan(1);
    const ids = jobs.map((j) => j.id ?? '');
    const shares = ids.filter((id) => /-s\d+$/.test(id));
    expect(shares.length).toBeGreaterThan(0);
    // Each share's id derives from the job it came from, and it has the same parent.
    for (const id of shares) expect(ids).toContain(id.replace(/-s\d+$/, ''));
    expect(new Set(jobs.map((j) => j.parentKey)).size).toBe(1);
    expect(jobs[0]?.parentKey).toMatch(/:aggregate:/);
    // The shares partition the batch: every address probed in exactly one job.
    expect(jobs.flatMap((j) => j.data.addresses).sort()).toEqual([...truth.keys()].sort());
    expect(world.stats('mx.lonepool.test').maxConcurrentSessions).toBeGreaterThan(1);
    expect(world.stats('mx.lonepool.test').maxConcurrentSessions).toBeLessThanOrEqual(3);
    expect(await wrongVerdicts('lone', truth)).toEqual([]);
  }, 60_000);

  it('a pool job that runs again (greylisting) keeps every address it still has to probe', async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 10 };
    const truth: Truth = new Map();
    // 40 addresses: a pool job of 30 among them, which splits (nothing else is waiting); every
    // first RCPT is greylisted, so each share is re-queued whole and runs again with 15.
    addDomain(scenario, truth, 'grey.test', 'mx.greypool.test', 37, 3, { greylist: { tries: 1 } });
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'greypool.test', maxConcurrentSessions: 3 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const pool = harness.rt.pools[0];
    if (!pool) throw new Error('no pool');
    workers = await startWorkers(harness.rt);
    await runList('grey', truth);

    // Greylisting did make jobs run again…
    const asked = world.stats('mx.greypool.test').rcptsByAddress;
    expect(Object.values(asked).filter((n) => n >= 2).length).toBeGreaterThan(0);
    // …and every address ended in exactly one completed job, none dropped on the way.
    const jobs = await completedJobs(pool.bull);
    expect(jobs.flatMap((j) => j.data.addresses).sort()).toEqual([...truth.keys()].sort());
    expect(await wrongVerdicts('grey', truth)).toEqual([]);
  }, 60_000);

  it("ingest queues a pool provider's domain in batches of several sessions' worth", async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 10 };
    const truth: Truth = new Map();
    addDomain(scenario, truth, 'batch.test', 'mx.batchpool.test', 75, 0);
    addDomain(scenario, truth, 'tiny.test', 'mx.tiny.test', 25, 0);
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'batchpool.test', maxConcurrentSessions: 3 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const pool = harness.rt.pools[0];
    if (!pool) throw new Error('no pool');
    await ingestOnly('batches', truth);
    // The first batch too: the route lookup ingest starts for a new domain must be awaited before
    // that batch is cut, not only before it is queued.

    const size = POOL_BATCH_SESSIONS * 10;
    expect(await batchSizes(pool.bull)).toEqual([size, size, 75 - 2 * size]);
    expect(await batchSizes(harness.rt.queues.probe)).toEqual([10, 10, 5]);
  }, 60_000);

  it('without pool rules nothing is resolved at ingest and everything goes to the shared queue', async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 10 };
    const truth: Truth = new Map();
    const domains: string[] = [];
    for (let d = 0; d < 4; d++) {
      domains.push(`glob${d}.test`, `nopool${d}.test`);
      addDomain(scenario, truth, `glob${d}.test`, `mx${d}.globhost.test`, 15, 2);
      addDomain(scenario, truth, `nopool${d}.test`, 'mx.nopool.test', 15, 2);
    }
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [
        // A glob is no pool by default; `pool: false` turns off the default for a named provider.
        { match: '*.globhost.test', maxConcurrentSessions: 2 },
        { match: 'nopool.test', maxConcurrentSessions: 2, pool: false },
      ],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const rt = harness.rt;
    expect(rt.pools).toEqual([]);

    // Ingest alone first: it queues every batch without a single DNS question.
    await ingestOnly('nopools', truth);
    expect(world.dns.queries).toEqual([]);
    const queued = (await rt.queues.probe.getJobs(['wait'])) as Job<ProbeJobData>[];
    expect(queued.flatMap((j) => j.data.addresses).sort()).toEqual([...truth.keys()].sort());
    for (const job of queued) expect(job.data.addresses.length).toBeLessThanOrEqual(10);

    workers = await startWorkers(rt);
    await waitForList(rt, 'nopools', 40_000);
    const done = await completedJobs(rt.queues.probe);
    expect(new Set(done.map((j) => j.data.domain))).toEqual(new Set(domains));
    // The rules' session limits still hold, through the shared queue's gate.
    expect(world.stats('mx.nopool.test').maxConcurrentSessions).toBeLessThanOrEqual(2);
    expect(await wrongVerdicts('nopools', truth)).toEqual([]);
  }, 60_000);

  it('jobs left in a pool the policy no longer names are still done', async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 5 };
    const truth: Truth = new Map();
    addDomain(scenario, truth, 'left.test', 'mx.leftpool.test', 45, 5);
    addDomain(scenario, truth, 'tail.test', 'mx.tail.test', 8, 2);
    world = await startWorld(scenario);
    const withPool = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'leftpool.test', maxConcurrentSessions: 2 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: withPool });
    const pool = harness.rt.pools[0];
    if (!pool) throw new Error('no pool');
    await ingestOnly('orphaned', truth);
    expect((await pool.bull.getJobCounts('wait')).wait).toBeGreaterThan(0);

    // A new deployment's policy drops the pool before a single probe ran.
    const withoutPool = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'leftpool.test', maxConcurrentSessions: 2, pool: false }],
    });
    const rt = await createRuntime(readEnv({ ...harness.env, THROTTLE_POLICY: withoutPool }));
    try {
      expect(rt.pools).toEqual([]);
      workers = await startWorkers(rt);
      expect(workers.workers.map((w) => w.name)).toContain(pool.queue);
      await waitForList(rt, 'orphaned', 40_000);
      await workers.close(2000);
      workers = undefined;
      expect(await wrongVerdicts('orphaned', truth)).toEqual([]);
      expect(world.stats('mx.leftpool.test').maxConcurrentSessions).toBeLessThanOrEqual(2);
      // Drained: the next start finds nothing left to take over.
      workers = await startWorkers(rt);
      expect(workers.workers.map((w) => w.name)).not.toContain(pool.queue);
      await workers.close(2000);
      workers = undefined;
    } finally {
      await rt.close();
    }
  }, 60_000);

  it('a domain whose name servers do not answer goes to the shared queue', async () => {
    const scenario: Scenario = { domains: {}, latencyMs: 5 };
    const truth: Truth = new Map();
    addDomain(scenario, truth, 'pooled.test', 'mx.quickpool.test', 12, 0);
    addDomain(scenario, truth, 'silent.test', 'mx.quickpool.test', 12, 0, { dnsTimeout: true });
    world = await startWorld(scenario);
    const policy = await policyFile({
      defaults: DEFAULTS,
      providers: [{ match: 'quickpool.test', maxConcurrentSessions: 2 }],
    });
    harness = await startHarness(world, { THROTTLE_POLICY: policy });
    const pool = harness.rt.pools[0];
    if (!pool) throw new Error('no pool');
    await ingestOnly('silent', truth);
    const pooled = (await pool.bull.getJobs(['wait'])) as Job<ProbeJobData>[];
    const shared = (await harness.rt.queues.probe.getJobs(['wait'])) as Job<ProbeJobData>[];
    expect(new Set(pooled.map((j) => j.data.domain))).toEqual(new Set(['pooled.test']));
    expect(new Set(shared.map((j) => j.data.domain))).toEqual(new Set(['silent.test']));
  }, 60_000);
});
