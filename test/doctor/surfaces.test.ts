/**
 * The doctor where people meet it: `listclean doctor` (its lines, `--json`, exit status 1 on a
 * failure and 0 otherwise) run as a child process, and `GET /v1/doctor` behind ADMIN_KEY. Over
 * the sandbox's DNS and SMTP on loopback only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../src/doctor/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { ACME_KEY, ADMIN_KEY, type ApiUnderTest, startApi } from '../api/helpers.ts';
import { runCli } from '../helpers/cli.ts';

let world: SandboxWorld;
let dir: string;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'sandbox.test': {
        mx: [{ host: 'mx.sandbox.test' }],
        txt: ['v=spf1 ip4:127.0.0.0/8 -all'],
      },
      'nospf.test': { mx: [{ host: 'mx.sandbox.test' }] },
    },
    hosts: { 'mx.sandbox.test': {} },
    records: [
      { name: 'verify.sandbox.test', type: 'A', value: '127.0.0.1' },
      { name: '1.0.0.127.in-addr.arpa', type: 'PTR', value: 'verify.sandbox.test' },
    ],
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-doctor-cli-'));
});

afterAll(async () => {
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...world.env,
    STORAGE_URL: `file:${dir}/data`,
    HELO_NAME: 'verify.sandbox.test',
    MAIL_FROM: 'verify@sandbox.test',
    DOCTOR_PROBE_HOST: 'mx.sandbox.test',
    DOCTOR_BLOCKLISTS: 'clean.test',
    DNS_TIMEOUT: '400ms',
    DOCTOR_TIMEOUT: '8s',
    ...extra,
  };
}

describe('listclean doctor', () => {
  it('prints one line per check and a count, and exits 0 when nothing fails', async () => {
    const run = await runCli(['doctor'], { env: env(), timeoutMs: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const summary = lines.pop();
    expect(summary).toMatch(/^doctor: 11 pass, 0 warn, 0 fail in \d+(\.\d)? m?s$/);
    expect(lines).toHaveLength(11);
    for (const line of lines) expect(line).toMatch(/^PASS {2}\S+ .+: .+$/);
    expect(lines).toContain('PASS  ptr 127.0.0.1: 127.0.0.1 → verify.sandbox.test');
  });

  it('exits 1 on a failure, each failing line giving the evidence and the fix', async () => {
    const run = await runCli(['doctor'], {
      env: env({ MAIL_FROM: 'verify@nospf.test' }),
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(1);
    const fails = run.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(fails).toEqual([
      'FAIL  spf nospf.test for 127.0.0.1: nospf.test has no SPF record — publish a TXT record at nospf.test: "v=spf1 ip4:127.0.0.1 -all", with the mechanisms of whatever else sends mail as nospf.test before the -all',
    ]);
    expect(run.stdout).toMatch(/^doctor: 10 pass, 0 warn, 1 fail in /m);
  });

  it('--json prints the checks for machines, with the same exit status', async () => {
    const run = await runCli(['doctor', '--json'], {
      env: env({ MAIL_FROM: 'verify@nospf.test' }),
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(1);
    const checks = JSON.parse(run.stdout) as DoctorCheck[];
    expect(checks).toHaveLength(11);
    for (const check of checks) {
      expect(Object.keys(check).sort()).toEqual(['check', 'evidence', 'fix', 'status', 'target']);
      expect(check.fix === null).toBe(check.status === 'pass');
    }
    expect(checks.find((c) => c.check === 'spf')).toMatchObject({
      target: 'nospf.test for 127.0.0.1',
      status: 'fail',
      evidence: 'nospf.test has no SPF record',
    });
  });
});

describe('GET /v1/doctor', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi(world, { ...env(), ADMIN_KEY });
  });

  afterAll(() => api?.close());

  it('needs the operator key: no key and an API key answer 401', async () => {
    for (const key of [undefined, ACME_KEY]) {
      const response = await api.call('/v1/doctor', key === undefined ? {} : { key });
      expect(response.status, String(key)).toBe(401);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('ADMIN_KEY');
    }
  });

  it('runs the checks with the API process’s configuration, Redis and storage', async () => {
    const response = await api.call('/v1/doctor', { key: ADMIN_KEY });
    expect(response.status).toBe(200);
    const checks = (await response.json()) as DoctorCheck[];
    expect(checks.map((c) => `${c.status} ${c.check}`)).toEqual([
      `pass tcp/${world.smtpPort}`,
      'pass egress',
      'pass ptr',
      'pass fcrdns',
      'pass helo',
      'pass spf',
      'pass blocklist',
      'pass mx',
      'pass redis',
      'pass storage',
      'pass policy',
    ]);
    expect(checks.find((c) => c.check === 'storage')?.target).toBe(api.harness.env.STORAGE_URL);
  });
});
