/**
 * The whole pipeline against the sandbox: a 5,000-row list over 50 domains with every verdict
 * kind, through BullMQ with in-process workers, compared row by row with the ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { type GeneratedList, generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { REASONS } from '../../src/verdict/types.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  readOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';

let list: GeneratedList;
let world: SandboxWorld;
let harness: PipelineHarness;
let pool: WorkerPool;
const listId = 'e2e-5000';

beforeAll(async () => {
  list = generateList({
    rows: 5000,
    domains: 36,
    seed: 42,
    zipf: 1,
    duplicateShare: 0.05,
    invalidShare: 0.02,
  });
  world = await startWorld(list.scenario);
  harness = await startHarness(world);
  pool = await startWorkers(harness.rt);
  await submitList(harness.rt, {
    id: listId,
    name: 'e2e.csv',
    tenant: 'test',
    options: { includeRisky: false },
    input: toCsv(list.rows),
  });
  await waitForList(harness.rt, listId, 120_000);
}, 150_000);

afterAll(async () => {
  await pool?.close(2000);
  await harness?.close();
  await world?.close();
});

describe('5,000 rows over 50 domains, end to end', () => {
  it('uses at least 50 domains and every verdict reason', () => {
    const domains = new Set(list.rows.map((r) => r.email.split('@')[1]).filter(Boolean));
    expect(domains.size).toBeGreaterThanOrEqual(50);
    expect(new Set(list.rows.map((r) => r.expected))).toEqual(new Set(REASONS));
  });

  it('report.csv: one row per input row, in order, original columns intact, verdict = ground truth', async () => {
    const report = await readCsvOutput(harness.rt, listId, 'report.csv');
    expect(report).toHaveLength(list.rows.length);
    const wrong: string[] = [];
    report.forEach((row, i) => {
      const truth = list.rows[i];
      expect(row.id).toBe(String(i + 1));
      expect(row.email).toBe(truth?.email);
      expect(row.name).toBe(`Person ${i + 1}`);
      if (row.reason !== truth?.expected)
        wrong.push(`${truth?.email}: got ${row.reason}, want ${truth?.expected}`);
    });
    expect(wrong).toEqual([]);
  });

  it('cleaned.csv is exactly the deliverable rows (first occurrence), with the original columns only', async () => {
    const cleaned = await readCsvOutput(harness.rt, listId, 'cleaned.csv');
    const seen = new Set<string>();
    const expected = list.rows
      .map((row, i) => ({ ...row, id: String(i + 1) }))
      .filter((row) => {
        if (row.expected !== 'accepted') return false;
        const key = row.email.toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    expect(cleaned.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(Object.keys(cleaned[0] ?? {})).toEqual(['id', 'email', 'name']);
  });

  it('bounce-risk.csv holds every non-deliverable row, riskiest first', async () => {
    const risky = await readCsvOutput(harness.rt, listId, 'bounce-risk.csv');
    expect(risky).toHaveLength(list.rows.filter((r) => r.expected !== 'accepted').length);
    const scores = risky.map((r) => Number(r.risk_score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('summary.json counts add up; report.html is self-contained', async () => {
    const summary = JSON.parse(await readOutput(harness.rt, listId, 'summary.json'));
    expect(summary.rows).toBe(list.rows.length);
    const byStatus = Object.values(summary.by_status as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(byStatus).toBe(list.rows.length);
    expect(summary.expected_bounce_rate.after).toBeLessThan(summary.expected_bounce_rate.before);
    const html = await readOutput(harness.rt, listId, 'report.html');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src=|href="http/);
  });

  it('ran the aggregate once and probed every unique address at most a bounded number of times', async () => {
    const meta = await harness.rt.lists.get(listId);
    expect(meta?.aggregateRuns).toBe(1);
    expect(meta?.unique).toBe(
      new Set(
        list.rows.filter((r) => r.expected !== 'invalid_syntax').map((r) => r.email.toLowerCase()),
      ).size,
    );
    const asked = Object.values(world.allStats()).flatMap((s) => Object.entries(s.rcptsByAddress));
    // Greylisting and retries ask again, but never more than 1 + 2 retries.
    expect(asked.filter(([, n]) => n > 3)).toEqual([]);
  });
});
