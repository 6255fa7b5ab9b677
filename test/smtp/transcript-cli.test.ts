/**
 * `listclean verify --trace` as a user runs it: every session's transcript on stderr, each
 * JSON line naming its own (`stderr#n`), and the domain signals in every line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_ENV } from '../helpers/verify.ts';

let world: SandboxWorld;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'signed.test': {
        mx: [{ host: 'mx.signed.test' }],
        mailboxes: ['ann'],
        txt: ['v=spf1 ip4:127.0.0.0/8 -all'],
      },
      'bare.test': { mx: [{ host: 'mx.bare.test' }], mailboxes: ['bob'] },
    },
    hosts: { 'mx.signed.test': { starttls: true } },
    records: [{ name: '_dmarc.signed.test', type: 'TXT', value: 'v=DMARC1; p=reject' }],
  });
  env = { ...world.env, ...TEST_ENV };
});

afterAll(() => world?.close());

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('listclean verify --trace', () => {
  it('prints each transcript to stderr and names it in the JSON', async () => {
    const run = await runCli(
      ['verify', '--trace', '--ordered', 'ann@signed.test', 'nobody@signed.test', 'bob@bare.test'],
      { env },
    );
    expect(run.code, run.stderr).toBe(0);
    const [ann, nobody, bob] = lines(run.stdout);
    expect(ann).toMatchObject({ status: 'deliverable', mx_provider: 'signed.test', spf: true });
    expect(ann?.dmarc).toBe('reject');
    expect(nobody).toMatchObject({ status: 'undeliverable', spf: true, dmarc: 'reject' });
    expect(bob).toMatchObject({ status: 'deliverable', spf: false, dmarc: 'absent' });
    // One session per domain: the two signed.test addresses share theirs.
    expect(ann?.trace).toMatch(/^stderr#\d$/);
    expect(nobody?.trace).toBe(ann?.trace);
    expect(bob?.trace).toMatch(/^stderr#\d$/);
    expect(bob?.trace).not.toBe(ann?.trace);

    const transcripts = run.stderr.split(/(?=^# listclean SMTP transcript )/m);
    const of = (name: unknown) =>
      transcripts.find((t) => t.startsWith(`# listclean SMTP transcript ${name}\n`)) ?? '';
    const signed = of(ann?.trace);
    expect(signed).toContain(`# mx mx.signed.test ${world.hostIp('mx.signed.test')}:`);
    expect(signed).toMatch(/\+\d+ms \* {2}TLS established: /);
    expect(signed).toContain('C: RCPT TO:<ann@signed.test>');
    expect(signed).toContain('C: RCPT TO:<nobody@signed.test>');
    expect(signed).toMatch(/S: 550 5\.1\.1 <nobody@signed\.test>/);
    expect(of(bob?.trace)).toContain('C: RCPT TO:<bob@bare.test>');
  });

  it('prints none without --trace, and the JSON names none', async () => {
    const run = await runCli(['verify', 'ann@signed.test'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)[0]).toMatchObject({ trace: null, spf: true, dmarc: 'reject' });
    expect(run.stderr).not.toContain('SMTP transcript');
  });
});
