/**
 * The tiniest SMTP client that can test the sandbox: a socket, a line written, a reply read.
 * Deliberately independent of listclean's own SMTP code, so the sandbox is checked on its own.
 */
import net from 'node:net';

export interface Reply {
  code: number;
  /** Text of each line, without the code and separator. */
  lines: string[];
  /** The reply as received, CRLFs included. */
  raw: string;
  /** Milliseconds from the read call to the reply's last line. */
  elapsedMs: number;
}

export class RawSmtpClient {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  static connect(host: string, port: number, localAddress?: string): Promise<RawSmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
      socket.once('connect', () => resolve(new RawSmtpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes `line` and CRLF. */
  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async command(line: string, timeoutMs?: number): Promise<Reply> {
    this.send(line);
    return this.reply(timeoutMs);
  }

  /** Reads one (possibly multi-line) reply; rejects on timeout or when the server closes first. */
  async reply(timeoutMs = 5000): Promise<Reply> {
    const started = Date.now();
    const lines: string[] = [];
    let raw = '';
    for (;;) {
      const line = await this.line(started + timeoutMs);
      raw += `${line}\r\n`;
      const match = /^(\d{3})([ -])(.*)$/.exec(line) ?? /^(\d{3})()$/.exec(line);
      if (match === null) throw new Error(`not an SMTP reply line: ${JSON.stringify(line)}`);
      lines.push(match[3] ?? '');
      if (match[2] !== '-') {
        return { code: Number(match[1]), lines, raw, elapsedMs: Date.now() - started };
      }
    }
  }

  /** Everything received so far and not yet consumed, as bytes. */
  takeBuffered(): Buffer {
    const taken = this.buffer;
    this.buffer = Buffer.alloc(0);
    return taken;
  }

  /** Waits until at least `bytes` bytes are buffered, the server closes, or `timeoutMs` passes. */
  async waitForBytes(bytes: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length < bytes && !this.ended && Date.now() < deadline) {
      await this.wait(deadline);
    }
    return this.buffer.length;
  }

  /** True when the server closed the connection within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs));
    return Promise.race([this.closed.then(() => true as const), timer]);
  }

  close(): void {
    this.socket.destroy();
  }

  private async line(deadline: number): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.subarray(0, end).toString('utf8');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.ended) throw new Error('connection closed before a complete reply');
      if (Date.now() >= deadline) throw new Error('timed out waiting for a reply');
      await this.wait(deadline);
    }
  }

  private wait(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Connects, reads the banner, says EHLO and MAIL FROM: a session ready for RCPTs. */
export async function openTransaction(
  host: string,
  port: number,
  mailFrom = 'probe@listclean.test',
  localAddress?: string,
): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(host, port, localAddress);
  await expectCode(client.reply(), 220);
  await expectCode(client.command('EHLO listclean.test'), 250);
  await expectCode(client.command(`MAIL FROM:<${mailFrom}>`), 250);
  return client;
}

async function expectCode(pending: Promise<Reply>, code: number): Promise<void> {
  const got = await pending;
  if (got.code !== code) throw new Error(`expected ${code}, got ${got.raw.trim()}`);
}
