/** `listclean verify` as a user runs it: a child process against a sandbox world. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_ENV } from '../helpers/verify.ts';

let world: SandboxWorld;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld({
    latencyMs: 20,
    domains: {
      'fast.test': { mx: [{ host: 'mx.fast.test' }], mailboxes: ['a', 'b', 'c'] },
      'slow.test': { mx: [{ host: 'mx.slow.test' }], mailboxes: ['s'] },
      'grey.test': { mx: [{ host: 'mx.grey.test' }], mailboxes: ['g'], greylist: { tries: 1 } },
      'greyforever.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['g'],
        greylist: { tries: -1 },
      },
    },
    hosts: { 'mx.slow.test': { behavior: 'tarpit' } },
  });
  env = { ...world.env, ...TEST_ENV, GREYLIST_RETRY_DELAYS: '300ms' };
});
afterAll(async () => {
  await world?.close();
});

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('listclean verify', () => {
  it('prints one JSON object per address, in input order, with the contract fields', async () => {
    const run = await runCli(['verify', 'A@Fast.test', 'zz@fast.test', 'bad@@x', 'b@fast.test'], {
      env,
    });
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out.map((o) => o.email)).toEqual([
      'A@Fast.test',
      'zz@fast.test',
      'bad@@x',
      'b@fast.test',
    ]);
    expect(out[0]).toMatchObject({
      email_normalized: 'a@fast.test',
      status: 'deliverable',
      reason: 'accepted',
    });
    expect(out[1]).toMatchObject({
      status: 'undeliverable',
      reason: 'mailbox_not_found',
      smtp_code: 550,
    });
    expect(out[2]).toMatchObject({
      status: 'undeliverable',
      reason: 'invalid_syntax',
      email_normalized: null,
    });
    for (const key of [
      'email',
      'status',
      'reason',
      'risk_score',
      'role',
      'free',
      'disposable',
      'catch_all',
      'suggestion',
      'mx_host',
      'smtp_code',
      'smtp_enhanced_code',
    ]) {
      expect(out[0]).toHaveProperty(key);
    }
    // Three addresses at one domain shared one session.
    expect(world.stats('mx.fast.test').sessions).toBe(1);
  });

  it('reads addresses from stdin with -', async () => {
    const run = await runCli(['verify', '-'], { env, input: 'a@fast.test\n\nc@fast.test\n' });
    expect(run.code).toBe(0);
    expect(lines(run.stdout).map((o) => o.reason)).toEqual(['accepted', 'accepted']);
  });

  it('waits for greylisting and says so on stderr; --no-greylist-wait does not', async () => {
    const waited = await runCli(['verify', 'g@grey.test'], { env });
    expect(lines(waited.stdout)[0]).toMatchObject({ reason: 'accepted' });
    expect(waited.stderr).toMatch(/grey\.test: 1 address\(es\) greylisted.*retry 1\/1 in 300ms/);
    const quick = await runCli(['verify', '--no-greylist-wait', 'g@greyforever.test'], { env });
    expect(lines(quick.stdout)[0]).toMatchObject({ status: 'unknown', reason: 'greylisted' });
    expect(quick.stderr).toBe('');
  });

  it('a tarpit does not hold up the other domains', async () => {
    const started = Date.now();
    const order: string[] = [];
    const run = await runCli(['verify', 's@slow.test', 'c@fast.test'], { env });
    order.push(...lines(run.stdout).map((o) => String(o.reason)));
    expect(order).toEqual(['timeout', 'accepted']);
    // The tarpit costs one banner timeout (600 ms), not more.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with a one-line reason on bad configuration', async () => {
    const run = await runCli(['verify', 'a@fast.test'], { env: { ...env, SMTP_PORT: 'abc' } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /SMTP_PORT: got "abc", want an integer from 1 to 65535 \[config_invalid\]/,
    );
  });

  it.each([['verify'], ['sandbox'], ['demo']])('%s --help explains itself', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: listclean/);
  });
});
