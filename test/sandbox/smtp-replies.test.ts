import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { openTransaction, RawSmtpClient } from './raw-smtp-client.ts';

const scenario: Scenario = {
  domains: {
    'example.com': {
      mx: [{ host: 'mx.example.com' }],
      mailboxes: ['alice', 'Bob'],
      full: ['fullbox'],
      disabled: ['gone'],
    },
    'catchall.test': { mx: [{ host: 'mx.example.com' }], catchAll: true },
    'policy.test': { mx: [{ host: 'mx.example.com' }], policyBlock: true },
    'exchange.test': {
      mx: [{ host: 'mx.exchange.test' }],
      mailboxes: ['carol'],
      unknownReply: '550 5.4.1 Recipient address rejected: Access denied',
    },
    'giant.test': { mx: [{ host: 'mx.giant.test' }] },
    'listed.test': { mx: [{ host: 'mx.listed.test' }] },
    'old.test': { mx: [{ host: 'mx.old.test' }] },
    'nopipe.test': { mx: [{ host: 'mx.nopipe.test' }] },
    'slow.test': { mx: [{ host: 'mx.slow.test' }], mailboxes: ['alice'] },
  },
  hosts: {
    'mx.example.com': { errorLimits: false },
    'mx.giant.test': { acceptAll: true },
    'mx.listed.test': { blockSender: true },
    'mx.old.test': { heloOnly: true },
    'mx.nopipe.test': { pipelining: false },
    'mx.slow.test': { latencyMs: 120 },
  },
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world.close());

async function rcptReplies(host: string, addresses: string[]): Promise<string[]> {
  const client = await openTransaction(world.hostIp(host), world.smtpPort);
  const replies: string[] = [];
  for (const address of addresses) {
    replies.push((await client.command(`RCPT TO:<${address}>`)).raw.trim());
  }
  await client.command('QUIT');
  client.close();
  return replies;
}

describe('a normal (Postfix-like) host', () => {
  it('greets, advertises its extensions, and says goodbye', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.example.com'), world.smtpPort);
    expect((await client.reply()).raw).toBe('220 mx.example.com ESMTP Postfix\r\n');
    const ehlo = await client.command('EHLO probe.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toEqual(expect.arrayContaining(['PIPELINING', 'ENHANCEDSTATUSCODES']));
    expect((await client.command('QUIT')).raw).toBe('221 2.0.0 Bye\r\n');
    expect(await client.closesWithin(1000)).toBe(true);
  });

  it('answers every RCPT as the scenario says', async () => {
    const replies = await rcptReplies('mx.example.com', [
      'alice@example.com',
      'ALICE@Example.COM',
      'bob@example.com',
      'nobody@example.com',
      'fullbox@example.com',
      'gone@example.com',
      'anything@catchall.test',
      'x@policy.test',
      'x@elsewhere.test',
      'carol@exchange.test',
      'postmaster',
    ]);
    expect(replies).toEqual([
      '250 2.1.5 Ok',
      '250 2.1.5 Ok',
      '250 2.1.5 Ok',
      '550 5.1.1 <nobody@example.com>: Recipient address rejected: ' +
        'User unknown in virtual mailbox table',
      '452 4.2.2 Mailbox full',
      '550 5.2.1 Mailbox disabled, not accepting messages',
      '250 2.1.5 Ok',
      '550 5.7.1 Recipient rejected by policy',
      '554 5.7.1 <x@elsewhere.test>: Relay access denied',
      // exchange.test is served by another host.
      '554 5.7.1 <carol@exchange.test>: Relay access denied',
      '504 5.5.2 <postmaster>: Recipient address rejected: need fully-qualified address',
    ]);
  });

  it('uses the domain unknownReply for unknown recipients', async () => {
    const replies = await rcptReplies('mx.exchange.test', [
      'carol@exchange.test',
      'dan@exchange.test',
    ]);
    expect(replies).toEqual([
      '250 2.1.5 Ok',
      '550 5.4.1 Recipient address rejected: Access denied',
    ]);
  });

  it('acceptAll accepts every recipient of its domains, and relays nothing', async () => {
    const replies = await rcptReplies('mx.giant.test', ['whoever@giant.test', 'a@example.com']);
    expect(replies).toEqual(['250 2.1.5 Ok', '554 5.7.1 <a@example.com>: Relay access denied']);
  });

  it('enforces command order, RSET and refuses DATA', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.example.com'), world.smtpPort);
    await client.reply();
    expect((await client.command('MAIL FROM:<a@b.test>')).raw).toBe(
      '503 5.5.1 Error: send HELO/EHLO first\r\n',
    );
    await client.command('EHLO probe.test');
    expect((await client.command('RCPT TO:<alice@example.com>')).code).toBe(503);
    expect((await client.command('MAIL FROM:<a@b.test>')).code).toBe(250);
    expect((await client.command('MAIL FROM:<a@b.test>')).code).toBe(503);
    expect((await client.command('RCPT TO:<alice@example.com>')).code).toBe(250);
    expect((await client.command('DATA')).code).toBe(554);
    expect((await client.command('RSET')).raw).toBe('250 2.0.0 Ok\r\n');
    expect((await client.command('RCPT TO:<alice@example.com>')).raw).toBe(
      '503 5.5.1 Error: need MAIL command\r\n',
    );
    expect((await client.command('VRFY alice')).code).toBe(502);
    expect((await client.command('STARTTLS')).code).toBe(502);
    expect((await client.command('FROB')).raw).toBe('502 5.5.2 Error: command not recognized\r\n');
    client.close();
  });

  it('answers pipelined commands in order', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.example.com'), world.smtpPort);
    await client.reply();
    client.socket.write(
      'EHLO probe.test\r\nMAIL FROM:<p@probe.test>\r\nRCPT TO:<alice@example.com>\r\n' +
        'RCPT TO:<nobody@example.com>\r\nRSET\r\nQUIT\r\n',
    );
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await client.reply()).code);
    expect(codes).toEqual([250, 250, 250, 550, 250, 221]);
    client.close();
  });

  it('rejects lines with a bare LF, a bare CR or a NUL, and records them verbatim', async () => {
    world.resetStats();
    const client = await openTransaction(world.hostIp('mx.example.com'), world.smtpPort);
    const injections = [
      'RCPT TO:<alice@example.com>\nRCPT TO:<bob@example.com>',
      'RCPT TO:<alice@example.com>\rDATA',
      'RCPT TO:<alice@example.com>\0',
    ];
    for (const line of injections) {
      expect((await client.command(line)).raw).toBe('500 5.5.2 Error: bad syntax\r\n');
    }
    client.close();
    const stats = world.stats('mx.example.com');
    expect(stats.commands).toEqual(expect.arrayContaining(injections));
    expect(stats.rcpts).toBe(0);
    expect(stats.received()).toContain('<alice@example.com>\nRCPT TO:<bob@example.com>\r\n');
    expect(Buffer.from(stats.received('latin1'), 'latin1').includes(0)).toBe(true);
  });

  it('counts sessions, RCPTs per address, MAIL FROMs and client IPs', async () => {
    world.resetStats();
    await rcptReplies('mx.example.com', [
      'Alice@example.com',
      'alice@EXAMPLE.com',
      'x@policy.test',
    ]);
    const stats = world.stats('mx.example.com');
    expect(stats.sessions).toBe(1);
    expect(stats.rcpts).toBe(3);
    expect(stats.rcptsByAddress).toEqual({ 'alice@example.com': 2, 'x@policy.test': 1 });
    expect(stats.mailFroms).toEqual(['probe@listclean.test']);
    expect(stats.clientIps).toEqual(['127.0.0.1']);
    expect(stats.commands).toEqual([
      'EHLO listclean.test',
      'MAIL FROM:<probe@listclean.test>',
      'RCPT TO:<Alice@example.com>',
      'RCPT TO:<alice@EXAMPLE.com>',
      'RCPT TO:<x@policy.test>',
      'QUIT',
    ]);
    expect(stats.bytesReceived).toBe(stats.received().length);
  });
});

describe('host options', () => {
  it('blockSender rejects MAIL FROM naming the client IP and a blocklist', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.listed.test'), world.smtpPort);
    await client.reply();
    await client.command('EHLO probe.test');
    expect((await client.command('MAIL FROM:<p@probe.test>')).raw).toBe(
      '550 5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.org\r\n',
    );
    client.close();
  });

  it('heloOnly rejects EHLO with 502 and accepts HELO', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.old.test'), world.smtpPort);
    await client.reply();
    expect((await client.command('EHLO probe.test')).raw).toBe(
      '502 5.5.2 Error: command not recognized\r\n',
    );
    expect((await client.command('HELO probe.test')).raw).toBe('250 mx.old.test\r\n');
    expect((await client.command('MAIL FROM:<p@probe.test>')).code).toBe(250);
    client.close();
  });

  it('pipelining: false leaves PIPELINING out of the EHLO reply', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.nopipe.test'), world.smtpPort);
    await client.reply();
    const ehlo = await client.command('EHLO probe.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).not.toContain('PIPELINING');
    client.close();
  });

  it('latencyMs delays every reply, the banner included', async () => {
    const started = Date.now();
    const client = await RawSmtpClient.connect(world.hostIp('mx.slow.test'), world.smtpPort);
    await client.reply();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    for (const line of ['EHLO probe.test', 'MAIL FROM:<p@probe.test>', 'RSET']) {
      expect((await client.command(line)).elapsedMs).toBeGreaterThanOrEqual(110);
    }
    client.close();
  });
});
