/**
 * Transcripts and domain signals through the pipeline (issue 12): a list with `trace` stores
 * each session's transcript under its run and names in report.csv's `trace` the one that
 * decided each row (a greylisted row: its retry's); report.csv and report.html carry the
 * domain signals; `listclean clean --trace` writes the transcripts into `--out DIR/traces/`.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { findTrace, isTraceName, roundRecorder } from '../../src/pipeline/traces.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { runCli } from '../helpers/cli.ts';
import {
  type PipelineHarness,
  readCsvOutput,
  readOutput,
  startHarness,
  waitForList,
} from '../helpers/pipeline.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';

const scenario: Scenario = {
  domains: {
    'signed.test': {
      mx: [{ host: 'aspmx.l.google.com' }],
      mailboxes: ['ann', 'amy'],
      txt: ['v=spf1 ip4:127.0.0.0/8 -all'],
    },
    'bare.test': { mx: [{ host: 'mx.bare.test' }], mailboxes: ['bob'] },
    // Greylists each new triplet once: each list has an address of its own there.
    'grey.test': {
      mx: [{ host: 'mx.grey.test' }],
      mailboxes: ['gil', 'gus'],
      greylist: { tries: 1 },
    },
  },
  records: [{ name: '_dmarc.signed.test', type: 'TXT', value: 'v=DMARC1; p=reject' }],
};

const csv = (grey: string) =>
  `email,name\nann@signed.test,Ann\nghost@signed.test,Ghost\nbob@bare.test,Bob\n${grey}@grey.test,Grey\nnot-an-address,Nobody\nANN@signed.test,Ann again\n`;

let world: SandboxWorld;
let harness: PipelineHarness;
let pool: WorkerPool;

async function run(id: string, trace: boolean, grey: string): Promise<Record<string, string>[]> {
  await submitList(harness.rt, {
    id,
    name: `${id}.csv`,
    tenant: 'test',
    options: { includeRisky: false, ...(trace ? { trace: true as const } : {}) },
    input: csv(grey),
  });
  await waitForList(harness.rt, id, 60_000);
  return readCsvOutput(harness.rt, id, 'report.csv');
}

async function stored(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await harness.rt.storage.get(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  world = await startWorld(scenario);
  harness = await startHarness(world);
  pool = await startWorkers(harness.rt);
}, 30_000);

afterAll(async () => {
  await pool?.close(2000);
  await harness?.close();
  await world?.close();
});

describe('a list verified without trace', () => {
  it('keeps no transcript, and report.csv has the signal columns', async () => {
    const report = await run('plain', false, 'gil');
    expect(report.map((r) => [r.email, r.status, r.mx_provider, r.spf, r.dmarc, r.trace])).toEqual([
      ['ann@signed.test', 'deliverable', 'google', 'true', 'reject', ''],
      ['ghost@signed.test', 'undeliverable', 'google', 'true', 'reject', ''],
      ['bob@bare.test', 'deliverable', 'bare.test', 'false', 'absent', ''],
      ['gil@grey.test', 'deliverable', 'grey.test', 'false', 'absent', ''],
      ['not-an-address', 'undeliverable', '', '', '', ''],
      ['ANN@signed.test', 'deliverable', 'google', 'true', 'reject', ''],
    ]);
    expect(await harness.rt.storage.list('lists/plain/runs/initial/traces/')).toEqual([]);
  });

  it('report.html counts the providers and DMARC policies', async () => {
    const html = await readOutput(harness.rt, 'plain', 'report.html');
    const section = html.slice(html.indexOf('<h2>Mail providers</h2>'));
    expect(section).toMatch(
      /<td class="domain">google<\/td><td class="n">2<\/td><td class="n">50\.0%<\/td>/,
    );
    expect(section).toContain('<td class="domain">bare.test</td>');
    expect(section).toMatch(/<td class="domain">reject<\/td><td>[^<]+<\/td><td class="n">2</);
    expect(section).toMatch(/<td class="domain">absent<\/td><td>[^<]+<\/td><td class="n">2</);
    expect(section).toContain('SPF published for 2 address(es), missing for 2, unknown for 0');
  });
});

describe('a list verified with trace', () => {
  let report: Record<string, string>[];

  beforeAll(async () => {
    // Every address is probed again: the verdicts of the list above are in the cache.
    report = await run('traced', true, 'gus');
  }, 90_000);

  it('names on every probed row the transcript of the session that decided it', async () => {
    const byEmail = new Map(report.map((r) => [r.email, r]));
    for (const email of [
      'ann@signed.test',
      'ghost@signed.test',
      'bob@bare.test',
      'gus@grey.test',
    ]) {
      const trace = byEmail.get(email)?.trace ?? '';
      expect(isTraceName(trace), `${email}: ${trace}`).toBe(true);
      const text = await stored(storageKeys.trace('traced', 'initial', trace));
      expect(text).toContain(`# listclean SMTP transcript ${trace}\n`);
      expect(text).toContain(`C: RCPT TO:<${email.toLowerCase()}>`);
    }
    // A duplicate row shares its address's verdict and transcript; a bad address has none.
    expect(byEmail.get('ANN@signed.test')?.trace).toBe(byEmail.get('ann@signed.test')?.trace);
    expect(byEmail.get('not-an-address')?.trace).toBe('');
  });

  it('names the retry’s transcript for a greylisted address, and keeps the first one too', async () => {
    const gus = report.find((r) => r.email === 'gus@grey.test');
    expect(gus?.status).toBe('deliverable');
    const text = await stored(storageKeys.trace('traced', 'initial', gus?.trace ?? ''));
    // The retry's RCPT is accepted (pipelined or not, its reply follows the command).
    expect(text).toMatch(/C: RCPT TO:<gus@grey\.test>\n(?:.*\n)*?.*S: 250 2\.1\.5 /);
    expect(text).not.toMatch(/S: 45\d /);
    const all = await harness.rt.storage.list('lists/traced/runs/initial/traces/');
    const greyTraces: string[] = [];
    for (const key of all) {
      if ((await stored(key)).includes('RCPT TO:<gus@grey.test>')) greyTraces.push(key);
    }
    // The greylisted first try and the accepted retry: two rounds, two names.
    expect(greyTraces).toHaveLength(2);
    const first = greyTraces.find((key) => !key.endsWith(`/${gus?.trace}.txt`)) ?? '';
    expect(await stored(first)).toMatch(/S: 45\d /);
  });

  it('finds a transcript by name among the list’s runs, and nothing else', async () => {
    const ann = report.find((r) => r.email === 'ann@signed.test');
    expect(await findTrace(harness.rt, 'traced', ann?.trace ?? '')).toBe(
      storageKeys.trace('traced', 'initial', ann?.trace ?? ''),
    );
    expect(await findTrace(harness.rt, 'plain', ann?.trace ?? '')).toBeNull();
    expect(await findTrace(harness.rt, 'traced', '../../input')).toBeNull();
  });
});

describe('transcript names', () => {
  it('come from the job id, the round and the session, in [a-z0-9-] only', () => {
    const { recorder } = roundRecorder('probe-l1-initial-3f2a9c1b0d4e5f60-7-s', 'l1', 'initial', 0);
    const context = {
      target: { host: 'mx', ip: '192.0.2.1' },
      port: 25,
      egress: 'default',
      heloName: 'h',
      mailFrom: 'm@h',
    };
    expect(recorder.open(context).name).toBe('3f2a9c1b0d4e5f60-7-s-0-1');
    expect(recorder.open(context).name).toBe('3f2a9c1b0d4e5f60-7-s-0-2');
    const odd = roundRecorder('Probe/../../X', 'l1', 'initial', 35).recorder.open(context).name;
    expect(odd).toBe('probe-x-z-1');
    expect(isTraceName(odd)).toBe(true);
  });

  it('refuse anything that could leave their folder', () => {
    for (const bad of [
      '',
      '..',
      '../x',
      'a/b',
      'a.txt',
      'A',
      'a--b',
      '-a',
      'a-',
      'a b',
      'x'.repeat(129),
    ]) {
      expect(isTraceName(bad), bad).toBe(false);
    }
    expect(isTraceName('3f2a9c1b0d4e5f60-0-m5x2k1a-1')).toBe(true);
  });
});

describe('listclean clean --trace', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-trace-'));
    await writeFile(path.join(dir, 'list.csv'), csv('gil'));
    env = {
      ...world.env,
      ...TEST_ENV,
      REDIS_URL,
      REDIS_PREFIX: `lctest-trace-cli-${process.pid}`,
      STORAGE_URL: `file:${path.join(dir, 'storage')}`,
      GREYLIST_RETRY_DELAYS: '100ms',
    };
  });

  afterAll(async () => {
    if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes every transcript report.csv names into --out DIR/traces/', async () => {
    const out = path.join(dir, 'out');
    const run = await runCli(['clean', path.join(dir, 'list.csv'), '--out', out, '--trace'], {
      env,
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/listclean: \d+ SMTP transcript\(s\) in .*traces\//);
    const report = parse(await readFile(path.join(out, 'report.csv')), {
      columns: true,
      bom: true,
    }) as Record<string, string>[];
    const files = await readdir(path.join(out, 'traces'));
    const named = report.map((r) => r.trace).filter((t): t is string => Boolean(t));
    expect(named.length).toBe(5);
    for (const name of named) expect(files).toContain(`${name}.txt`);
    const ann = report.find((r) => r.email === 'ann@signed.test');
    expect(ann).toMatchObject({ mx_provider: 'google', spf: 'true', dmarc: 'reject' });
    const text = await readFile(path.join(out, 'traces', `${ann?.trace}.txt`), 'utf8');
    expect(text).toContain('C: RCPT TO:<ann@signed.test>');
  }, 90_000);
});
