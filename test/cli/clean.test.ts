/** `listclean clean` as a user runs it: a child process against a sandbox world and Redis. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FILES } from '../../src/report/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { generateList, toCsv } from '../../src/sandbox/lists/list-generator.ts';
import { stopChild, track } from '../helpers/children.ts';
import { BIN, runCli } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';

const list = generateList({
  rows: 600,
  domains: 10,
  seed: 5,
  specials: false,
  duplicateShare: 0.05,
});
let world: SandboxWorld;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  list.scenario.latencyMs = 5;
  world = await startWorld(list.scenario);
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-cli-'));
  await writeFile(path.join(dir, 'contacts.csv'), toCsv(list.rows));
  env = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: `lctest-cli-${process.pid}`,
    STORAGE_URL: `file:${path.join(dir, 'storage')}`,
    GREYLIST_RETRY_DELAYS: '100ms',
  };
});
afterAll(async () => {
  await world?.close();
  if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('listclean clean', () => {
  it('writes the five reports into --out, with plain progress lines when stderr is not a TTY', async () => {
    const out = path.join(dir, 'out');
    const run = await runCli(['clean', path.join(dir, 'contacts.csv'), '--out', out], {
      env,
      timeoutMs: 90_000,
    });
    expect(run.stderr).toMatch(
      /listclean: (verifying|done): \d+ rows read, \d+ unique, \d+ verified/,
    );
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    const report = parse(await readFile(path.join(out, 'report.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    expect(report).toHaveLength(list.rows.length);
    expect(report.map((r) => r.reason)).toEqual(list.rows.map((r) => r.expected));
    expect(run.stdout).toMatch(/600 rows: \d+ deliverable/);
  }, 100_000);

  it('Ctrl-C leaves the list resumable: the same command continues it', async () => {
    const slowWorld = await startWorld({ ...list.scenario, latencyMs: 40 });
    const slowEnv = { ...env, ...slowWorld.env, REDIS_PREFIX: `${env.REDIS_PREFIX}-resume` };
    const file = path.join(dir, 'resume.csv');
    await writeFile(file, toCsv(list.rows));
    const out = path.join(dir, 'resume-out');
    const child = track(
      spawn(process.execPath, [BIN, 'clean', file, '--out', out], {
        env: { ...process.env, ...slowEnv },
      }),
    );
    try {
      let stderr = '';
      child.stderr.on('data', (c) => {
        stderr += c;
      });
      while (!/verifying: \d+ rows read, \d+ unique, [1-9]\d* verified/.test(stderr)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`clean exited early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /interrupted; what is known so far is in .* \(\d+ rows pending\); run the same command again to continue list l[0-9a-f]+/,
      );
      // What was known at Ctrl-C: every row, the unverified ones marked pending.
      const partial = parse(await readFile(path.join(out, 'report.csv')), {
        columns: true,
      }) as Record<string, string>[];
      expect(partial).toHaveLength(list.rows.length);
      expect(partial.some((r) => r.status === 'pending')).toBe(true);
      for (const [i, row] of partial.entries()) {
        if (row.status !== 'pending') expect(row.reason).toBe(list.rows[i]?.expected);
      }

      const again = await runCli(['clean', file, '--out', out], {
        env: slowEnv,
        timeoutMs: 90_000,
      });
      expect(again.stderr).toMatch(
        /continuing list l[0-9a-f]+ \((verifying|ingesting|aggregating)\)/,
      );
      expect(again.code).toBe(0);
      const report = parse(await readFile(path.join(out, 'report.csv')), {
        columns: true,
      }) as Record<string, string>[];
      expect(report.map((r) => r.reason)).toEqual(list.rows.map((r) => r.expected));
    } finally {
      await stopChild(child);
      await slowWorld.close();
      await deleteTestPrefix(slowEnv.REDIS_PREFIX);
    }
  }, 150_000);

  it('fails with a one-line reason on a file that is not CSV, and on a missing file', async () => {
    const pdf = path.join(dir, 'list.pdf.csv');
    await writeFile(pdf, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 7)]));
    const run = await runCli(['clean', pdf], { env, timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    // One code, the failure's own.
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      /^listclean: the list failed: [^[]*PDF[^[]*\[not_csv\]$/,
    );
    const missing = await runCli(['clean', path.join(dir, 'nope.csv')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(
      /^listclean: No such file: .*nope\.csv \[file_not_found\]$/,
    );
    const folder = await runCli(['clean', dir], { env });
    expect(folder.code).toBe(1);
    expect(folder.stderr.trim()).toMatch(
      /^listclean: .* is a directory; name the CSV file in it \[file_not_found\]$/,
    );
  }, 90_000);

  it('says how to get Redis when the configured one does not answer', async () => {
    const run = await runCli(['clean', path.join(dir, 'contacts.csv')], {
      env: { ...env, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1\..*\[redis_unavailable\]$/,
    );
  });
});
