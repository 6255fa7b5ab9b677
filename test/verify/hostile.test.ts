/**
 * Hostile input and hostile DNS: an address carrying CR/LF never reaches an SMTP socket, and MX
 * hosts on loopback, private, link-local (cloud metadata) or IPv4-mapped addresses are never
 * connected to unless ALLOW_PRIVATE_MX=1.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SandboxDnsServer,
  type SandboxWorld,
  startDnsServer,
  startWorld,
} from '../../src/sandbox/index.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

describe('CR/LF injection', () => {
  let world: SandboxWorld;
  beforeAll(async () => {
    world = await startWorld({
      domains: { 'victim.test': { mx: [{ host: 'mx.victim.test' }], mailboxes: ['alice'] } },
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('rejects the address as invalid_syntax and nothing of it reaches the server', async () => {
    const hostile = [
      'alice@victim.test\r\nRCPT TO:<root@victim.test>',
      'alice@victim.test\nDATA',
      '"alice\r\nQUIT"@victim.test',
      'alice\r@victim.test',
      'alice@victim.test\u0000',
      'alice@victim.test\u2028RCPT TO:<x@y>',
    ];
    const results = await verifyIn(await contextFor(world), [...hostile, 'alice@victim.test']);
    for (const email of hostile) {
      expect(results.get(email)?.reason, JSON.stringify(email)).toBe('invalid_syntax');
    }
    expect(results.get('alice@victim.test')?.reason).toBe('accepted');
    const wire = world.stats('mx.victim.test').received('latin1');
    expect(wire).toContain('RCPT TO:<alice@victim.test>');
    expect(wire).not.toMatch(/root@victim|DATA|QUIT"/);
    expect(wire.includes('\u0000')).toBe(false);
    // Every line on the wire ends with CRLF and carries no bare CR or LF.
    for (const line of wire.split('\r\n')) expect(line).not.toMatch(/[\r\n]/);
  });
});

describe('MX on non-public addresses', () => {
  let dns: SandboxDnsServer;
  let trap: net.Server;
  let trapConnections = 0;
  const hostile: Record<string, string[]> = {
    'loopback.test': ['A', '127.0.0.1'],
    'private.test': ['A', '10.0.0.1'],
    'metadata.test': ['A', '169.254.169.254'],
    'v6loopback.test': ['AAAA', '::1'],
    'mapped.test': ['AAAA', '::ffff:127.0.0.1'],
  };

  beforeAll(async () => {
    // A listener on loopback that must never be reached.
    trap = net.createServer((socket) => {
      trapConnections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    dns = await startDnsServer({
      answer: (name, type) => {
        const domain = name.replace(/^mx\./, '');
        const entry = hostile[domain];
        if (!entry) return { rcode: 'NXDOMAIN' };
        if (type === 'MX' && name === domain) {
          return {
            rcode: 'NOERROR',
            records: [{ type: 'MX', name, preference: 10, exchange: `mx.${domain}` }],
          };
        }
        if (name === `mx.${domain}` && type === entry[0]) {
          const record =
            entry[0] === 'A'
              ? { type: 'A' as const, name, address: entry[1] ?? '' }
              : { type: 'AAAA' as const, name, address: entry[1] ?? '' };
          return { rcode: 'NOERROR', records: [record] };
        }
        return { rcode: 'NOERROR', records: [] };
      },
    });
  });
  afterAll(async () => {
    await dns?.close();
    await new Promise((resolve) => trap?.close(resolve));
  });

  it.each(Object.entries(hostile))(
    '%s (%j) → unknown / mx_not_public, no connection',
    async (domain, [, ip]) => {
      const port = (trap.address() as net.AddressInfo).port;
      const ctx = await contextFor(
        { env: { DNS_SERVERS: `127.0.0.1:${dns.port}`, SMTP_PORT: String(port) } },
        { ALLOW_PRIVATE_MX: '0' },
      );
      const email = `someone@${domain}`;
      const result = (await verifyIn(ctx, [email])).get(email);
      expect(result).toMatchObject({
        status: 'unknown',
        reason: 'mx_not_public',
        mx_host: `mx.${domain}`,
      });
      expect(result?.detail).toContain(ip);
      expect(trapConnections).toBe(0);
    },
  );

  it('does connect when ALLOW_PRIVATE_MX=1 (the guard is what stopped it)', async () => {
    const port = (trap.address() as net.AddressInfo).port;
    const ctx = await contextFor(
      { env: { DNS_SERVERS: `127.0.0.1:${dns.port}`, SMTP_PORT: String(port) } },
      { ALLOW_PRIVATE_MX: '1' },
    );
    const result = (await verifyIn(ctx, ['someone@loopback.test'])).get('someone@loopback.test');
    expect(trapConnections).toBeGreaterThan(0);
    expect(result?.reason).toBe('connection_failed');
  });
});
