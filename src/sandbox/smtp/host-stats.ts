/**
 * What one sandbox SMTP host saw, recorded at the byte and line level as the client sent it, so
 * tests can assert on listclean's behaviour on the wire (DESIGN §6), not only on its output.
 */

/** Live counters of one host: the object `stats()` returns keeps changing while the world runs. */
export interface HostStats {
  /** Connections accepted, whatever happened next (turned-away ones included). */
  sessions: number;
  /** Connections open right now. */
  currentSessions: number;
  /** The most connections that were open at once, turned-away ones included. */
  maxConcurrentSessions: number;
  /** Connections answered with a 421 banner because of `maxConcurrent` or `rateLimit`. */
  turnedAway: number;
  /** Sessions that completed a STARTTLS handshake (the scenario's `starttls: true`). */
  tlsSessions: number;
  /**
   * The most error replies (4xx and 5xx, any command) one session was given: what Postfix's
   * error throttling counts, and what a client's reject budget must keep under its soft limit.
   */
  maxSessionErrors: number;
  /** `RCPT` commands received (well-formed lines only, counted on receipt, whatever the reply). */
  rcpts: number;
  /** Lower-cased address → `RCPT` count. */
  rcptsByAddress: Record<string, number>;
  /**
   * Every line received, verbatim without its CRLF, in order (capped at 100 000 lines); after
   * STARTTLS, the decrypted lines.
   */
  commands: string[];
  /** The address of every `MAIL FROM` received, verbatim (`''` for the null sender). */
  mailFroms: string[];
  /** The client address of every connection, in order. */
  clientIps: string[];
  /**
   * Every byte received, counted even past the capture cap. After STARTTLS these are the
   * decrypted bytes; the TLS records themselves are not counted.
   */
  bytesReceived: number;
  /** Every byte received (decrypted after STARTTLS), across sessions (first 8 MiB), decoded. */
  received(encoding?: BufferEncoding): string;
}

const MAX_COMMANDS = 100_000;
const MAX_CAPTURED_BYTES = 8 * 1024 * 1024;

/** The single writer of a host's `HostStats`. */
export class HostStatsRecorder {
  readonly stats: HostStats;
  private chunks: Buffer[] = [];
  private capturedBytes = 0;

  constructor() {
    this.stats = {
      sessions: 0,
      currentSessions: 0,
      maxConcurrentSessions: 0,
      turnedAway: 0,
      tlsSessions: 0,
      maxSessionErrors: 0,
      rcpts: 0,
      rcptsByAddress: {},
      commands: [],
      mailFroms: [],
      clientIps: [],
      bytesReceived: 0,
      received: (encoding: BufferEncoding = 'utf8') =>
        Buffer.concat(this.chunks).toString(encoding),
    };
  }

  connectionOpened(clientIp: string): void {
    const stats = this.stats;
    stats.sessions++;
    stats.currentSessions++;
    stats.maxConcurrentSessions = Math.max(stats.maxConcurrentSessions, stats.currentSessions);
    pushCapped(stats.clientIps, clientIp);
  }

  connectionClosed(): void {
    this.stats.currentSessions--;
  }

  turnedAway(): void {
    this.stats.turnedAway++;
  }

  tlsSession(): void {
    this.stats.tlsSessions++;
  }

  /** A session has now been given `errors` error replies in all. */
  sessionErrors(errors: number): void {
    this.stats.maxSessionErrors = Math.max(this.stats.maxSessionErrors, errors);
  }

  bytes(chunk: Buffer): void {
    this.stats.bytesReceived += chunk.length;
    const room = MAX_CAPTURED_BYTES - this.capturedBytes;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    // Copy: the socket may reuse its buffer, and a subarray would pin a large one.
    this.chunks.push(Buffer.from(kept));
    this.capturedBytes += kept.length;
  }

  /** One line as received; `wellFormed` is false when it carried a bare CR, LF or NUL. */
  line(text: string, wellFormed: boolean): void {
    pushCapped(this.stats.commands, text);
    if (!wellFormed) return;
    const rcpt = /^RCPT TO:\s*(<[^>]*>|\S+)/i.exec(text);
    if (rcpt?.[1] !== undefined) {
      const address = stripBrackets(rcpt[1]).toLowerCase();
      this.stats.rcpts++;
      this.stats.rcptsByAddress[address] = (this.stats.rcptsByAddress[address] ?? 0) + 1;
      return;
    }
    const mail = /^MAIL FROM:\s*(<[^>]*>|\S+)/i.exec(text);
    if (mail?.[1] !== undefined) pushCapped(this.stats.mailFroms, stripBrackets(mail[1]));
  }

  /** Zero the counters; open sessions stay open and stay counted as current. */
  reset(): void {
    const stats = this.stats;
    stats.sessions = 0;
    stats.maxConcurrentSessions = stats.currentSessions;
    stats.turnedAway = 0;
    stats.tlsSessions = 0;
    stats.maxSessionErrors = 0;
    stats.rcpts = 0;
    for (const address of Object.keys(stats.rcptsByAddress)) delete stats.rcptsByAddress[address];
    stats.commands.length = 0;
    stats.mailFroms.length = 0;
    stats.clientIps.length = 0;
    stats.bytesReceived = 0;
    this.chunks = [];
    this.capturedBytes = 0;
  }
}

export function stripBrackets(path: string): string {
  return path.startsWith('<') && path.endsWith('>') ? path.slice(1, -1) : path;
}

function pushCapped(list: string[], value: string): void {
  if (list.length < MAX_COMMANDS) list.push(value);
}
