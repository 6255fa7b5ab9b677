/**
 * SMTP transcripts (`--trace`, issue 12): every line of one session as it crossed the wire —
 * what we sent (`C:`), what the server answered (`S:`), what happened around it (`*`: connect,
 * TLS, the end) — each with the milliseconds since the session started. Recording is a sink the
 * connection and the session call; without one nothing is built, so tracing costs nothing when
 * it is off.
 *
 * Servers are untrusted and transcripts end up on terminals and in browsers: control and
 * format characters (ANSI escapes, bidi overrides) are shown as `\xNN` / `\u{…}`, lines and
 * whole transcripts are bounded. No credential ever goes in: SMTP here has none (no AUTH), and
 * anything that names an egress passes through `redactCredentials`.
 */
import type { SmtpTarget } from './session.ts';

/** Where a connection reports the lines of its session. */
export interface TranscriptSink {
  /** A command line we wrote (without CRLF). */
  sent(line: string): void;
  /** One reply line as received (without CRLF), before it is parsed. */
  received(line: string): void;
  /** Something that is not a line: connected, TLS established, a failure, closed. */
  note(text: string): void;
}

/** What a transcript's header says about its session. */
export interface TranscriptContext {
  target: SmtpTarget;
  port: number;
  /** The egress the session leaves from (a name, never with credentials). */
  egress: string;
  heloName: string;
  mailFrom: string;
}

/** Longest line kept, in characters; the rest is counted, not kept. */
const MAX_LINE_CHARS = 1024;
/** Lines kept per transcript (an EHLO answer has ~20, a session of 50 RCPTs ~120). */
const MAX_LINES = 2000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029\\]/gu;

/** Control and format characters as escapes; a backslash doubled so escapes stay unambiguous. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (char === '\\') return '\\\\';
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `socks5://user:secret@host:1080` → `socks5://host:1080`, wherever it appears in the text. */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s]*@/g, '$1');
}

/**
 * Reply bytes arrive as latin1 (one char per byte, see reply.ts); shown as UTF-8 when they are
 * valid UTF-8, so a server's non-ASCII text reads as it was meant.
 */
function decodeReceived(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the fast path.
  if (/^[\u0000-\u007f]*$/.test(line)) return line;
  const bytes = Buffer.from(line, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : line;
}

function bounded(text: string): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  return `${text.slice(0, MAX_LINE_CHARS)}… (${text.length - MAX_LINE_CHARS} more characters)`;
}

/** One session's transcript. */
export class Transcript implements TranscriptSink {
  readonly startedAt = new Date();
  readonly #started = performance.now();
  readonly #lines: string[] = [];
  #dropped = 0;
  #ended = false;

  constructor(
    /** Unique within its list run (or process): what reports name it by. */
    readonly name: string,
    readonly context: TranscriptContext,
    private readonly onEnd: (transcript: Transcript) => void = () => undefined,
  ) {}

  sent(line: string): void {
    this.#push('C:', line);
  }

  received(line: string): void {
    this.#push('S:', decodeReceived(line));
  }

  note(text: string): void {
    this.#push('* ', redactCredentials(text));
  }

  /** The session is over: the transcript goes to whoever collects them (once). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onEnd(this);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The transcript as text: a `#` header, then one line per event, `+<ms>ms <tag> <text>`. */
  text(): string {
    const { target, port, egress, heloName, mailFrom } = this.context;
    const address = target.ip.includes(':') ? `[${target.ip}]` : target.ip;
    const header = [
      `# listclean SMTP transcript ${this.name}`,
      `# started ${this.startedAt.toISOString()}`,
      `# mx ${printable(target.host)} ${address}:${port}`,
      `# egress ${printable(redactCredentials(egress))}`,
      `# helo ${printable(heloName)}, mail from <${printable(mailFrom)}>`,
      '# C: sent by listclean  S: the server  *: event; times in ms since the session started',
    ];
    const dropped =
      this.#dropped > 0 ? [`# … ${this.#dropped} more lines not kept (limit ${MAX_LINES})`] : [];
    return `${[...header, ...this.#lines, ...dropped].join('\n')}\n`;
  }

  #push(tag: string, text: string): void {
    // What the socket says after the session is over (its close) is not part of it.
    if (this.#ended) return;
    if (this.#lines.length >= MAX_LINES) {
      this.#dropped += 1;
      return;
    }
    const ms = Math.round(performance.now() - this.#started);
    this.#lines.push(`${`+${ms}ms`.padStart(9)} ${tag} ${printable(bounded(text))}`);
  }
}

/**
 * Opens a transcript per session and hands each finished one to `onEnd` (print it, store it).
 * `nameOf(n)` names the n-th session (1-based) it opened.
 */
export class TraceRecorder {
  #opened = 0;

  constructor(
    private readonly nameOf: (n: number) => string,
    private readonly onEnd: (transcript: Transcript) => void,
  ) {}

  get opened(): number {
    return this.#opened;
  }

  open(context: TranscriptContext): Transcript {
    this.#opened += 1;
    return new Transcript(this.nameOf(this.#opened), context, this.onEnd);
  }
}

/** A recorder that keeps what it recorded, for a caller that stores them after the round. */
export function collectingRecorder(nameOf: (n: number) => string): {
  recorder: TraceRecorder;
  finished: Transcript[];
} {
  const finished: Transcript[] = [];
  return { recorder: new TraceRecorder(nameOf, (t) => finished.push(t)), finished };
}
