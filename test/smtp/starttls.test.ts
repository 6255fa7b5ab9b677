/**
 * listclean's opportunistic STARTTLS against the sandbox: the upgrade when both sides want it,
 * none when the client does not, and a fresh plaintext session when the server's TLS is broken.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { type DomainProbeOptions, probeDomain } from '../../src/smtp/probe-domain.ts';
import { runSession, type SessionOptions, type SmtpTarget } from '../../src/smtp/session.ts';

const scenario: Scenario = {
  domains: {
    'tls.test': { mx: [{ host: 'mx.tls.test' }], mailboxes: ['alice'] },
    'broken.test': { mx: [{ host: 'mx.broken.test' }], mailboxes: ['alice'] },
  },
  hosts: {
    'mx.tls.test': { starttls: true },
    'mx.broken.test': { starttls: 'broken' },
  },
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world?.close());
beforeEach(() => world.resetStats());

function options(starttls: boolean): SessionOptions {
  return {
    port: world.smtpPort,
    heloName: 'probe.listclean.test',
    mailFrom: 'probe@listclean.test',
    // The production quit timeout: a session must not sit out a wait on a dead connection.
    timeouts: { connectMs: 2000, bannerMs: 2000, commandMs: 2000, quitMs: 5000 },
    pipelining: true,
    starttls,
    maxRcptsPerSession: 50,
    maxRejectsPerSession: 10,
  };
}

function target(host: string): SmtpTarget {
  return { host, ip: world.hostIp(host) };
}

/** Code and enhanced code of each reply, by address. */
function codes(replies: Map<string, { code: number; enhanced: string | null }>) {
  return Object.fromEntries(
    [...replies].map(([address, reply]) => [address, `${reply.code} ${reply.enhanced}`]),
  );
}

describe('runSession with STARTTLS', () => {
  it('upgrades when both sides want it, and probes over TLS', async () => {
    const result = await runSession(
      target('mx.tls.test'),
      ['alice@tls.test', 'nobody@tls.test'],
      options(true),
    );
    expect(result.failure).toBeNull();
    expect(result.tls).toBe(true);
    expect(result.unanswered).toEqual([]);
    expect(codes(result.replies)).toEqual({
      'alice@tls.test': '250 2.1.5',
      'nobody@tls.test': '550 5.1.1',
    });
    // The extensions are the ones of the EHLO after the upgrade (RFC 3207 §4.2).
    expect(result.extensions.has('STARTTLS')).toBe(false);
    expect(result.extensions.has('PIPELINING')).toBe(true);

    const stats = world.stats('mx.tls.test');
    await expect.poll(() => stats.currentSessions).toBe(0);
    expect(stats.sessions).toBe(1);
    expect(stats.tlsSessions).toBe(1);
    expect(stats.commands).toEqual([
      'EHLO probe.listclean.test',
      'STARTTLS',
      'EHLO probe.listclean.test',
      'MAIL FROM:<probe@listclean.test>',
      'RCPT TO:<alice@tls.test>',
      'RCPT TO:<nobody@tls.test>',
      'QUIT',
    ]);
    expect(stats.rcptsByAddress).toEqual({ 'alice@tls.test': 1, 'nobody@tls.test': 1 });
  });

  it('stays in plaintext when the client does not ask for TLS', async () => {
    const result = await runSession(target('mx.tls.test'), ['alice@tls.test'], options(false));
    expect(result.failure).toBeNull();
    expect(result.tls).toBe(false);
    expect(result.extensions.has('STARTTLS')).toBe(true);
    expect(codes(result.replies)).toEqual({ 'alice@tls.test': '250 2.1.5' });

    const stats = world.stats('mx.tls.test');
    await expect.poll(() => stats.currentSessions).toBe(0);
    expect(stats.tlsSessions).toBe(0);
    expect(stats.commands).not.toContain('STARTTLS');
    expect(stats.rcpts).toBe(1);
  });

  it('reports a broken handshake as a starttls failure, promptly', async () => {
    const started = Date.now();
    const result = await runSession(target('mx.broken.test'), ['alice@broken.test'], options(true));
    expect(result.tls).toBe(false);
    expect(result.failure).toMatchObject({ kind: 'protocol', stage: 'starttls' });
    expect(result.unanswered).toEqual(['alice@broken.test']);
    // No QUIT into a connection that is gone: the quit timeout (5 s) is not waited out.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('probeDomain against a host whose TLS is broken', () => {
  it('gets the RCPT answers from a second session without TLS', async () => {
    const probeOptions: DomainProbeOptions = { ...options(true), midSessionRetries: 1 };
    const started = Date.now();
    const result = await probeDomain(
      [target('mx.broken.test')],
      ['alice@broken.test', 'nobody@broken.test'],
      probeOptions,
    );
    expect(result.sessions).toBe(2);
    const outcomes = Object.fromEntries(
      [...result.outcomes].map(([address, outcome]) => [
        address,
        outcome.kind === 'reply' ? `${outcome.reply.code} ${outcome.reply.enhanced}` : outcome,
      ]),
    );
    expect(outcomes).toEqual({
      'alice@broken.test': '250 2.1.5',
      'nobody@broken.test': '550 5.1.1',
    });
    expect(Date.now() - started).toBeLessThan(2000);

    const stats = world.stats('mx.broken.test');
    await expect.poll(() => stats.currentSessions).toBe(0);
    expect(stats.sessions).toBe(2);
    expect(stats.tlsSessions).toBe(0);
    expect(stats.commands).toEqual([
      // Session 1: STARTTLS offered and answered 220; the handshake then fails.
      'EHLO probe.listclean.test',
      'STARTTLS',
      // Session 2: plaintext, STARTTLS no longer asked for.
      'EHLO probe.listclean.test',
      'MAIL FROM:<probe@listclean.test>',
      'RCPT TO:<alice@broken.test>',
      'RCPT TO:<nobody@broken.test>',
      'QUIT',
    ]);
  });
});
