import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { mxRecords } from '../dns/dns-client.ts';
import { openTransaction, RawSmtpClient } from './raw-smtp-client.ts';

const scenario: Scenario = {
  domains: {
    'example.com': { mx: [{ host: 'mx.example.com' }], mailboxes: ['alice', 'bob'] },
  },
  hosts: { 'spare.example.net': {} },
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world.close());

async function rcpt(address: string): Promise<number> {
  const host = address.endsWith('@example.com') ? 'mx.example.com' : 'spare.example.net';
  const client = await openTransaction(world.hostIp(host), world.smtpPort);
  const { code } = await client.command(`RCPT TO:<${address}>`);
  client.close();
  return code;
}

describe('a running world', () => {
  it('tells listclean where it is', () => {
    expect(world.env).toEqual({
      DNS_SERVERS: `127.0.0.1:${world.dns.port}`,
      SMTP_PORT: String(world.smtpPort),
      ALLOW_PRIVATE_MX: '127.0.0.0/8',
    });
    expect(world.smtpPort).toBeGreaterThanOrEqual(20000);
    expect(world.smtpPort).toBeLessThan(60000);
    expect(world.hostIp('MX.Example.com.')).toBe(world.hostIp('mx.example.com'));
  });

  it('updateDomain changes SMTP answers between two runs', async () => {
    expect(await rcpt('bob@example.com')).toBe(250);
    world.updateDomain('example.com', { mailboxes: ['alice'] });
    expect(await rcpt('bob@example.com')).toBe(550);
    expect(await rcpt('alice@example.com')).toBe(250);
    expect(scenario.domains['example.com']?.mailboxes).toEqual(['alice', 'bob']);
  });

  it('updateDomain can add a domain on a known host, visible in DNS at once', async () => {
    const resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([world.env.DNS_SERVERS ?? '']);
    await expect(resolver.resolveMx('new.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    world.updateDomain('New.Test', { mx: [{ host: 'Spare.example.net' }], catchAll: true });
    expect(mxRecords(await resolver.resolveMx('new.test'))).toEqual([
      { exchange: 'spare.example.net', priority: 10 },
    ]);
    expect(await rcpt('anyone@new.test')).toBe(250);
  });

  it('updateDomain refuses unknown hosts and bad patches with a code', () => {
    expect(() => world.updateDomain('x.test', { mx: [{ host: 'mx.nowhere.test' }] })).toThrow(
      expect.objectContaining({ code: 'sandbox_unknown_host' }),
    );
    const bad = { mailboxes: 'alice' } as unknown as Parameters<SandboxWorld['updateDomain']>[1];
    expect(() => world.updateDomain('example.com', bad)).toThrow(
      expect.objectContaining({ code: 'sandbox_scenario_invalid' }),
    );
  });

  it('names unknown hosts in errors', () => {
    expect(() => world.stats('nope.test')).toThrow(/No sandbox host is named "nope\.test"/);
  });

  it('resetStats zeroes the counters of every host', async () => {
    await rcpt('alice@example.com');
    const stats = world.stats('mx.example.com');
    expect(stats.rcpts).toBeGreaterThan(0);
    world.resetStats();
    expect(stats).toMatchObject({ sessions: 0, rcpts: 0, commands: [], bytesReceived: 0 });
    expect(stats.received()).toBe('');
    expect(Object.keys(world.allStats()).sort()).toEqual(['mx.example.com', 'spare.example.net']);
  });
});

describe('several worlds at once', () => {
  it('share a port by taking different addresses', async () => {
    const basePort = 20000 + Math.floor(Math.random() * 39000);
    const one = await startWorld(scenario, { basePort });
    const two = await startWorld(
      { domains: { 'other.test': { mx: [{ host: 'mx.other.test' }] } } },
      { basePort: one.smtpPort },
    );
    try {
      expect(two.smtpPort).toBe(one.smtpPort);
      expect(two.hostIp('mx.other.test')).not.toBe(one.hostIp('mx.example.com'));
      const client = await RawSmtpClient.connect(two.hostIp('mx.other.test'), two.smtpPort);
      expect((await client.reply()).raw).toBe('220 mx.other.test ESMTP Postfix\r\n');
      client.close();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('honours a fixed host address', async () => {
    const fixed = await startWorld({
      domains: { 'fixed.test': { mx: [{ host: 'mx.fixed.test' }] } },
      hosts: { 'mx.fixed.test': { ip: '127.0.3.9' } },
    });
    expect(fixed.hostIp('mx.fixed.test')).toBe('127.0.3.9');
    await fixed.close();
    await fixed.close();
  });
});

describe('close()', () => {
  it('leaves nothing that keeps the process alive', async () => {
    const fixture = fileURLToPath(
      new URL('./fixtures/close-releases-everything.ts', import.meta.url),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), 15_000);
    });
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (result === 'hung') child.kill();
    expect({ result, output: output.trim() }).toEqual({ result: 0, output: 'closed' });
  });
});
