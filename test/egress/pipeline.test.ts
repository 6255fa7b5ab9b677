/**
 * Egresses end to end: `listclean verify` and `listclean clean` through a SOCKS5 proxy name it
 * in their output, and greylisting affinity across `listclean worker` processes that own
 * different local addresses — a greylisted address is retried from the address that asked
 * first, whichever worker takes the retry, and taken over only once no live worker has it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { egressOwnersKey } from '../../src/redis/index.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { stopChild } from '../helpers/children.ts';
import { runCli } from '../helpers/cli.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { type RunningSocks, startSocks } from '../helpers/socks.ts';
import { TEST_ENV } from '../helpers/verify.ts';

describe('the egress in what the commands print', () => {
  let world: SandboxWorld;
  let socks: RunningSocks;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    world = await startWorld({
      domains: { 'cli.test': { mx: [{ host: 'mx.cli.test' }], mailboxes: ['ann', 'bob'] } },
    });
    socks = await startSocks(undefined, '127.0.0.33');
    dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-egress-'));
    env = {
      ...world.env,
      ...TEST_ENV,
      REDIS_URL,
      REDIS_PREFIX: `lctest-egress-${process.pid}`,
      STORAGE_URL: `file:${path.join(dir, 'storage')}`,
      SMTP_PROXIES: `eu1=${socks.url}`,
    };
  });
  afterAll(async () => {
    await socks?.stop();
    await world?.close();
    if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('listclean verify: each JSON line names the egress', async () => {
    const run = await runCli(['verify', 'ann@cli.test'], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({
      email: 'ann@cli.test',
      status: 'deliverable',
      egress: 'eu1',
    });
    expect(world.stats('mx.cli.test').clientIps).toContain('127.0.0.33');
  });

  it('listclean clean: report.csv has the egress column', async () => {
    await writeFile(path.join(dir, 'list.csv'), 'email\nann@cli.test\nbob@cli.test\nno-at-all\n');
    const out = path.join(dir, 'out');
    const run = await runCli(['clean', path.join(dir, 'list.csv'), '--out', out], {
      env: { ...env, CACHE_MAX_AGE: '0' },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const report = parse(await readFile(path.join(out, 'report.csv')), {
      columns: true,
      bom: true,
    }) as Record<string, string>[];
    expect(report.map((r) => [r.email, r.status, r.egress])).toEqual([
      ['ann@cli.test', 'deliverable', 'eu1'],
      ['bob@cli.test', 'deliverable', 'eu1'],
      // Never probed: no egress.
      ['no-at-all', 'undeliverable', ''],
    ]);
  }, 70_000);
});

describe('greylisting affinity across worker processes', () => {
  let world: SandboxWorld | undefined;
  let harness: PipelineHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    await world?.close();
    harness = undefined;
    world = undefined;
  });

  /** `count` greylisting domains, each on an MX host of its own (so its stats are its own). */
  function greylisting(count: number): { scenario: Scenario; emails: string[] } {
    const scenario: Scenario = { domains: {} };
    const emails: string[] = [];
    for (let d = 0; d < count; d++) {
      // First try of every (client IP, MAIL FROM, RCPT) deferred: a retry from another client
      // is greylisted again.
      scenario.domains[`grey${d}.test`] = {
        mx: [{ host: `mx.grey${d}.test` }],
        mailboxes: ['x'],
        greylist: { tries: 1 },
      };
      emails.push(`x@grey${d}.test`);
    }
    return { scenario, emails };
  }

  it('a greylisted address is retried from the same egress, whichever worker takes the retry', async () => {
    const { scenario, emails } = greylisting(8);
    world = await startWorld(scenario);
    harness = await startHarness(world, {
      GREYLIST_RETRY_DELAYS: '300ms,300ms,300ms',
      CACHE_MAX_AGE: '0',
    });
    await harness.spawnWorker({ SMTP_LOCAL_ADDRESSES: '127.0.0.21' });
    await harness.spawnWorker({ SMTP_LOCAL_ADDRESSES: '127.0.0.22' });
    await submitList(harness.rt, {
      id: 'affinity',
      name: 'affinity.csv',
      tenant: 'test',
      options: { includeRisky: false },
      input: `email\n${emails.join('\n')}\n`,
    });
    await waitForList(harness.rt, 'affinity', 60_000);
    const report = await readCsvOutput(harness.rt, 'affinity', 'report.csv');
    const seen = new Set<string>();
    for (const [d, email] of emails.entries()) {
      const stats = world.stats(`mx.grey${d}.test`);
      const first = stats.clientIps[0] ?? '';
      seen.add(first);
      // Asked twice (greylisted, then accepted), both times from the first client address.
      expect(stats.clientIps, email).toEqual([first, first]);
      expect(stats.rcptsByAddress[email], email).toBe(2);
      expect(
        report.find((r) => r.email === email),
        email,
      ).toMatchObject({
        status: 'deliverable',
        reason: 'accepted',
        egress: first,
      });
    }
    expect([...seen].every((ip) => ip === '127.0.0.21' || ip === '127.0.0.22')).toBe(true);
  }, 90_000);

  it('a greylisting retry repeats the MAIL FROM that was greylisted, whichever worker sends it', async () => {
    const { scenario, emails } = greylisting(1);
    world = await startWorld(scenario);
    harness = await startHarness(world, {
      GREYLIST_RETRY_DELAYS: '2s,300ms,300ms',
      CACHE_MAX_AGE: '0',
    });
    const rt = harness.rt;
    const first = await harness.spawnWorker({
      SMTP_LOCAL_ADDRESSES: '127.0.0.21',
      MAIL_FROM: 'first@senders.test',
    });
    await submitList(rt, {
      id: 'sender',
      name: 'sender.csv',
      tenant: 'test',
      options: { includeRisky: false },
      input: `email\n${emails.join('\n')}\n`,
    });
    for (let i = 0; (await rt.lists.get('sender'))?.greylisted !== 1; i++) {
      if (i > 200) throw new Error('the address was never greylisted');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await stopChild(first, 10_000);
    // Same egress, another sender configured: the retry still sends the greylisted one.
    await harness.spawnWorker({
      SMTP_LOCAL_ADDRESSES: '127.0.0.21',
      MAIL_FROM: 'second@senders.test',
    });
    await waitForList(rt, 'sender', 60_000);
    const stats = world.stats('mx.grey0.test');
    expect(stats.clientIps).toEqual(['127.0.0.21', '127.0.0.21']);
    expect(new Set(stats.mailFroms)).toEqual(new Set(['first@senders.test']));
    expect(stats.rcptsByAddress['x@grey0.test']).toBe(2);
    const report = await readCsvOutput(rt, 'sender', 'report.csv');
    expect(report[0]).toMatchObject({ email: 'x@grey0.test', status: 'deliverable' });
  }, 90_000);

  it('a retry whose egress no live worker has any more is taken over, and greylisting starts again', async () => {
    const { scenario, emails } = greylisting(1);
    world = await startWorld(scenario);
    harness = await startHarness(world, {
      GREYLIST_RETRY_DELAYS: '2s,300ms,300ms',
      CACHE_MAX_AGE: '0',
    });
    const first = await harness.spawnWorker({ SMTP_LOCAL_ADDRESSES: '127.0.0.21' });
    const rt = harness.rt;
    const owners = egressOwnersKey(rt.prefix, '127.0.0.21');
    expect(await rt.redis.exists(owners)).toBe(1);
    await submitList(rt, {
      id: 'takeover',
      name: 'takeover.csv',
      tenant: 'test',
      options: { includeRisky: false },
      input: `email\n${emails.join('\n')}\n`,
    });
    // Greylisted once from 127.0.0.21; its worker stops (gracefully: it unregisters).
    for (let i = 0; (await rt.lists.get('takeover'))?.greylisted !== 1; i++) {
      if (i > 200) throw new Error('the address was never greylisted');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await stopChild(first, 10_000);
    expect(await rt.redis.exists(owners)).toBe(0);
    const second = await harness.spawnWorker({ SMTP_LOCAL_ADDRESSES: '127.0.0.22' });
    await waitForList(rt, 'takeover', 60_000);
    const stats = world.stats('mx.grey0.test');
    expect(stats.clientIps).toEqual(['127.0.0.21', '127.0.0.22', '127.0.0.22']);
    const report = await readCsvOutput(rt, 'takeover', 'report.csv');
    expect(report[0]).toMatchObject({
      email: 'x@grey0.test',
      status: 'deliverable',
      egress: '127.0.0.22',
    });
    expect(harness.outputOf(second)).toContain(
      'no live worker has egress 127.0.0.21 any more; greylisting starts again',
    );
  }, 90_000);
});
