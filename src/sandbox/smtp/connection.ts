/**
 * One client connection of a sandbox host: records every byte and line the client sends, hands
 * lines to the behaviour one at a time (so pipelined commands are answered in order), and writes
 * replies after a delay that closing the connection cancels. After STARTTLS it speaks TLS over the
 * same TCP connection and records the decrypted bytes and lines instead.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { HostStatsRecorder } from './host-stats.ts';

export interface ReceivedLine {
  /** The line without its CRLF, decoded as UTF-8. */
  text: string;
  /** False when the line carries a bare CR, a bare LF or a NUL: a command injection attempt. */
  wellFormed: boolean;
  /** The line was longer than the server reads; `text` is its beginning. */
  tooLong: boolean;
  /**
   * It arrived before the reply to the command before it was sent: the client pipelined it
   * (RFC 2920). A client that waits for every reply never sends one.
   */
  pipelined: boolean;
  /** When it arrived (`performance.now()`). */
  at: number;
}

/** Postfix's `line_length_limit`: longer command lines are cut, the rest discarded. */
const MAX_LINE_BYTES = 2048;
const CRLF = Buffer.from('\r\n');

export class SandboxConnection {
  readonly clientIp: string;
  /** The socket replies go to and lines come from: the TCP one, or TLS over it after STARTTLS. */
  private socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  /** Set while the rest of an over-long line is being thrown away. */
  private discarding = false;
  private readonly lines: ReceivedLine[] = [];
  private waiter: ((line: ReceivedLine | undefined) => void) | undefined;
  /** Replies written (the banner included) and lines received: what tells a pipelined line. */
  private written = 0;
  private received = 0;
  /** When the connection was accepted (`performance.now()`): what the banner's latency counts from. */
  readonly openedAt = performance.now();
  /** Aborted once the connection is gone; what `onClose` listeners and replies wait on. */
  private readonly abort = new AbortController();
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onSocketClose = (): void => {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.waiter?.(undefined);
    this.waiter = undefined;
  };

  constructor(
    private readonly plain: Socket,
    private readonly recorder: HostStatsRecorder,
  ) {
    this.socket = plain;
    this.clientIp = plain.remoteAddress ?? '';
    plain.on('data', this.onData);
    // A client that resets the connection is ordinary here; 'close' follows and cleans up.
    plain.on('error', () => {});
    plain.on('close', this.onSocketClose);
  }

  get closed(): boolean {
    return this.abort.signal.aborted || this.socket.destroyed;
  }

  /** True once the STARTTLS handshake completed: the session is encrypted. */
  get tls(): boolean {
    return this.socket !== this.plain;
  }

  /** This session has now been given `errors` error replies (see HostStats.maxSessionErrors). */
  errorsGiven(errors: number): void {
    this.recorder.sessionErrors(errors);
  }

  onClose(listener: () => void): void {
    this.abort.signal.addEventListener('abort', () => listener(), { once: true });
  }

  /** The next line the client sent, or undefined once the connection is gone. */
  nextLine(): Promise<ReceivedLine | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.closed) return Promise.resolve(line);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /**
   * Waits `delayMs`, then writes. False when the connection closed first. `unsolicited`: a reply
   * to no command (a server out of step), not counted as the answer to one.
   */
  async send(data: string | Buffer, delayMs: number, unsolicited = false): Promise<boolean> {
    if (delayMs > 0) await sleep(delayMs, this.abort.signal);
    if (this.closed) return false;
    this.socket.write(data);
    if (!unsolicited) this.written += 1;
    return true;
  }

  /** Close after the written data is flushed, as a server does after 221 or 421. */
  end(): void {
    const socket = this.socket;
    socket.end(() => socket.destroy());
    // The session is over the moment the server decides so (after 221 or 421), as a real MTA
    // counts it; waiting for the socket's 'close' would let a busy sandbox process count a new
    // client's connection before it got round to the old one's close event.
    this.onSocketClose();
  }

  /** Close at once, whatever is unsent: a crash or a dropped link. */
  destroy(): void {
    this.socket.destroy();
    this.plain.destroy();
  }

  /**
   * Stops reading plaintext and forgets whatever the client sent after the STARTTLS line: RFC
   * 3207 §4.2 forbids acting on it (CVE-2011-0411, plaintext commands injected before the
   * handshake). Bytes that arrive from now on wait in the socket for the TLS layer.
   */
  holdForTls(): void {
    this.plain.pause();
    this.plain.off('data', this.onData);
    this.lines.length = 0;
    this.pending = Buffer.alloc(0);
    this.discarding = false;
    // The lines thrown away get no reply: count only what is answered, STARTTLS's 220 next.
    this.received = this.written;
  }

  /**
   * After `220 Ready to start TLS` (and `holdForTls`): the server side of the TLS handshake.
   * True once it completed and lines come decrypted; false if the connection failed or closed.
   */
  async startTls(secureContext: tls.SecureContext): Promise<boolean> {
    if (this.closed) return false;
    await flushed(this.plain);
    if (this.closed) return false;
    const secure = new tls.TLSSocket(this.plain, { isServer: true, secureContext });
    this.socket = secure;
    secure.on('data', this.onData);
    secure.on('error', () => {});
    secure.on('close', this.onSocketClose);
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('close', () => resolve(false));
      secure.once('error', () => {
        secure.destroy();
        resolve(false);
      });
    });
    if (ok) this.recorder.tlsSession();
    return ok;
  }

  /**
   * A broken TLS middlebox after `220 Ready to start TLS` (and `holdForTls`): it answers the
   * client's ClientHello with bytes that are no TLS record, and hangs up. What the client sent
   * from the STARTTLS on is neither recorded nor read as lines.
   */
  breakTls(junk: Buffer): void {
    const plain = this.plain;
    plain.once('data', () => {
      plain.write(junk);
      this.end();
    });
    // Keep reading (and dropping) so the close is a FIN, not a reset over unread data.
    plain.on('data', () => {});
    plain.resume();
  }

  private receive(chunk: Buffer): void {
    this.recorder.bytes(chunk);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = this.pending.indexOf(CRLF);
      if (end === -1) break;
      const raw = this.pending.subarray(0, end);
      this.pending = this.pending.subarray(end + 2);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      this.emit(raw.subarray(0, MAX_LINE_BYTES), raw.length > MAX_LINE_BYTES);
    }
    if (!this.discarding && this.pending.length > MAX_LINE_BYTES) {
      this.emit(this.pending.subarray(0, MAX_LINE_BYTES), true);
      this.discarding = true;
    }
    if (this.discarding) {
      // Keep a possible CR so a CRLF split across chunks still ends the discarded line.
      this.pending = this.pending.subarray(Math.max(0, this.pending.length - 1));
    }
  }

  private emit(raw: Buffer, tooLong: boolean): void {
    const text = raw.toString('utf8');
    const wellFormed = !/[\r\n\0]/.test(text);
    this.recorder.line(text, wellFormed);
    // In lockstep the banner and a reply to each earlier line are out before a line arrives.
    const pipelined = this.written < 1 + this.received;
    this.received += 1;
    const line = { text, wellFormed, tooLong, pipelined, at: performance.now() };
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(line);
    } else {
      this.lines.push(line);
    }
  }
}

/** Resolves once everything written to `socket` so far left it (or it failed). */
function flushed(socket: Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
}

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects, never outlives a close. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
