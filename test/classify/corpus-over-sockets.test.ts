/**
 * Real replies over real sockets: a sandbox world answers with corpus replies, and `listclean
 * verify` and `listclean clean` (child processes, real Redis) must give each address the
 * status the corpus expects, the same reason and rule as the classifier in process, and keep
 * the server's reply (code, enhanced code, text) in the verdict.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { type CorpusRow, judge, loadCorpus, wireReply } from './corpus.ts';
import { corpusWorld, sampleRows } from './corpus-world.ts';

const rows = sampleRows(loadCorpus(), 8);
const { scenario, addresses } = corpusWorld(rows);
let world: SandboxWorld;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld(scenario);
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-corpus-'));
  env = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: `lctest-corpus-${process.pid}`,
    STORAGE_URL: `file:${path.join(dir, 'storage')}`,
    GREYLIST_RETRY_DELAYS: '50ms,50ms',
    // Each address must show its own reply's verdict, not a breaker another reply opened.
    BREAKER_COOLDOWN: '0',
  };
});
afterAll(async () => {
  await world?.close();
  await deleteTestPrefix(env?.REDIS_PREFIX ?? 'none');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectRow(row: CorpusRow, got: Record<string, string | number | null>): void {
  const inProcess = judge(row);
  const where = `${row.id}: ${row.reply}`;
  expect(got.status, where).toBe(row.status);
  expect(got.reason, where).toBe(inProcess.reason);
  expect(got.rule, where).toBe(inProcess.classification.rule);
  // The verdict keeps the last reply the server gave: its code, at every stage.
  expect(String(got.smtp_code), where).toBe(String(wireReply(row.reply).code));
}

describe('the reply corpus over real sockets', () => {
  it('has a few dozen rows from every source, before and at RCPT', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.file)).size).toBeGreaterThanOrEqual(4);
    expect(rows.some((r) => r.stage !== 'rcpt')).toBe(true);
  });

  it('listclean verify gives every address the verdict of its reply', async () => {
    const run = await runCli(['verify', '--greylist-delays', '50ms,50ms', ...addresses.keys()], {
      env,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string | number | null>);
    expect(results).toHaveLength(addresses.size);
    for (const result of results) {
      const row = addresses.get(String(result.email));
      if (!row) throw new Error(`unexpected address ${result.email}`);
      expectRow(row, result);
    }
  }, 150_000);

  it('listclean clean gives every row the same verdict in report.csv', async () => {
    const input = path.join(dir, 'corpus.csv');
    await writeFile(input, `email\n${[...addresses.keys()].join('\n')}\n`);
    const out = path.join(dir, 'out');
    const run = await runCli(['clean', input, '--out', out], { env, timeoutMs: 150_000 });
    expect(run.code, run.stderr).toBe(0);
    const report = parse(await readFile(path.join(out, 'report.csv')), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(report).toHaveLength(addresses.size);
    for (const result of report) {
      const row = addresses.get(result.email ?? '');
      if (!row) throw new Error(`unexpected address ${result.email}`);
      expectRow(row, result);
    }
  }, 180_000);
});
