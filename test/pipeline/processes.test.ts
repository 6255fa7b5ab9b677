/**
 * Several `listclean worker` processes on one Redis: per-provider limits hold across all of
 * them, a throttled provider does not hold up small domains, and a worker killed with SIGKILL
 * mid-list loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  policyFile,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let world: SandboxWorld | undefined;
let harness: PipelineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await world?.close();
  harness = undefined;
  world = undefined;
});

/** `count` domains on one provider's MX host, `perDomain` existing mailboxes each. */
function providerDomains(
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

describe('worker processes sharing one Redis', () => {
  // With a pool (the provider's own queue, its active jobs capped across processes) and without
  // (the shared queue, where the Redis session gate alone holds the limit).
  it.each([
    ['in its own pool', true],
    ['in the shared queue', false],
  ])(
    '3 processes never exceed a provider limit of 2 sessions, and do use 2 (%s)',
    async (_, pool) => {
      const scenario: Scenario = { domains: {}, latencyMs: 15 };
      const emails = providerDomains(scenario, 'mx.bigprovider.test', 'big', 12, 20);
      world = await startWorld(scenario);
      const policy = await policyFile({
        defaults: {
          maxConcurrentSessions: 4,
          maxRcptsPerSession: 10,
          connectionsPerMinute: 10_000,
        },
        providers: [{ match: 'bigprovider.test', maxConcurrentSessions: 2, pool }],
      });
      harness = await startHarness(world, { THROTTLE_POLICY: policy });
      expect(harness.rt.pools.map((p) => p.queue)).toEqual(pool ? ['probe-bigprovider.test'] : []);
      for (let i = 0; i < 3; i++) await harness.spawnWorker();
      await submitList(harness.rt, {
        id: 'throttle',
        name: 't.csv',
        tenant: 'test',
        options: { includeRisky: false },
        input: `email\n${emails.join('\n')}\n`,
      });
      await waitForList(harness.rt, 'throttle', 90_000);
      const stats = world.stats('mx.bigprovider.test');
      expect(stats.maxConcurrentSessions).toBe(2);
      expect(stats.sessions).toBeGreaterThanOrEqual(emails.length / 10);
      const report = await readCsvOutput(harness.rt, 'throttle', 'report.csv');
      expect(report.filter((r) => r.reason === 'accepted')).toHaveLength(emails.length);
    },
    120_000,
  );

  it.each([
    ['in its own pool', true],
    ['in the shared queue', false],
  ])(
    '20 small domains finish while a throttled big provider still has work queued (%s)',
    async (_, pool) => {
      const scenario: Scenario = { domains: {}, latencyMs: 20 };
      const big = providerDomains(scenario, 'mx.slowgiant.test', 'giant', 8, 25);
      const small: string[] = [];
      for (let d = 0; d < 20; d++)
        small.push(...providerDomains(scenario, `mx.small${d}.test`, `small${d}-`, 1, 3));
      world = await startWorld(scenario);
      const policy = await policyFile({
        defaults: { maxConcurrentSessions: 2, maxRcptsPerSession: 5, connectionsPerMinute: 10_000 },
        providers: [{ match: 'slowgiant.test', maxConcurrentSessions: 1, pool }],
      });
      harness = await startHarness(world, { THROTTLE_POLICY: policy });
      expect(harness.rt.pools).toHaveLength(pool ? 1 : 0);
      const workers = await startWorkers(harness.rt);
      const rt = harness.rt;
      // Big provider first in the file: a FIFO without per-provider gates would serve it first.
      await submitList(rt, {
        id: 'hol',
        name: 'hol.csv',
        tenant: 'test',
        options: { includeRisky: false },
        input: `email\n${[...big, ...small].join('\n')}\n`,
      });
      let smallDoneWhileBigPending = false;
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const [smallResults, bigResults] = await Promise.all([
          rt.results.getMany('hol', 'initial', small),
          rt.results.getMany('hol', 'initial', big),
        ]);
        if (smallResults.size === small.length) {
          smallDoneWhileBigPending = bigResults.size < big.length;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await workers.close(2000);
      expect(smallDoneWhileBigPending).toBe(true);
    },
    120_000,
  );
});
