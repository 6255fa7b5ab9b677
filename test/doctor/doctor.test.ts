/**
 * `runDoctor` against the sandbox world: every check passing on a healthy set-up, and failing
 * (or warning) for each way it can go wrong — over real DNS and SMTP sockets on 127.0.0.0/8, a
 * real SOCKS5 proxy (microsocks), real Redis servers and disk storage. Nothing leaves loopback:
 * DNS_SERVERS is always the sandbox's, and so is every host name.
 */
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { type DoctorCheck, runDoctor } from '../../src/doctor/index.ts';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { freePort, type PrivateRedis, startPrivateRedis } from '../helpers/redis-server.ts';
import { REDIS_URL } from '../helpers/redis-url.ts';
import { type RunningSocks, startSocks } from '../helpers/socks.ts';

const DOCTOR_SCENARIO: Scenario = {
  domains: {
    'sandbox.test': { mx: [{ host: 'mx.sandbox.test' }], txt: ['v=spf1 ip4:127.0.0.0/8 -all'] },
    'nospf.test': { mx: [{ host: 'mx.sandbox.test' }], txt: ['google-site-verification=abc'] },
    'strict.test': { mx: [{ host: 'mx.sandbox.test' }], txt: ['v=spf1 ip4:192.0.2.0/24 -all'] },
    'broken.test': { mx: [{ host: 'mx.sandbox.test' }], txt: ['v=spf1 include:gone.test -all'] },
    'nullmx.test': { nullMx: true, txt: ['v=spf1 ip4:127.0.0.0/8 -all'] },
    'nomail.test': { txt: ['v=spf1 ip4:127.0.0.0/8 -all'] },
    'slowdns.test': { dnsTimeout: true },
  },
  hosts: {
    'mx.sandbox.test': {},
    'refused.sandbox.test': { behavior: 'refuse' },
    'tarpit.sandbox.test': { behavior: 'tarpit' },
    'blocked.sandbox.test': { behavior: 'banner-554' },
  },
  records: [
    // The egress 127.0.0.1 is verify.sandbox.test, forward-confirmed.
    { name: 'verify.sandbox.test', type: 'A', value: '127.0.0.1' },
    { name: '1.0.0.127.in-addr.arpa', type: 'PTR', value: 'verify.sandbox.test' },
    // 127.0.0.201's PTR name does not resolve; 127.0.0.202 has no PTR.
    { name: '201.0.0.127.in-addr.arpa', type: 'PTR', value: 'unconfirmed.sandbox.test' },
    { name: 'elsewhere.sandbox.test', type: 'A', value: '127.0.0.99' },
    // Blocklists: one lists 127.0.0.1, one refuses to say (as Spamhaus does via public resolvers).
    { name: '1.0.0.127.listed.test', type: 'A', value: '127.0.0.2' },
    { name: '1.0.0.127.listed.test', type: 'TXT', value: 'Listed for probing, see listed.test' },
    { name: '1.0.0.127.picky.test', type: 'A', value: '127.255.255.254' },
  ],
};

let world: SandboxWorld;
let dir: string;
let socks: RunningSocks;

beforeAll(async () => {
  world = await startWorld(DOCTOR_SCENARIO);
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-doctor-'));
  socks = await startSocks();
});

afterAll(async () => {
  await Promise.all([world?.close(), socks?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function baseEnv(): Record<string, string> {
  return {
    ...world.env,
    REDIS_URL,
    STORAGE_URL: `file:${dir}/data`,
    HELO_NAME: 'verify.sandbox.test',
    MAIL_FROM: 'verify@sandbox.test',
    DOCTOR_PROBE_HOST: 'mx.sandbox.test',
    DOCTOR_BLOCKLISTS: 'clean.test',
    DNS_TIMEOUT: '400ms',
    SMTP_CONNECT_TIMEOUT: '1s',
    SMTP_BANNER_TIMEOUT: '1s',
    DOCTOR_TIMEOUT: '8s',
  };
}

async function doctor(env: Record<string, string> = {}): Promise<DoctorCheck[]> {
  return runDoctor(readEnv({ ...baseEnv(), ...env }));
}

/** The one line of `check target`; fails the test when there is none or several. */
function lineOf(checks: DoctorCheck[], check: string, target: string): DoctorCheck {
  const found = checks.filter((c) => c.check === check && c.target === target);
  if (found.length !== 1) {
    throw new Error(
      `${found.length} lines "${check} ${target}" in:\n${checks.map((c) => `${c.status} ${c.check} ${c.target}: ${c.evidence}`).join('\n')}`,
    );
  }
  return found[0] as DoctorCheck;
}

const tcp = () => `tcp/${world.smtpPort}`;

describe('listclean doctor on a healthy set-up', () => {
  it('passes every check, each with its evidence, and says nothing to the probe host but QUIT', async () => {
    world.resetStats();
    const checks = await doctor({ DOCTOR_BLOCKLISTS: 'clean.test,other-clean.test' });
    expect(checks.map((c) => `${c.status} ${c.check} ${c.target}`)).toEqual([
      `pass ${tcp()} via default`,
      'pass egress default',
      'pass ptr 127.0.0.1',
      'pass fcrdns 127.0.0.1',
      'pass helo verify.sandbox.test for 127.0.0.1',
      'pass spf sandbox.test for 127.0.0.1',
      'pass blocklist 127.0.0.1 on clean.test',
      'pass blocklist 127.0.0.1 on other-clean.test',
      'pass mx sandbox.test',
      `pass redis ${REDIS_URL}`,
      `pass storage file:${dir}/data`,
      'pass policy THROTTLE_POLICY',
    ]);
    expect(checks.every((c) => c.fix === null)).toBe(true);
    const ip = world.hostIp('mx.sandbox.test');
    expect(lineOf(checks, tcp(), 'via default').evidence).toMatch(
      new RegExp(
        `^127\\.0\\.0\\.1 → mx\\.sandbox\\.test \\(${ip.replaceAll('.', '\\.')}:${world.smtpPort}\\): banner "220 mx\\.sandbox\\.test ESMTP Postfix" in \\d+ ms$`,
      ),
    );
    expect(lineOf(checks, 'egress', 'default').evidence).toBe(
      `the default route leaves from 127.0.0.1: the route towards mx.sandbox.test, ${ip}`,
    );
    expect(lineOf(checks, 'ptr', '127.0.0.1').evidence).toBe('127.0.0.1 → verify.sandbox.test');
    expect(lineOf(checks, 'fcrdns', '127.0.0.1').evidence).toBe('verify.sandbox.test → 127.0.0.1');
    expect(lineOf(checks, 'spf', 'sandbox.test for 127.0.0.1').evidence).toBe(
      '127.0.0.1 authorised: "ip4:127.0.0.0/8" matched in the SPF record of sandbox.test ("v=spf1 ip4:127.0.0.0/8 -all")',
    );
    expect(lineOf(checks, 'mx', 'sandbox.test').evidence).toBe(
      'sandbox.test MX 10 mx.sandbox.test',
    );
    expect(lineOf(checks, 'redis', REDIS_URL).evidence).toMatch(
      /^PONG in \d+ ms; Redis \d+\.\d+\.\d+, maxmemory-policy noeviction$/,
    );
    // One session, no recipient asked: the banner and QUIT.
    const stats = world.stats('mx.sandbox.test');
    expect(stats.sessions).toBe(1);
    expect(stats.rcpts).toBe(0);
    // Its DNS questions went to the sandbox (DNS_SERVERS), the PTR as a DNS question.
    expect(world.dns.queries).toEqual(
      expect.arrayContaining(['PTR 1.0.0.127.in-addr.arpa', 'A 1.0.0.127.clean.test']),
    );
  });

  it('reads a valid THROTTLE_POLICY file', async () => {
    const file = path.join(dir, 'policy.yaml');
    await writeFile(
      file,
      'defaults:\n  maxConcurrentSessions: 4\nproviders:\n  - match: google.com\n    maxConcurrentSessions: 9\n',
    );
    const checks = await doctor({ THROTTLE_POLICY: file });
    expect(lineOf(checks, 'policy', file)).toMatchObject({
      status: 'pass',
      evidence:
        '1 provider rule(s), 1 pool(s); defaults 4 sessions and 60 connections/min per provider',
    });
  });

  it('fails a policy whose egress: names an egress this process does not have', async () => {
    const file = path.join(dir, 'egress-policy.yaml');
    await writeFile(file, 'providers:\n  - match: google.com\n    egress: [127.0.0.1, eu9]\n');
    const wrong = lineOf(await doctor({ THROTTLE_POLICY: file }), 'policy', file);
    expect(wrong.status).toBe('fail');
    expect(wrong.evidence).toBe(
      `${file} names egresses this process does not have: providers.0 (match google.com): egress "127.0.0.1"; providers.0 (match google.com): egress "eu9". Egresses are the names of SMTP_PROXIES entries and the addresses of SMTP_LOCAL_ADDRESSES; this process has default`,
    );
    const right = lineOf(
      await doctor({ THROTTLE_POLICY: file, SMTP_LOCAL_ADDRESSES: '127.0.0.1,127.0.0.2' }),
      'policy',
      file,
    );
    expect(right.status).toBe('fail');
    expect(right.evidence).toContain('egress "eu9"');
    expect(right.evidence).not.toContain('egress "127.0.0.1"');
    await writeFile(file, 'providers:\n  - match: google.com\n    egress: [127.0.0.2]\n');
    const fixed = lineOf(
      await doctor({ THROTTLE_POLICY: file, SMTP_LOCAL_ADDRESSES: '127.0.0.1,127.0.0.2' }),
      'policy',
      file,
    );
    expect(fixed.status).toBe('pass');
  });
});

describe('port 25 out', () => {
  it('fails when the probe host refuses, says nothing, or cannot be resolved; warns on a 554', async () => {
    const refused = lineOf(
      await doctor({ DOCTOR_PROBE_HOST: 'refused.sandbox.test' }),
      tcp(),
      'via default',
    );
    expect(refused.status).toBe('fail');
    expect(refused.evidence).toContain('ECONNREFUSED');
    expect(refused.fix).toContain('outbound TCP port 25 looks blocked');

    const tarpit = lineOf(
      await doctor({ DOCTOR_PROBE_HOST: 'tarpit.sandbox.test', SMTP_BANNER_TIMEOUT: '300ms' }),
      tcp(),
      'via default',
    );
    expect(tarpit.status).toBe('fail');
    expect(tarpit.evidence).toMatch(/connected, but no banner within 300 ms$/);

    const blocked = lineOf(
      await doctor({ DOCTOR_PROBE_HOST: 'blocked.sandbox.test' }),
      tcp(),
      'via default',
    );
    expect(blocked.status).toBe('warn');
    expect(blocked.evidence).toMatch(/banner "554 .*" in \d+ ms, which refuses the session$/);

    const nowhere = await doctor({ DOCTOR_PROBE_HOST: 'nowhere.sandbox.test' });
    expect(lineOf(nowhere, tcp(), 'via default')).toMatchObject({
      status: 'fail',
      evidence:
        'cannot resolve the probe host nowhere.sandbox.test: it has no A or AAAA record (no such name (NXDOMAIN))',
    });
    // Without a probe address the default route's source cannot be told either.
    expect(lineOf(nowhere, 'egress', 'default').status).toBe('warn');
    expect(nowhere.some((c) => c.check === 'ptr' || c.check === 'blocklist')).toBe(false);
  });

  it('connects through a SOCKS5 proxy, and fails on a dead one', async () => {
    const deadPort = await freePort();
    const checks = await doctor({
      SMTP_PROXIES: `eu1=${socks.url},dead=socks5://127.0.0.1:${deadPort}`,
    });
    const through = lineOf(checks, tcp(), 'via eu1');
    expect(through.status).toBe('pass');
    expect(through.evidence).toMatch(
      new RegExp(
        `^through eu1 \\(socks5 127\\.0\\.0\\.1:${socks.port}\\) → mx\\.sandbox\\.test .*banner "220 `,
      ),
    );
    const dead = lineOf(checks, tcp(), 'via dead');
    expect(dead.status).toBe('fail');
    expect(dead.evidence).toContain(`the proxy dead (socks5 127.0.0.1:${deadPort}) failed`);
    expect(dead.fix).toContain('SMTP_PROXIES named dead');
    // What a proxy connects from cannot be seen: said once, and no check pretends otherwise.
    const egress = lineOf(checks, 'egress', 'eu1');
    expect(egress.status).toBe('warn');
    expect(egress.evidence).toContain("a proxy's outgoing address cannot be seen from this side");
    expect(egress.fix).toContain('DOCTOR_EGRESS_ADDRESSES=eu1=');
    expect(lineOf(checks, 'helo', 'verify.sandbox.test for eu1')).toMatchObject({
      status: 'warn',
      evidence:
        'verify.sandbox.test → 127.0.0.1; not compared with the address of eu1, which cannot be told',
    });
    expect(lineOf(checks, 'spf', 'sandbox.test for dead')).toMatchObject({
      status: 'warn',
      evidence:
        'sandbox.test: "v=spf1 ip4:127.0.0.0/8 -all"; whether it authorises dead cannot be told without its address',
    });
    expect(checks.filter((c) => c.check === 'ptr')).toHaveLength(0);
  });

  it('checks a proxy whose address DOCTOR_EGRESS_ADDRESSES gives, and warns on a name that is no egress', async () => {
    const checks = await doctor({
      SMTP_PROXIES: `eu1=${socks.url}`,
      DOCTOR_EGRESS_ADDRESSES: 'eu1=127.0.0.1,typo=127.0.0.5',
    });
    expect(lineOf(checks, 'egress', 'eu1')).toMatchObject({
      status: 'pass',
      evidence: `eu1 (socks5 127.0.0.1:${socks.port}) leaves from 127.0.0.1: as DOCTOR_EGRESS_ADDRESSES says`,
    });
    expect(lineOf(checks, 'ptr', '127.0.0.1').status).toBe('pass');
    expect(lineOf(checks, 'spf', 'sandbox.test for 127.0.0.1').status).toBe('pass');
    expect(lineOf(checks, 'config', 'DOCTOR_EGRESS_ADDRESSES')).toMatchObject({
      status: 'warn',
      evidence: 'names "typo", which is no egress (the egresses: eu1)',
    });
  });
});

describe('the address each egress is seen from', () => {
  it('fails a PTR that is missing or not forward-confirmed, and a HELO name elsewhere', async () => {
    const checks = await doctor({ SMTP_LOCAL_ADDRESSES: '127.0.0.201,127.0.0.202' });
    expect(lineOf(checks, tcp(), 'via 127.0.0.201').evidence).toMatch(/^127\.0\.0\.201 → /);
    expect(lineOf(checks, 'egress', '127.0.0.201')).toMatchObject({
      status: 'pass',
      evidence: '127.0.0.201 (local address) leaves from 127.0.0.201: a local address of this host',
    });
    expect(lineOf(checks, 'ptr', '127.0.0.201')).toMatchObject({
      status: 'pass',
      evidence: '127.0.0.201 → unconfirmed.sandbox.test',
    });
    expect(lineOf(checks, 'fcrdns', '127.0.0.201')).toMatchObject({
      status: 'fail',
      evidence:
        'not forward-confirmed: unconfirmed.sandbox.test does not resolve (no such name (NXDOMAIN)), not 127.0.0.201',
      fix: 'publish unconfirmed.sandbox.test A 127.0.0.201, so the PTR name resolves back to the address',
    });
    expect(lineOf(checks, 'ptr', '127.0.0.202')).toMatchObject({
      status: 'fail',
      evidence: 'no PTR record for 127.0.0.202 (no such name (NXDOMAIN))',
      fix: 'ask whoever runs 127.0.0.202 (your hosting provider) to set its reverse DNS to verify.sandbox.test',
    });
    // No PTR, so no forward confirmation to try.
    expect(checks.some((c) => c.check === 'fcrdns' && c.target === '127.0.0.202')).toBe(false);
    expect(lineOf(checks, 'helo', 'verify.sandbox.test for 127.0.0.202')).toMatchObject({
      status: 'warn',
      evidence: 'verify.sandbox.test → 127.0.0.1, not 127.0.0.202',
    });
    // SPF allows all of 127/8.
    expect(lineOf(checks, 'spf', 'sandbox.test for 127.0.0.202').status).toBe('pass');
  });

  it('fails a local address this host does not have', async () => {
    const checks = await doctor({ SMTP_LOCAL_ADDRESSES: '198.51.100.77' });
    expect(lineOf(checks, 'egress', '198.51.100.77')).toMatchObject({
      status: 'fail',
      evidence: 'this host has no address 198.51.100.77 (binding to it fails: EADDRNOTAVAIL)',
    });
    expect(lineOf(checks, tcp(), 'via 198.51.100.77').status).toBe('fail');
  });
});

describe('HELO_NAME', () => {
  it('fails a name that does not resolve or is not qualified; warns when its PTR differs', async () => {
    const unresolved = await doctor({ HELO_NAME: 'nowhere.sandbox.test' });
    expect(lineOf(unresolved, 'helo', 'nowhere.sandbox.test for 127.0.0.1')).toMatchObject({
      status: 'fail',
      evidence: 'HELO_NAME nowhere.sandbox.test does not resolve (no such name (NXDOMAIN))',
      fix: 'publish nowhere.sandbox.test A 127.0.0.1',
    });
    const bare = await doctor({ HELO_NAME: 'vm' });
    expect(lineOf(bare, 'helo', 'vm for 127.0.0.1')).toMatchObject({
      status: 'fail',
      fix: "set HELO_NAME to the name your address's PTR gives (verify.sandbox.test)",
    });
    const elsewhere = await doctor({ HELO_NAME: 'elsewhere.sandbox.test' });
    expect(lineOf(elsewhere, 'helo', 'elsewhere.sandbox.test for 127.0.0.1')).toMatchObject({
      status: 'warn',
      evidence: 'elsewhere.sandbox.test → 127.0.0.99, not 127.0.0.1',
      fix: 'set HELO_NAME=verify.sandbox.test (the PTR name of 127.0.0.1), or point elsewhere.sandbox.test at 127.0.0.1',
    });
  });
});

describe("MAIL_FROM's domain", () => {
  it('fails without SPF, with an SPF that refuses the address, and with a broken one', async () => {
    const none = await doctor({ MAIL_FROM: 'verify@nospf.test' });
    expect(lineOf(none, 'spf', 'nospf.test for 127.0.0.1')).toMatchObject({
      status: 'fail',
      evidence: 'nospf.test has no SPF record',
      fix: 'publish a TXT record at nospf.test: "v=spf1 ip4:127.0.0.1 -all", with the mechanisms of whatever else sends mail as nospf.test before the -all',
    });
    expect(lineOf(none, 'mx', 'nospf.test').status).toBe('pass');
    const strict = await doctor({ MAIL_FROM: 'verify@strict.test' });
    expect(lineOf(strict, 'spf', 'strict.test for 127.0.0.1')).toMatchObject({
      status: 'fail',
      evidence:
        '127.0.0.1 not authorised (fail): "-all" matched in the SPF record of strict.test ("v=spf1 ip4:192.0.2.0/24 -all")',
    });
    const broken = await doctor({ MAIL_FROM: 'verify@broken.test' });
    const line = lineOf(broken, 'spf', 'broken.test for 127.0.0.1');
    expect(line.status).toBe('fail');
    expect(line.evidence).toContain('broken (permerror)');
    expect(line.evidence).toContain('gone.test has no SPF record');
  });

  it('fails a null MX or no mail server at all, and warns when DNS does not answer', async () => {
    expect(lineOf(await doctor({ MAIL_FROM: 'v@nullmx.test' }), 'mx', 'nullmx.test')).toMatchObject(
      { status: 'fail' },
    );
    expect(lineOf(await doctor({ MAIL_FROM: 'v@nomail.test' }), 'mx', 'nomail.test')).toMatchObject(
      {
        status: 'fail',
        evidence: 'nomail.test has no MX record and no address: bounces cannot come back',
      },
    );
    expect(lineOf(await doctor({ MAIL_FROM: 'v@gone.test' }), 'mx', 'gone.test')).toMatchObject({
      status: 'fail',
      evidence: 'gone.test does not exist (NXDOMAIN)',
    });
    const slow = await doctor({ MAIL_FROM: 'v@slowdns.test', DNS_TIMEOUT: '200ms' });
    expect(lineOf(slow, 'mx', 'slowdns.test').status).toBe('warn');
    expect(lineOf(slow, 'mx', 'slowdns.test').evidence).toContain('ETIMEOUT');
    expect(lineOf(slow, 'spf', 'slowdns.test for 127.0.0.1').evidence).toContain('temperror');
  });
});

describe('DNS blocklists', () => {
  it('fails a listing (with its reason), warns on a refused query, passes a clean list', async () => {
    const checks = await doctor({ DOCTOR_BLOCKLISTS: 'listed.test,picky.test,clean.test' });
    expect(lineOf(checks, 'blocklist', '127.0.0.1 on listed.test')).toMatchObject({
      status: 'fail',
      evidence:
        '127.0.0.1 is listed on listed.test (127.0.0.2): "Listed for probing, see listed.test"',
    });
    const refused = lineOf(checks, 'blocklist', '127.0.0.1 on picky.test');
    expect(refused.status).toBe('warn');
    expect(refused.evidence).toBe(
      'picky.test refused the query (127.255.255.254: queries through public or open resolvers are refused); whether 127.0.0.1 is listed is unknown',
    );
    expect(lineOf(checks, 'blocklist', '127.0.0.1 on clean.test').status).toBe('pass');
  });
});

describe('Redis, storage and the policy', () => {
  let evicting: PrivateRedis;
  beforeAll(async () => {
    evicting = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await evicting?.stop();
  });

  it('fails what does not answer or cannot be read, warns on an evicting Redis', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const checks = await doctor({
      REDIS_URL: dead,
      REDIS_CACHE_URL: dead,
      STORAGE_URL: 'file:/dev/null/data',
      THROTTLE_POLICY: path.join(dir, 'missing.yaml'),
    });
    const redis = lineOf(checks, 'redis', dead);
    expect(redis.status).toBe('fail');
    expect(redis.evidence).toContain(`Cannot reach Redis at ${dead}`);
    expect(lineOf(checks, 'redis-cache', dead).status).toBe('warn');
    expect(lineOf(checks, 'storage', 'file:/dev/null/data').status).toBe('fail');
    const policy = lineOf(checks, 'policy', path.join(dir, 'missing.yaml'));
    expect(policy.status).toBe('fail');
    expect(policy.evidence).toContain('Cannot read THROTTLE_POLICY file');

    const lru = lineOf(await doctor({ REDIS_URL: evicting.url }), 'redis', evicting.url);
    expect(lru.status).toBe('warn');
    expect(lru.evidence).toContain('maxmemory-policy allkeys-lru');
    expect(lru.fix).toContain('noeviction');
  });
});

describe('a bounded run', () => {
  let blackHole: dgram.Socket;
  beforeAll(async () => {
    // A "DNS server" that reads every question and answers none.
    blackHole = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => blackHole?.close());

  it('ends by DOCTOR_TIMEOUT, reporting what did not answer, with every check run at once', async () => {
    const started = performance.now();
    const checks = await doctor({
      DNS_SERVERS: `127.0.0.1:${blackHole.address().port}`,
      DNS_TIMEOUT: '5s',
      DOCTOR_TIMEOUT: '1500ms',
      DOCTOR_BLOCKLISTS: 'a.test,b.test,c.test',
    });
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThan(1400);
    expect(ms).toBeLessThan(3000);
    expect(lineOf(checks, tcp(), 'via default')).toMatchObject({
      status: 'fail',
      evidence: 'no answer within DOCTOR_TIMEOUT (1500ms)',
    });
    expect(lineOf(checks, 'mx', 'sandbox.test')).toMatchObject({
      status: 'warn',
      evidence: 'no answer within DOCTOR_TIMEOUT (1500ms)',
    });
    // What needs no DNS still answered.
    expect(lineOf(checks, 'redis', REDIS_URL).status).toBe('pass');
    expect(lineOf(checks, 'policy', 'THROTTLE_POLICY').status).toBe('pass');
  });

  it('cuts a slow banner short to fit the run', async () => {
    const started = performance.now();
    const checks = await doctor({
      DOCTOR_PROBE_HOST: 'tarpit.sandbox.test',
      SMTP_BANNER_TIMEOUT: '30s',
      DOCTOR_TIMEOUT: '1200ms',
    });
    expect(performance.now() - started).toBeLessThan(2500);
    const line = lineOf(checks, tcp(), 'via default');
    expect(line.status).toBe('fail');
    expect(line.evidence).toMatch(/connected, but no banner within \d+ ms$/);
  });
});
