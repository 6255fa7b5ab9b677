/**
 * One client connection of a sandbox host: records every byte and line the client sends, hands
 * lines to the behaviour one at a time (so pipelined commands are answered in order), and writes
 * replies after a delay that closing the connection cancels.
 */
import type { Socket } from 'node:net';
import type { HostStatsRecorder } from './host-stats.ts';

export interface ReceivedLine {
  /** The line without its CRLF, decoded as UTF-8. */
  text: string;
  /** False when the line carries a bare CR, a bare LF or a NUL: a command injection attempt. */
  wellFormed: boolean;
  /** The line was longer than the server reads; `text` is its beginning. */
  tooLong: boolean;
}

/** Postfix's `line_length_limit`: longer command lines are cut, the rest discarded. */
const MAX_LINE_BYTES = 2048;
const CRLF = Buffer.from('\r\n');

export class SandboxConnection {
  readonly clientIp: string;
  private pending: Buffer = Buffer.alloc(0);
  /** Set while the rest of an over-long line is being thrown away. */
  private discarding = false;
  private readonly lines: ReceivedLine[] = [];
  private waiter: ((line: ReceivedLine | undefined) => void) | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly socket: Socket,
    private readonly recorder: HostStatsRecorder,
  ) {
    this.clientIp = socket.remoteAddress ?? '';
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A client that resets the connection is ordinary here; 'close' follows and cleans up.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.abort.abort();
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  get closed(): boolean {
    return this.abort.signal.aborted || this.socket.destroyed;
  }

  onClose(listener: () => void): void {
    this.socket.once('close', listener);
  }

  /** The next line the client sent, or undefined once the connection is gone. */
  nextLine(): Promise<ReceivedLine | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.closed) return Promise.resolve(line);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Waits `delayMs`, then writes. False when the connection closed first. */
  async send(data: string | Buffer, delayMs: number): Promise<boolean> {
    if (delayMs > 0) await sleep(delayMs, this.abort.signal);
    if (this.closed) return false;
    this.socket.write(data);
    return true;
  }

  /** Close after the written data is flushed, as a server does after 221 or 421. */
  end(): void {
    this.socket.end(() => this.socket.destroy());
  }

  /** Close at once, whatever is unsent: a crash or a dropped link. */
  destroy(): void {
    this.socket.destroy();
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
    const line = { text, wellFormed, tooLong };
    if (this.waiter !== undefined) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter(line);
    } else {
      this.lines.push(line);
    }
  }
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
