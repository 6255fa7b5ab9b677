/**
 * SMTP replies (RFC 5321 §4.2) and enhanced status codes (RFC 3463), parsed incrementally from
 * the bytes a server sends. Servers are untrusted: lines, line counts and whole replies are
 * bounded so a hostile server cannot make us buffer without limit.
 */

export interface SmtpReply {
  /** Three-digit reply code, e.g. 550. */
  code: number;
  /** RFC 3463 code such as `5.1.1`, taken from the first line when present. */
  enhanced: string | null;
  /** Text of every line, without the code, separator and enhanced code. */
  lines: string[];
  /** The lines joined with a space; what classification reads. */
  text: string;
}

export interface ReplyLimits {
  /** Longest accepted line in bytes (RFC 5321 says 512; real servers exceed it a little). */
  maxLineBytes: number;
  /** Most lines in one multi-line reply (an EHLO answer has ~10–20). */
  maxLines: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = { maxLineBytes: 4096, maxLines: 128 };

export class ReplyProtocolError extends Error {
  readonly code = 'smtp_protocol_error';
}

const LINE = /^([2-5][0-9][0-9])([ -])(.*)$/s;
const BARE_CODE = /^([2-5][0-9][0-9])$/;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)/;

/** Splits `5.1.1 User unknown` into the code and the rest, when the class matches the reply's. */
function splitEnhanced(code: number, text: string): { enhanced: string | null; rest: string } {
  const m = ENHANCED.exec(text);
  if (!m || Number(m[1]) !== Math.floor(code / 100)) return { enhanced: null, rest: text };
  return { enhanced: `${m[1]}.${Number(m[2])}.${Number(m[3])}`, rest: text.slice(m[0].length) };
}

/**
 * Feed it raw bytes with `push`; it returns every reply completed by them. Throws
 * `ReplyProtocolError` on garbage, a line over the limit, or a reply with too many lines — at
 * once when no reply came before the bad line in the same push, else on the next push (see
 * `failure`), so the replies a server sent before breaking reach the caller however its bytes
 * were split into packets.
 */
export class ReplyParser {
  private buffered = '';
  private pending: { code: number; lines: string[] } | null = null;
  /** The stream broke: every later push throws this. */
  private broken: ReplyProtocolError | null = null;

  constructor(
    private readonly limits: ReplyLimits = DEFAULT_REPLY_LIMITS,
    /** Told every line as received, before it is judged (a transcript, `--trace`). */
    private readonly onLine?: (raw: string) => void,
  ) {}

  push(chunk: Buffer | string): SmtpReply[] {
    if (this.broken) throw this.broken;
    // latin1 keeps one char per byte, so the length bound is a byte bound and no input can
    // make decoding fail; replies are ASCII by standard.
    this.buffered += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const replies: SmtpReply[] = [];
    try {
      for (;;) {
        const end = this.buffered.indexOf('\n');
        if (end < 0) break;
        const raw = this.buffered.slice(0, end).replace(/\r$/, '');
        this.buffered = this.buffered.slice(end + 1);
        this.onLine?.(raw);
        const reply = this.line(raw);
        if (reply) replies.push(reply);
      }
      if (this.buffered.length > this.limits.maxLineBytes) {
        throw new ReplyProtocolError(
          `reply line longer than ${this.limits.maxLineBytes} bytes without a line end`,
        );
      }
    } catch (error) {
      if (!(error instanceof ReplyProtocolError)) throw error;
      this.broken = error;
      this.buffered = '';
      // Replies completed before the bad line are the server's answers, whether the garbage
      // came in the same packet or the next one: they are handed over, and the next push
      // reports the broken stream.
      if (replies.length === 0) throw error;
    }
    return replies;
  }

  /** True when part of a reply has been received but not its last line. */
  get midReply(): boolean {
    return this.pending !== null || this.buffered.length > 0;
  }

  /** The stream broke (garbage, a line or reply over the limits) after the replies last pushed. */
  get failure(): ReplyProtocolError | null {
    return this.broken;
  }

  private line(raw: string): SmtpReply | null {
    if (raw.length > this.limits.maxLineBytes) {
      throw new ReplyProtocolError(`reply line longer than ${this.limits.maxLineBytes} bytes`);
    }
    // Some servers send just "250" with no separator; RFC 5321 §4.2 allows it on the last line.
    const bare = BARE_CODE.exec(raw);
    const m = bare ? ([raw, bare[1], ' ', ''] as const) : LINE.exec(raw);
    if (!m)
      throw new ReplyProtocolError(`not an SMTP reply line: ${JSON.stringify(raw.slice(0, 80))}`);
    const code = Number(m[1]);
    if (this.pending && this.pending.code !== code) {
      throw new ReplyProtocolError(`reply code changed mid-reply (${this.pending.code} → ${code})`);
    }
    const current = this.pending ?? { code, lines: [] };
    current.lines.push(m[3] ?? '');
    if (current.lines.length > this.limits.maxLines) {
      throw new ReplyProtocolError(`reply has more than ${this.limits.maxLines} lines`);
    }
    if (m[2] === '-') {
      this.pending = current;
      return null;
    }
    this.pending = null;
    return buildReply(current.code, current.lines);
  }
}

export function buildReply(code: number, rawLines: string[]): SmtpReply {
  const first = splitEnhanced(code, rawLines[0] ?? '');
  const lines = rawLines.map((line, i) =>
    i === 0 ? first.rest : first.enhanced ? splitEnhanced(code, line).rest : line,
  );
  return { code, enhanced: first.enhanced, lines, text: lines.join(' ').trim() };
}

/** `550 5.1.1 User unknown` — for logs and error messages. */
export function formatReply(reply: SmtpReply): string {
  return [String(reply.code), reply.enhanced, reply.text].filter(Boolean).join(' ');
}
