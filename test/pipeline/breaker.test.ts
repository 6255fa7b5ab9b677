/**
 * The provider breaker in the pipeline: the breaker lives in Redis, so every worker stops
 * probing a provider that refused us; the operator is told in summary.json, report.html,
 * /metrics, and one line of `listclean clean`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMetrics } from '../../src/metrics/index.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { RedisProviderBreaker } from '../../src/throttle/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { runCli } from '../helpers/cli.ts';
import {
  type PipelineHarness,
  policyFile,
  readCsvOutput,
  readOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';
import { deleteTestPrefix } from '../helpers/redis-url.ts';

const BLOCKED_DOMAINS = Array.from({ length: 6 }, (_, i) => `b${i}.test`);
let world: SandboxWorld;
let harness: PipelineHarness;
let pool: WorkerPool;

beforeAll(async () => {
  const domains: Record<string, { mx: Array<{ host: string }>; mailboxes: string[] }> = {
    'fine.test': { mx: [{ host: 'mx.fine.test' }], mailboxes: ['fay'] },
  };
  for (const name of BLOCKED_DOMAINS) {
    domains[name] = {
      mx: [{ host: `mx.${name.replace('.test', '')}.blocker.test` }],
      mailboxes: ['x'],
    };
  }
  world = await startWorld({
    domains,
    hosts: Object.fromEntries(
      BLOCKED_DOMAINS.map((name) => [
        `mx.${name.replace('.test', '')}.blocker.test`,
        { blockSender: true },
      ]),
    ),
  });
  // One session at a time towards blocker.test: the first refusal opens the breaker before the
  // next session, whichever worker job asks for it.
  const policy = await policyFile({
    providers: [{ match: 'blocker.test', maxConcurrentSessions: 1 }],
  });
  // The provider is named in metrics only when allowed (METRICS_PROVIDERS; others are `other`).
  harness = await startHarness(world, {
    THROTTLE_POLICY: policy,
    METRICS_PROVIDERS: 'blocker.test',
  });
  pool = await startWorkers(harness.rt);
});
afterAll(async () => {
  await pool?.close(2000);
  await harness?.close();
  await world?.close();
});

describe('the provider breaker in the pipeline', () => {
  it('stops probing a provider that refused us and tells the operator', async () => {
    world.resetStats();
    await submitList(harness.rt, {
      id: 'blocked',
      name: 'blocked.csv',
      tenant: 't',
      options: { includeRisky: false },
      input: `email\nfay@fine.test\n${BLOCKED_DOMAINS.map((d) => `x@${d}`).join('\n')}\n`,
    });
    await waitForList(harness.rt, 'blocked');

    const sessions = BLOCKED_DOMAINS.reduce(
      (n, d) => n + world.stats(`mx.${d.replace('.test', '')}.blocker.test`).sessions,
      0,
    );
    expect(sessions).toBe(1);

    const report = await readCsvOutput(harness.rt, 'blocked', 'report.csv');
    const rows = report.filter(
      (r) => r.email?.endsWith('.blocker.test') || r.email?.startsWith('x@'),
    );
    expect(rows).toHaveLength(BLOCKED_DOMAINS.length);
    expect(rows.every((r) => r.status === 'unknown' && r.reason === 'blocked')).toBe(true);
    expect(rows.filter((r) => r.rule === 'mail-refused')).toHaveLength(1);
    expect(rows.filter((r) => r.rule === 'breaker-open')).toHaveLength(BLOCKED_DOMAINS.length - 1);
    expect(report.find((r) => r.email === 'fay@fine.test')?.status).toBe('deliverable');

    const summary = JSON.parse(await readOutput(harness.rt, 'blocked', 'summary.json'));
    expect(summary.warnings).toEqual([
      expect.objectContaining({
        code: 'provider_blocked',
        provider: 'blocker.test',
        reply: expect.stringMatching(/^550 5\.7\.1 .*blocked using zen\.spamhaus\.org/),
        rule: 'mail-refused',
        addresses: BLOCKED_DOMAINS.length,
      }),
    ]);
    const html = await readOutput(harness.rt, 'blocked', 'report.html');
    expect(html).toContain('Warning: mail servers refused us');
    expect(html).toContain('<b>blocker.test</b> refused us');

    const metrics = await collectMetrics(harness.rt, { processMetrics: false });
    expect(metrics).toMatch(/listclean_provider_breaker_trips_total\{provider="blocker\.test"\} 1/);
  });

  it('is shared by every worker: one breaker in Redis, opened once, closed after the cool-down', async () => {
    const a = new RedisProviderBreaker(harness.rt.redis, `${harness.rt.prefix}t2:`, 300);
    const b = new RedisProviderBreaker(harness.rt.redis, `${harness.rt.prefix}t2:`, 300);
    const first = await a.trip('p.test', '554 go away', 'banner-refused');
    const second = await b.trip('p.test', '554 again', 'banner-refused');
    expect(first?.opened).toBe(true);
    expect(second).toMatchObject({ opened: false, state: { reply: '554 go away' } });
    expect(await b.state('p.test')).toMatchObject({ provider: 'p.test', rule: 'banner-refused' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await a.state('p.test')).toBeNull();
    expect(
      await new RedisProviderBreaker(harness.rt.redis, 'x:', 0).trip('p', 'r', 'r'),
    ).toBeNull();
  });

  it('listclean clean prints one warning line naming the provider', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-breaker-'));
    const cliPrefix = `${harness.env.REDIS_PREFIX}-cli`;
    try {
      const input = path.join(dir, 'list.csv');
      await writeFile(input, `email\n${BLOCKED_DOMAINS.map((d) => `y@${d}`).join('\n')}\n`);
      const run = await runCli(['clean', input, '--out', path.join(dir, 'out')], {
        env: { ...harness.env, REDIS_PREFIX: cliPrefix },
        timeoutMs: 60_000,
      });
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stderr.split('\n').filter((l) => l.includes('[provider_blocked]'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /warning: blocker\.test refused us \(550 5\.7\.1 .*\); probing it is paused until/,
      );
      const summary = JSON.parse(await readFile(path.join(dir, 'out', 'summary.json'), 'utf8'));
      expect(summary.warnings[0]?.provider).toBe('blocker.test');
    } finally {
      await rm(dir, { recursive: true, force: true });
      // The harness deletes its own prefix, not this one.
      await deleteTestPrefix(cliPrefix, harness.env.REDIS_URL);
    }
  });
});
