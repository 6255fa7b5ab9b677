/**
 * `listclean clean --deadline`: a list that would wait hours for greylisting ends on time; and a
 * re-run with other options is another list.
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

let world: SandboxWorld;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'greyforever.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['gina'],
        greylist: { tries: -1 },
      },
      'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam'] },
      'catchall.test': { mx: [{ host: 'mx.catchall.test' }], catchAll: true },
    },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-deadline-'));
  await writeFile(path.join(dir, 'grey.csv'), 'email\ngina@greyforever.test\npam@plain.test\n');
  env = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: `lctest-deadline-${process.pid}`,
    STORAGE_URL: `file:${path.join(dir, 'storage')}`,
    // The first greylisting retry is an hour away.
    GREYLIST_RETRY_DELAYS: '1h',
  };
});

afterAll(async () => {
  await world?.close();
  if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('listclean clean --deadline', () => {
  it('finalises what still waits when the deadline passes, and says what it waited for', async () => {
    const out = path.join(dir, 'out');
    const run = await runCli(
      ['clean', path.join(dir, 'grey.csv'), '--out', out, '--deadline', '3s'],
      {
        env,
        timeoutMs: 60_000,
      },
    );
    expect(run.stderr, run.stderr).toMatch(
      /1 wait for greylisting retries \(most at greyforever\.test\) until \d\d:\d\d UTC; deadline \d\d:\d\d UTC/,
    );
    expect(run.code, run.stderr).toBe(0);
    const report = parse(await readFile(path.join(out, 'report.csv'), 'utf8'), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(report.map((r) => [r.email, r.status, r.reason])).toEqual([
      ['gina@greyforever.test', 'unknown', 'greylisted'],
      ['pam@plain.test', 'deliverable', 'accepted'],
    ]);
  }, 90_000);

  it('--partial writes what is known once every row is read, and stops', async () => {
    const out = path.join(dir, 'partial');
    const run = await runCli(
      ['clean', path.join(dir, 'grey.csv'), '--out', out, '--partial', '--deadline', '0'],
      { env, timeoutMs: 60_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^2 rows: .*, \d pending\nPartial reports in .*partial\/\n$/);
    const report = parse(await readFile(path.join(out, 'report.csv'), 'utf8'), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(report).toHaveLength(2);
    // The greylisted address cannot be final: its retry is an hour away.
    expect(report[0]).toMatchObject({ email: 'gina@greyforever.test', status: 'pending' });
  }, 90_000);

  it('refuses a deadline that is not a duration', async () => {
    const run = await runCli(['clean', path.join(dir, 'grey.csv'), '--deadline', 'soon'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /--deadline wants a duration such as 45m, 2h or 0 \(never\), got "soon" \[usage\]/,
    );
  });
});

describe('the right list on a re-run', () => {
  it('a list id covers the file and every option that changes the result', async () => {
    const { listIdFor } = await import('../../src/cli/run-clean.ts');
    const file = path.join(dir, 'grey.csv');
    const base = { includeRisky: false, deadlineMs: 7_200_000 };
    const id = await listIdFor(file, base);
    expect(await listIdFor(file, { ...base })).toBe(id);
    const changed = [
      { ...base, includeRisky: true },
      { ...base, column: 'email' },
      { ...base, column: '1' },
      { ...base, deadlineMs: 60_000 },
      { ...base, trace: true as const },
    ];
    const ids = await Promise.all(changed.map((options) => listIdFor(file, options)));
    expect(new Set([id, ...ids]).size).toBe(changed.length + 1);
    const other = path.join(dir, 'other.csv');
    await writeFile(other, 'email\ngina@greyforever.test\npam@plain.test\n\n');
    expect(await listIdFor(other, base)).not.toBe(id);
  });

  it('re-running with another option gives that option’s result, not the old list', async () => {
    const file = path.join(dir, 'catchall.csv');
    await writeFile(file, 'email\nanyone@catchall.test\npam@plain.test\n');
    const first = await runCli(['clean', file, '--out', path.join(dir, 'strict')], {
      env,
      timeoutMs: 60_000,
    });
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(
      ['clean', file, '--out', path.join(dir, 'risky'), '--include-risky'],
      { env, timeoutMs: 60_000 },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/continuing list/);
    const cleaned = async (out: string) =>
      (await readFile(path.join(dir, out, 'cleaned.csv'), 'utf8')).trim().split(/\r?\n/).length - 1;
    expect(await cleaned('strict')).toBe(1);
    expect(await cleaned('risky')).toBe(2);
    // The same command again is the same list.
    const same = await runCli(
      ['clean', file, '--out', path.join(dir, 'risky'), '--include-risky'],
      {
        env,
        timeoutMs: 60_000,
      },
    );
    expect(same.stderr).toMatch(/continuing list l[0-9a-f]+ \(done\)/);
  }, 120_000);
});
