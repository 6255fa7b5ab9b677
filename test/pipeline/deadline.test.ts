/**
 * A list has a deadline: when it passes, what still waits (greylisting, a provider's turn, a
 * server to come back) is finalised with its last answer and the list completes. A domain that
 * verifies nothing (a tarpit) gives up after its time budget, without holding the list to its
 * deadline. Progress says what waits, why and until when.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProgress } from '../../src/pipeline/progress.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let world: SandboxWorld;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'greyforever.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['gina', 'gil'],
        greylist: { tries: -1 },
      },
      'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam', 'pat'] },
      'tarpit.test': { mx: [{ host: 'mx.tarpit.test' }], mailboxes: ['tom'] },
    },
    hosts: { 'mx.tarpit.test': { behavior: 'tarpit' } },
  });
});

afterAll(async () => {
  await world?.close();
});

async function withPipeline<T>(
  env: Record<string, string>,
  run: (harness: PipelineHarness) => Promise<T>,
): Promise<T> {
  const harness = await startHarness(world, env);
  const pool: WorkerPool = await startWorkers(harness.rt);
  try {
    return await run(harness);
  } finally {
    await pool.close(2000);
    await harness.close();
  }
}

// Four batches of 50: four jobs of the domain, each charging the budget.
const tarpitRows = Array.from({ length: 200 }, (_, i) => `t${i}@tarpit.test`);

describe('the list deadline', () => {
  it('finalises greylisted addresses with their last answer when it passes', async () => {
    // Retries an hour apart: without the deadline this list would take hours.
    await withPipeline({ GREYLIST_RETRY_DELAYS: '1h,2h' }, async (harness) => {
      await submitList(harness.rt, {
        id: 'deadline-grey',
        name: 'grey.csv',
        tenant: 't',
        options: { includeRisky: false, deadlineMs: 3000 },
        input:
          'email\ngina@greyforever.test\npam@plain.test\ngil@greyforever.test\npat@plain.test\n',
      });
      // While it waits, progress says for what and until when: no later than the deadline.
      let seen: Awaited<ReturnType<typeof listProgress>> | null = null;
      for (let i = 0; i < 100 && !seen; i++) {
        const meta = await harness.rt.lists.get('deadline-grey');
        if (!meta) throw new Error('list vanished');
        const progress = await listProgress(harness.rt, meta);
        if (progress.waiting.addresses.greylisted > 0) seen = progress;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen?.waiting.addresses.greylisted).toBe(2);
      expect(seen?.waiting.domains[0]).toMatchObject({
        domain: 'greyforever.test',
        addresses: 2,
        reason: 'greylisted',
      });
      expect(seen?.deadlineAt).not.toBeNull();
      expect(seen?.waiting.until).toBeLessThanOrEqual(seen?.deadlineAt ?? 0);

      await waitForList(harness.rt, 'deadline-grey', 30_000);
      const report = await readCsvOutput(harness.rt, 'deadline-grey', 'report.csv');
      expect(report.map((r) => [r.email, r.status, r.reason])).toEqual([
        ['gina@greyforever.test', 'unknown', 'greylisted'],
        ['pam@plain.test', 'deliverable', 'accepted'],
        ['gil@greyforever.test', 'unknown', 'greylisted'],
        ['pat@plain.test', 'deliverable', 'accepted'],
      ]);
      const verdicts = await harness.rt.results.getMany('deadline-grey', 'initial', [
        'gina@greyforever.test',
      ]);
      expect(verdicts.get('gina@greyforever.test')?.detail).toMatch(
        /450.*final at the list’s deadline/,
      );
      const meta = await harness.rt.lists.require('deadline-grey');
      expect(meta.greylisted).toBe(0);
      expect((await listProgress(harness.rt, meta)).waiting.until).toBeNull();
    });
  }, 60_000);

  it('gives up on a tarpit after the domain time budget, with no deadline at all', async () => {
    await withPipeline(
      {
        GREYLIST_RETRY_DELAYS: '1h',
        SMTP_BANNER_TIMEOUT: '300ms',
        DOMAIN_TIME_BUDGET: '1s',
        LIST_DEADLINE: '0',
      },
      async (harness) => {
        await submitList(harness.rt, {
          id: 'budget',
          name: 'budget.csv',
          tenant: 't',
          options: { includeRisky: false },
          input: `email\npam@plain.test\n${tarpitRows.join('\n')}\n`,
        });
        expect((await harness.rt.lists.get('budget'))?.deadlineAt).toBeNull();
        await waitForList(harness.rt, 'budget', 30_000);
        const report = await readCsvOutput(harness.rt, 'budget', 'report.csv');
        expect(report[0]).toMatchObject({ email: 'pam@plain.test', status: 'deliverable' });
        for (const row of report.slice(1)) {
          expect(row).toMatchObject({ status: 'unknown', reason: 'timeout' });
        }
        const verdicts = await harness.rt.results.getMany('budget', 'initial', tarpitRows);
        const details = [...verdicts.values()].map((v) => v.detail ?? '');
        expect(details).toHaveLength(tarpitRows.length);
        // Every batch either spent the budget or found it spent: none waits for its retry.
        expect(details.every((d) => /gave up on tarpit\.test after \d+ s/.test(d))).toBe(true);
        // Finished long before the first retry (an hour away): the budget, not a retry, ended it.
        expect(world.stats('mx.tarpit.test').sessions).toBeGreaterThan(0);
      },
    );
  }, 60_000);

  it('a hygiene run gets the list’s deadline again, from its own start', async () => {
    await withPipeline({}, async (harness) => {
      await submitList(harness.rt, {
        id: 'hyg-deadline',
        name: 'h.csv',
        tenant: 't',
        options: { includeRisky: false, deadlineMs: 3_600_000 },
        input: 'email\npam@plain.test\n',
      });
      await waitForList(harness.rt, 'hyg-deadline', 30_000);
      const first = await harness.rt.lists.deadlineOf('hyg-deadline');
      const { startHygieneRun } = await import('../../src/pipeline/hygiene.ts');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const started = await startHygieneRun(harness.rt, 'hyg-deadline');
      expect(started.started).toBe(true);
      const second = await harness.rt.lists.deadlineOf('hyg-deadline');
      expect(second).not.toBeNull();
      expect((second ?? 0) - Date.now()).toBeGreaterThan(3_500_000);
      expect(second).toBeGreaterThan(first ?? Number.POSITIVE_INFINITY);
      await waitForList(harness.rt, 'hyg-deadline', 30_000);
    });
  }, 60_000);
});
