/**
 * The hostile corpus through `listclean clean FILE` in a child process, where reading, verifying
 * and writing the reports all happen in one process: a header-only file fails with `no_rows`,
 * and the 100k columns, the 10 MB field and the 200 MB line give complete reports with the
 * child's peak RSS (getrusage at exit, through a preloaded module) bounded over that of a run on
 * a three-row file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { expectReport, FIXTURES, type HostileCase, hostileCases, MAILBOXES } from './corpus.ts';

const MiB = 1024 * 1024;
const PRELOAD = pathToFileURL(path.resolve('test/hostile/max-rss.mjs')).href;

let world: SandboxWorld;
let dir: string;
let env: Record<string, string>;
let baseline = 0;
const figures: string[] = [];

beforeAll(async () => {
  world = await startWorld({
    domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: MAILBOXES } },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-hostile-cli-'));
  env = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: `lctest-hostile-${process.pid}`,
    STORAGE_URL: `file:${path.join(dir, 'storage')}`,
    NODE_OPTIONS: `--import=${PRELOAD}`,
  };
});

afterAll(async () => {
  await world?.close();
  if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
  if (dir) await rm(dir, { recursive: true, force: true });
  if (figures.length > 0) console.info(`hostile corpus, listclean clean:\n${figures.join('\n')}`);
});

async function clean(file: string, out: string) {
  const started = Date.now();
  const run = await runCli(['clean', file, '--out', out], { env, timeoutMs: 60_000 });
  const kb = Number(/max-rss-kb=(\d+)/.exec(run.stderr)?.[1]);
  expect(kb, run.stderr).toBeGreaterThan(0);
  return { ...run, peak: kb * 1024, ms: Date.now() - started };
}

/** The case's body as a file for `clean`. */
async function fileOf(hostile: HostileCase, name: string): Promise<string> {
  const body = await hostile.body();
  if (!Buffer.isBuffer(body)) return body.file;
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}

describe('listclean clean on hostile files', () => {
  it('refuses a header-only file with no_rows, and cleans three rows', async () => {
    const refused = await clean(path.join(FIXTURES, 'header-only.csv'), path.join(dir, 'out-h'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/header row but no data rows.*\[no_rows\]/);
    const small = await clean(path.join(FIXTURES, 'lf.csv'), path.join(dir, 'out-lf'));
    expect(small.code, small.stderr).toBe(0);
    baseline = small.peak;
    figures.push(`  three rows: peak RSS ${Math.round(small.peak / MiB)} MiB, ${small.ms} ms`);
  });

  const big = hostileCases(os.tmpdir()).filter((hostile) => hostile.peakMiB !== undefined);
  it.each(big.map((hostile, i) => [hostile.name, i]))(
    '%s: a complete report in bounded memory',
    async (name, i) => {
      expect(baseline).toBeGreaterThan(0);
      const hostile = hostileCases(dir).find((each) => each.name === name);
      if (!hostile) throw new Error(String(name));
      const file = await fileOf(hostile, `big-${i}.csv`);
      const out = path.join(dir, `out-${i}`);
      const run = await clean(file, out);
      expect(run.code, run.stderr).toBe(0);
      expectReport(await readFile(path.join(out, 'report.csv')), hostile, { file });
      await rm(file, { force: true });
      figures.push(
        `  ${name}: peak RSS ${Math.round(run.peak / MiB)} MiB (+${Math.round((run.peak - baseline) / MiB)} MiB), ${run.ms} ms`,
      );
      expect(run.peak - baseline).toBeLessThan((hostile.peakMiB ?? 0) * MiB);
    },
    60_000,
  );
});
