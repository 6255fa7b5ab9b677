/** `listclean verify` as a user runs it: a child process against a sandbox world. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { stopChild, track } from '../helpers/children.ts';
import { BIN, runCli } from '../helpers/cli.ts';
import { CLI_CONTRACT_FIELDS } from '../helpers/contract.ts';
import { REDIS_URL } from '../helpers/redis-url.ts';
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
      // Greylists every new triplet once; each test uses mailboxes of its own (a triplet that
      // passed once is let through for good).
      'grey2.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['first', 'second'],
        greylist: { tries: 1 },
      },
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

interface Arrival {
  /** Position among every line of stdout and stderr, in the order they reached us. */
  seq: number;
  /** performance.now() when the line's chunk arrived. */
  at: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Runs `listclean` and records each output line with when it arrived. */
function runCliLines(args: string[], runEnv: Record<string, string>): Promise<Arrival[]> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, REDIS_URL, ...runEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const arrivals: Arrival[] = [];
    const collect = (stream: Arrival['stream']) => {
      let partial = '';
      return (chunk: Buffer) => {
        const at = performance.now();
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) arrivals.push({ seq: arrivals.length, at, stream, line });
      };
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const timer = setTimeout(() => {
      void stopChild(child, 0);
      reject(new Error(`listclean ${args.join(' ')} did not finish in time`));
    }, 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(arrivals);
      else reject(new Error(`exit ${code}: ${arrivals.map((a) => a.line).join('\n')}`));
    });
  });
}

const verdicts = (arrivals: Arrival[]) =>
  arrivals
    .filter((a) => a.stream === 'stdout')
    .map((a) => ({ ...a, result: JSON.parse(a.line) as Record<string, unknown> }));

describe('listclean verify', () => {
  it('prints one JSON object per address with the contract fields', async () => {
    const inputs = ['A@Fast.test', 'zz@fast.test', 'bad@@x', 'b@fast.test'];
    const run = await runCli(['verify', ...inputs], { env });
    expect(run.code).toBe(0);
    const byEmail = new Map(lines(run.stdout).map((o) => [o.email, o]));
    expect([...byEmail.keys()].sort()).toEqual([...inputs].sort());
    const out = inputs.map((email) => byEmail.get(email));
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
    for (const key of CLI_CONTRACT_FIELDS) {
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

  it('prints each verdict as soon as it is final: a greylisted address holds back no other', async () => {
    const inputs = ['first@grey2.test', 'a@fast.test', 'zz@fast.test', 'bad@@x'];
    const arrivals = await runCliLines(['verify', '--greylist-delays', '1s', ...inputs], env);
    const out = verdicts(arrivals);
    // One line per address, each a whole JSON object.
    expect(out.map((o) => o.result.email).sort()).toEqual([...inputs].sort());
    const grey = out.find((o) => o.result.email === 'first@grey2.test');
    expect(grey?.result).toMatchObject({ status: 'deliverable', reason: 'accepted' });
    // Given first, the greylisted address is printed last, after its retry: every other line
    // reached us earlier (in input order they would all have waited for it).
    expect(out.at(-1)?.result.email).toBe('first@grey2.test');
    for (const quick of out.slice(0, -1)) {
      expect(quick.seq).toBeLessThan(grey?.seq ?? -1);
      expect(quick.at).toBeLessThan(grey?.at ?? -1);
    }
    const retryNotice = arrivals.find((a) => a.stream === 'stderr' && /grey2\.test/.test(a.line));
    expect(retryNotice?.line).toMatch(/greylisted or deferred; retry 1\/1 in 1s/);
    expect(retryNotice?.seq).toBeLessThan(grey?.seq ?? -1);
  });

  it('--ordered prints in input order', async () => {
    const inputs = ['second@grey2.test', 'a@fast.test', 'zz@fast.test', 'bad@@x'];
    const arrivals = await runCliLines(
      ['verify', '--ordered', '--greylist-delays', '500ms', ...inputs],
      env,
    );
    const out = verdicts(arrivals);
    expect(out.map((o) => o.result.email)).toEqual(inputs);
    expect(out.map((o) => o.result.reason)).toEqual([
      'accepted',
      'accepted',
      'mailbox_not_found',
      'invalid_syntax',
    ]);
    // Held back behind the greylisted first address: all four lines came together after it.
    const retryNotice = arrivals.find((a) => a.stream === 'stderr' && /grey2\.test/.test(a.line));
    for (const line of out) expect(line.seq).toBeGreaterThan(retryNotice?.seq ?? Infinity);
  });

  it('a tarpit does not hold up the other domains', async () => {
    const started = Date.now();
    const order: string[] = [];
    const run = await runCli(['verify', 's@slow.test', 'c@fast.test'], { env });
    order.push(...lines(run.stdout).map((o) => String(o.reason)));
    // Completion order: the quick domain's verdict first.
    expect(order).toEqual(['accepted', 'timeout']);
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
    if (command === 'verify') expect(run.stdout).toMatch(/--ordered/);
  });
});
