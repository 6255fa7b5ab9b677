/**
 * One TCP (optionally TLS) connection to an SMTP server: it owns the socket, turns received
 * bytes into replies, and writes commands. It never writes a line that contains CR, LF or NUL:
 * that would let an address inject SMTP commands.
 */
import net from 'node:net';
import tls from 'node:tls';
import { SmtpError, type SmtpStage } from './errors.ts';
import { DEFAULT_REPLY_LIMITS, type ReplyLimits, ReplyParser, type SmtpReply } from './reply.ts';

export interface ConnectOptions {
  ip: string;
  port: number;
  /** Source address to bind; greylisting keys on it, so retries must reuse it. */
  localAddress?: string;
  connectTimeoutMs: number;
  limits?: ReplyLimits;
}

interface Waiter {
  resolve: (reply: SmtpReply) => void;
  reject: (error: SmtpError) => void;
  stage: SmtpStage;
  timer: NodeJS.Timeout;
}

const FORBIDDEN_IN_COMMAND = /[\r\n\0]/;

export class SmtpConnection {
  private parser: ReplyParser;
  private readonly replies: SmtpReply[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: SmtpError | null = null;
  private closed = false;
  /** Bytes written, for tests and metrics. */
  bytesWritten = 0;

  private constructor(
    private socket: net.Socket,
    private readonly limits: ReplyLimits,
  ) {
    this.parser = new ReplyParser(limits);
    this.attach(socket);
  }

  static open(options: ConnectOptions): Promise<SmtpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: options.ip,
        port: options.port,
        localAddress: options.localAddress,
        // Some hosts resolve to both families; we connect to exactly the address we vetted.
        family: net.isIPv6(options.ip) ? 6 : 4,
      });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new SmtpError(
            'timeout',
            'connect',
            `no TCP connection to ${options.ip}:${options.port} within ${options.connectTimeoutMs} ms`,
          ),
        );
      }, options.connectTimeoutMs);
      const onError = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new SmtpError(
            'connect_failed',
            'connect',
            `cannot connect to ${options.ip}:${options.port}: ${error.code ?? error.message}`,
            { cause: error },
          ),
        );
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new SmtpConnection(socket, options.limits ?? DEFAULT_REPLY_LIMITS));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.failure === null;
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** The next reply, or an SmtpError if none arrives within `timeoutMs` or the connection ends. */
  read(stage: SmtpStage, timeoutMs: number): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) {
      return Promise.reject(new SmtpError('closed', stage, 'the server closed the connection'));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.findIndex((w) => w.timer === timer);
        if (index >= 0) this.waiters.splice(index, 1);
        // A reply that is late is a reply we can no longer pair with its command.
        this.fail(new SmtpError('timeout', stage, `no reply within ${timeoutMs} ms`));
        reject(new SmtpError('timeout', stage, `no reply within ${timeoutMs} ms at ${stage}`));
      }, timeoutMs);
      this.waiters.push({ resolve, reject, stage, timer });
    });
  }

  /** Writes one command line. Throws (never writes) if it contains CR, LF or NUL. */
  write(line: string): void {
    if (FORBIDDEN_IN_COMMAND.test(line)) {
      throw new SmtpError(
        'protocol',
        'rcpt',
        'refusing to send a command containing CR, LF or NUL',
      );
    }
    if (!this.isOpen) return;
    const data = `${line}\r\n`;
    this.bytesWritten += Buffer.byteLength(data);
    this.socket.write(data);
  }

  /** Replaces the socket with a TLS socket over it (after a `220` to STARTTLS). */
  async startTls(servername: string, timeoutMs: number): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const handshake = new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({
        socket: plain,
        // Only probing: we send no message, so an untrusted certificate costs nothing, and
        // refusing it would only turn answers into unknowns.
        rejectUnauthorized: false,
        servername: net.isIP(servername) ? undefined : servername,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SmtpError('timeout', 'starttls', `TLS handshake took over ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new SmtpError('protocol', 'starttls', `TLS handshake failed: ${error.message}`));
      });
    });
    let secure: tls.TLSSocket;
    try {
      secure = await handshake;
    } catch (error) {
      // The plain socket no longer tells us it closed (its listeners are gone): mark the
      // connection dead, or QUIT would be written into it and its reply waited for in vain.
      this.fail(error as SmtpError);
      throw error;
    }
    this.socket = secure;
    this.parser = new ReplyParser(this.limits);
    this.attach(secure);
  }

  /**
   * Ends the connection the way RFC 5321 §4.1.1.10 expects after QUIT: the server closes once it
   * has sent 221, and we wait (up to `timeoutMs`) until it has, so that a session slot released
   * after this really is free on the server's side too.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([closed, late]);
    clearTimeout(timer);
    this.destroy();
  }

  /** Closes at once; safe to call more than once. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
    this.rejectWaiters(new SmtpError('closed', 'quit', 'connection closed by us'));
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {
      // 'close' follows and carries the consequence.
    });
    socket.on('close', () => {
      this.closed = true;
      this.rejectWaiters(null);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    let parsed: SmtpReply[];
    try {
      parsed = this.parser.push(chunk);
    } catch (error) {
      const stage = this.waiters[0]?.stage ?? 'rcpt';
      this.fail(new SmtpError('protocol', stage, (error as Error).message, { cause: error }));
      return;
    }
    for (const reply of parsed) {
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(reply);
      } else {
        this.replies.push(reply);
      }
    }
    // A server that floods replies nobody asked for is broken or hostile.
    if (this.replies.length > 1000) {
      this.fail(new SmtpError('protocol', 'rcpt', 'server sent over 1000 unsolicited replies'));
    }
  }

  private fail(error: SmtpError): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    this.rejectWaiters(error);
  }

  private rejectWaiters(error: SmtpError | null): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(
        error ??
          this.failure ??
          new SmtpError(
            'closed',
            waiter.stage,
            `the server closed the connection at ${waiter.stage}`,
          ),
      );
    }
  }
}
