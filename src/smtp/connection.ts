/**
 * One TCP (optionally TLS) connection to an SMTP server: it owns the socket, turns received
 * bytes into replies, and writes commands. It never writes a line that contains CR, LF or NUL:
 * that would let an address inject SMTP commands.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Egress } from '../egress/config.ts';
import { connectVia, EgressConnectError } from '../egress/connect.ts';
import { SmtpError, type SmtpStage } from './errors.ts';
import { DEFAULT_REPLY_LIMITS, type ReplyLimits, ReplyParser, type SmtpReply } from './reply.ts';
import type { TranscriptSink } from './transcript.ts';

export interface ConnectOptions {
  ip: string;
  port: number;
  /**
   * Where the connection leaves from (a local address, a SOCKS5 proxy; default: the host's
   * route). Greylisting keys on the client address, so retries must reuse it.
   */
  egress?: Egress;
  connectTimeoutMs: number;
  limits?: ReplyLimits;
  /** Told every line both ways and what happens to the connection (`--trace`). */
  transcript?: TranscriptSink;
}

interface Waiter {
  resolve: (reply: SmtpReply) => void;
  reject: (error: SmtpError) => void;
  stage: SmtpStage;
  timer: NodeJS.Timeout;
}

const FORBIDDEN_IN_COMMAND = /[\r\n\0]/;
const DEFAULT_EGRESS: Egress = { kind: 'default', name: 'default' };

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
    private readonly transcript?: TranscriptSink,
  ) {
    // Noted before any byte is read: a proxy's socket may hold the banner already.
    transcript?.note(`connected; our end of the socket is ${endpoint(socket)}`);
    this.parser = this.newParser();
    this.attach(socket);
  }

  /** The reply parser; with a transcript, it is told every line as it arrives. */
  private newParser(): ReplyParser {
    const { transcript } = this;
    return transcript
      ? new ReplyParser(this.limits, (line) => transcript.received(line))
      : new ReplyParser(this.limits);
  }

  static async open(options: ConnectOptions): Promise<SmtpConnection> {
    let socket: net.Socket;
    try {
      socket = await connectVia(options.egress ?? DEFAULT_EGRESS, {
        ip: options.ip,
        port: options.port,
        timeoutMs: options.connectTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof EgressConnectError)) throw error;
      // The session reads these as it always did; a failing egress is a kind of its own.
      const kind =
        error.kind === 'refused'
          ? 'connect_failed'
          : error.kind === 'timeout'
            ? 'timeout'
            : 'egress';
      throw new SmtpError(kind, 'connect', error.message, { cause: error });
    }
    socket.setNoDelay(true);
    return new SmtpConnection(socket, options.limits ?? DEFAULT_REPLY_LIMITS, options.transcript);
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
    this.transcript?.sent(line);
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
    this.parser = this.newParser();
    this.transcript?.note(tlsNote(secure));
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
    // A socket from a proxy comes paused with its first bytes waiting (src/egress/connect.ts).
    socket.resume();
    socket.on('error', () => {
      // 'close' follows and carries the consequence.
    });
    socket.on('close', () => {
      if (!this.closed) this.transcript?.note('the server closed the connection');
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
    // Garbage after those replies in the same packet: they were delivered, now the stream fails
    // at once rather than at the next packet or a timeout.
    const broken = this.parser.failure;
    if (broken) {
      const stage = this.waiters[0]?.stage ?? 'rcpt';
      this.fail(new SmtpError('protocol', stage, broken.message, { cause: broken }));
      return;
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

/** `127.0.0.1:50312`: one end of a socket, for transcripts. */
function endpoint(socket: net.Socket): string {
  const address = socket.localAddress ?? '?';
  return `${net.isIPv6(address) ? `[${address}]` : address}:${socket.localPort ?? '?'}`;
}

/** `TLS established: TLSv1.3, TLS_AES_256_GCM_SHA384, certificate not verified (…)`. */
function tlsNote(socket: tls.TLSSocket): string {
  const cipher = socket.getCipher()?.name ?? 'unknown cipher';
  const trust = socket.authorized
    ? 'certificate verified'
    : `certificate not verified (${socket.authorizationError ?? 'no reason given'}; not required for probing)`;
  return `TLS established: ${socket.getProtocol() ?? 'unknown protocol'}, ${cipher}, ${trust}`;
}
