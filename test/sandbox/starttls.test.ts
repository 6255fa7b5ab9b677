/**
 * STARTTLS in the sandbox (RFC 3207), checked with node's own `net` and `tls` rather than
 * listclean's SMTP client: the advertisement, the upgrade, the fresh start after it, the
 * recording of the decrypted commands, and a host whose TLS is broken.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld, validateScenario } from '../../src/sandbox/index.ts';

const scenario: Scenario = {
  domains: {
    'tls.test': { mx: [{ host: 'mx.tls.test' }], mailboxes: ['alice'] },
    'broken.test': { mx: [{ host: 'mx.broken.test' }], mailboxes: ['alice'] },
    'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['alice'] },
  },
  hosts: {
    'mx.tls.test': { starttls: true },
    'mx.broken.test': { starttls: 'broken' },
    'mx.plain.test': {},
  },
};

interface Reply {
  code: number;
  /** Text of each line, without the code and separator. */
  lines: string[];
  /** The reply as received, CRLFs trimmed off the end. */
  raw: string;
}

/** Reads SMTP replies from a plain or a TLS socket; the socket is the test's to close. */
class ReplyReader {
  private buffer = '';
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.wake?.();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  async command(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async reply(): Promise<Reply> {
    const deadline = Date.now() + 5000;
    const lines: string[] = [];
    const raw: string[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end === -1) {
        if (this.ended) throw new Error(`closed before a complete reply: ${raw.join('|')}`);
        if (Date.now() > deadline) throw new Error('timed out waiting for a reply');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const match = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (match === null) throw new Error(`not an SMTP reply line: ${JSON.stringify(line)}`);
      raw.push(line);
      lines.push(match[3] ?? '');
      if (match[2] !== '-') return { code: Number(match[1]), lines, raw: raw.join('\r\n') };
    }
  }
}

function connect(ip: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: ip, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The client side of the handshake over `socket` (self-signed certificate: not verified). */
function upgrade(socket: net.Socket, servername: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername, rejectUnauthorized: false });
    secure.once('secureConnect', () => resolve(secure));
    secure.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
  });
}

/** Banner and EHLO in plaintext: the reader, and the EHLO reply. */
async function greet(ip: string, port: number): Promise<{ plain: ReplyReader; ehlo: Reply }> {
  const plain = new ReplyReader(await connect(ip, port));
  expect((await plain.reply()).code).toBe(220);
  return { plain, ehlo: await plain.command('EHLO client.test') };
}

/** Banner, EHLO, STARTTLS and the handshake: a reader over the TLS socket. */
async function tlsSession(world: SandboxWorld, host: string): Promise<ReplyReader> {
  const { plain } = await greet(world.hostIp(host), world.smtpPort);
  expect((await plain.command('STARTTLS')).raw).toBe('220 2.0.0 Ready to start TLS');
  return new ReplyReader(await upgrade(plain.socket, host));
}

describe('a world whose certificate openssl cannot make', () => {
  it('does not start, and says why', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startWorld(scenario)).rejects.toMatchObject({
        code: 'sandbox_tls_unavailable',
        message: expect.stringMatching(/openssl.*not on PATH/),
      });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('the starttls field of a scenario host', () => {
  it('takes true, false or "broken" and nothing else', () => {
    for (const starttls of [true, false, 'broken'] as const) {
      expect(validateScenario({ domains: {}, hosts: { mx: { starttls } } }, 's').hosts).toEqual({
        mx: { starttls },
      });
    }
    expect(() =>
      validateScenario({ domains: {}, hosts: { mx: { starttls: 'yes' } } }, 's'),
    ).toThrow(/^s: hosts\.mx\.starttls: /);
  });
});

describe('STARTTLS in the sandbox', () => {
  let world: SandboxWorld;
  beforeAll(async () => {
    world = await startWorld(scenario);
  });
  afterAll(() => world?.close());
  beforeEach(() => world.resetStats());

  it('is advertised only by hosts that offer it', async () => {
    const offered = await greet(world.hostIp('mx.tls.test'), world.smtpPort);
    expect(offered.ehlo.code).toBe(250);
    expect(offered.ehlo.lines).toContain('STARTTLS');
    offered.plain.socket.destroy();

    const broken = await greet(world.hostIp('mx.broken.test'), world.smtpPort);
    expect(broken.ehlo.lines).toContain('STARTTLS');
    broken.plain.socket.destroy();

    const plain = await greet(world.hostIp('mx.plain.test'), world.smtpPort);
    expect(plain.ehlo.code).toBe(250);
    expect(plain.ehlo.lines).not.toContain('STARTTLS');
    expect((await plain.plain.command('STARTTLS')).raw).toBe(
      '502 5.5.1 Error: command not implemented',
    );
    plain.plain.socket.destroy();
  });

  it('upgrades, then starts the session afresh and no longer offers it', async () => {
    const session = await tlsSession(world, 'mx.tls.test');
    const secure = session.socket as tls.TLSSocket;
    expect(secure.encrypted).toBe(true);
    expect(secure.getPeerCertificate().subject?.CN).toBe('mx.sandbox.test');

    // RFC 3207 §4.2: the server forgot the EHLO sent in plaintext.
    expect((await session.command('MAIL FROM:<probe@client.test>')).raw).toBe(
      '503 5.5.1 Error: send HELO/EHLO first',
    );
    const ehlo = await session.command('EHLO client.test');
    expect(ehlo.code).toBe(250);
    expect(ehlo.lines).toContain('PIPELINING');
    expect(ehlo.lines).not.toContain('STARTTLS');
    expect((await session.command('STARTTLS')).raw).toBe('503 5.5.1 Error: TLS already active');
    expect((await session.command('MAIL FROM:<probe@client.test>')).code).toBe(250);
    expect((await session.command('RCPT TO:<alice@tls.test>')).raw).toBe('250 2.1.5 Ok');
    expect((await session.command('RCPT TO:<nobody@tls.test>')).code).toBe(550);
    expect((await session.command('QUIT')).raw).toBe('221 2.0.0 Bye');
    await closed(secure);

    const stats = world.stats('mx.tls.test');
    expect(stats.tlsSessions).toBe(1);
    // Recorded in the clear, the commands sent over TLS included; no TLS record as a line.
    expect(stats.commands).toEqual([
      'EHLO client.test',
      'STARTTLS',
      'MAIL FROM:<probe@client.test>',
      'EHLO client.test',
      'STARTTLS',
      'MAIL FROM:<probe@client.test>',
      'RCPT TO:<alice@tls.test>',
      'RCPT TO:<nobody@tls.test>',
      'QUIT',
    ]);
    expect(stats.rcpts).toBe(2);
    expect(stats.rcptsByAddress).toEqual({ 'alice@tls.test': 1, 'nobody@tls.test': 1 });
    expect(stats.received()).toContain('RCPT TO:<alice@tls.test>\r\n');
  });

  it('ignores plaintext commands pipelined behind STARTTLS (CVE-2011-0411)', async () => {
    const { plain } = await greet(world.hostIp('mx.tls.test'), world.smtpPort);
    plain.socket.write('STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n');
    expect((await plain.reply()).raw).toBe('220 2.0.0 Ready to start TLS');
    const session = new ReplyReader(await upgrade(plain.socket, 'mx.tls.test'));
    expect((await session.command('EHLO client.test')).code).toBe(250);
    // Had the injected MAIL been obeyed, this would be "nested MAIL command".
    expect((await session.command('MAIL FROM:<probe@client.test>')).raw).toBe('250 2.1.0 Ok');
    expect((await session.command('QUIT')).code).toBe(221);
    session.socket.destroy();
  });

  it('counts the sessions that used TLS', async () => {
    for (let i = 0; i < 2; i++) {
      const session = await tlsSession(world, 'mx.tls.test');
      expect((await session.command('EHLO client.test')).code).toBe(250);
      expect((await session.command('QUIT')).code).toBe(221);
      await closed(session.socket);
    }
    const { plain } = await greet(world.hostIp('mx.tls.test'), world.smtpPort);
    expect((await plain.command('QUIT')).code).toBe(221);
    await closed(plain.socket);

    const stats = world.stats('mx.tls.test');
    expect(stats.sessions).toBe(3);
    expect(stats.tlsSessions).toBe(2);
    expect(stats.currentSessions).toBe(0);
  });

  it('"broken": says 220, then answers the handshake with junk and hangs up', async () => {
    const { plain } = await greet(world.hostIp('mx.broken.test'), world.smtpPort);
    expect((await plain.command('STARTTLS')).raw).toBe('220 2.0.0 Ready to start TLS');
    await expect(upgrade(plain.socket, 'mx.broken.test')).rejects.toThrow();
    await closed(plain.socket);

    const stats = world.stats('mx.broken.test');
    expect(stats.tlsSessions).toBe(0);
    expect(stats.commands).toEqual(['EHLO client.test', 'STARTTLS']);
    await expect.poll(() => stats.currentSessions).toBe(0);
  });
});
