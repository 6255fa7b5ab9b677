/**
 * One SMTP session against one MX address: banner, EHLO (HELO fallback), optional STARTTLS,
 * MAIL FROM, then RCPT TO for as many recipients as politeness allows, and QUIT. Never DATA.
 *
 * Politeness (DESIGN §2.7): Postfix slows down after 10 rejected recipients in a session and
 * hangs up after 20, so a session stops once `maxRejectsPerSession` replies were not 2xx (the
 * catch-all probe counts) and leaves the rest to a fresh session.
 */
import { isTooManyRecipients } from '../classify/session-signals.ts';
import { describeEgress, type Egress } from '../egress/config.ts';
import { SmtpConnection } from './connection.ts';
import { SmtpError, type SmtpFailureKind, type SmtpStage } from './errors.ts';
import { formatReply, type ReplyLimits, type SmtpReply } from './reply.ts';
import type { TraceRecorder } from './transcript.ts';

export interface SmtpTimeouts {
  connectMs: number;
  bannerMs: number;
  /** Each of EHLO, STARTTLS, MAIL, RCPT, RSET. */
  commandMs: number;
  quitMs: number;
}

export interface SessionOptions {
  port: number;
  heloName: string;
  mailFrom: string;
  /** Where the session leaves from; greylisting keys on it, so a retry must use the same one. */
  egress?: Egress;
  timeouts: SmtpTimeouts;
  /** Use PIPELINING (RFC 2920) when the server advertises it. */
  pipelining: boolean;
  /** Upgrade with STARTTLS when the server advertises it. */
  starttls: boolean;
  maxRcptsPerSession: number;
  maxRejectsPerSession: number;
  limits?: ReplyLimits;
  /** Records a transcript of every session (`--trace`); absent: nothing is recorded. */
  trace?: TraceRecorder;
}

export interface SmtpTarget {
  /** MX host name (for reports and TLS SNI). */
  host: string;
  /** The vetted address we connect to. */
  ip: string;
}

export type SessionFailure =
  /** The server refused us with a reply before RCPT, or said 421 at any point. */
  | { kind: 'reply'; stage: SmtpStage; reply: SmtpReply }
  | { kind: SmtpFailureKind; stage: SmtpStage; message: string };

export interface SessionResult {
  target: SmtpTarget;
  /** RCPT replies by address, the catch-all probe included. */
  replies: Map<string, SmtpReply>;
  /** Recipients (and probe) that got no reply: not sent, or the session ended first. */
  unanswered: string[];
  /** Addresses with a non-ASCII local part that this server cannot take (no SMTPUTF8). */
  needSmtpUtf8: string[];
  /** Why the session ended early; null when it ran to the end or stopped for politeness. */
  failure: SessionFailure | null;
  /** The session stopped at the reject or RCPT budget; the rest needs a new session. */
  stoppedForPoliteness: boolean;
  /** The server said "too many recipients": the rest needs a new session. */
  recipientLimitHit: boolean;
  /** That reply, so addresses left without an answer still carry what the server said. */
  limitReply: SmtpReply | null;
  extensions: Set<string>;
  tls: boolean;
  /** The name of this session's transcript (`options.trace`); null when not traced. */
  trace: string | null;
}

const NON_ASCII = /\P{ASCII}/u;
/** RCPTs in flight at once when pipelining; the reject budget bounds it further. */
const MAX_PIPELINE_WINDOW = 20;

function parseExtensions(ehlo: SmtpReply): Set<string> {
  return new Set(
    ehlo.lines.slice(1).map((line) => line.trim().split(/\s+/)[0]?.toUpperCase() ?? ''),
  );
}

/**
 * Runs one session. Recipients must be normalised, validated addresses (the address parser
 * rejects CR/LF; the connection refuses to write them anyway). `probe`, if given, is sent first.
 */
export async function runSession(
  target: SmtpTarget,
  recipients: readonly string[],
  options: SessionOptions,
  probe?: string,
): Promise<SessionResult> {
  const queue = probe ? [probe, ...recipients] : [...recipients];
  const result: SessionResult = {
    target,
    replies: new Map(),
    unanswered: [],
    needSmtpUtf8: [],
    failure: null,
    stoppedForPoliteness: false,
    recipientLimitHit: false,
    limitReply: null,
    extensions: new Set(),
    tls: false,
    trace: null,
  };
  let connection: SmtpConnection | null = null;
  const { timeouts } = options;
  const transcript = options.trace?.open({
    target,
    port: options.port,
    egress: options.egress ? describeEgress(options.egress) : 'the default route',
    heloName: options.heloName,
    mailFrom: options.mailFrom,
  });
  result.trace = transcript?.name ?? null;
  try {
    connection = await SmtpConnection.open({
      ip: target.ip,
      port: options.port,
      egress: options.egress,
      connectTimeoutMs: timeouts.connectMs,
      limits: options.limits,
      ...(transcript ? { transcript } : {}),
    });
    const conn = connection;
    const command = async (line: string, stage: SmtpStage): Promise<SmtpReply> => {
      conn.write(line);
      return conn.read(stage, timeouts.commandMs);
    };

    const banner = await conn.read('banner', timeouts.bannerMs);
    if (banner.code !== 220) {
      result.failure = { kind: 'reply', stage: 'banner', reply: banner };
      return finish();
    }
    const greeting = await greet(command, options.heloName);
    if (greeting.failure) {
      result.failure = greeting.failure;
      return finish();
    }
    result.extensions = greeting.extensions;

    if (options.starttls && result.extensions.has('STARTTLS')) {
      const reply = await command('STARTTLS', 'starttls');
      if (reply.code === 220) {
        await conn.startTls(target.host, timeouts.commandMs);
        result.tls = true;
        const again = await greet(command, options.heloName);
        if (again.failure) {
          result.failure = again.failure;
          return finish();
        }
        result.extensions = again.extensions;
      }
    }

    const utf8 = result.extensions.has('SMTPUTF8');
    const sendable = queue.filter((address) => utf8 || !NON_ASCII.test(address));
    result.needSmtpUtf8 = queue.filter((address) => !utf8 && NON_ASCII.test(address));
    const needsUtf8Param = utf8 && sendable.some((address) => NON_ASCII.test(address));
    const mail = await command(
      `MAIL FROM:<${options.mailFrom}>${needsUtf8Param ? ' SMTPUTF8' : ''}`,
      'mail',
    );
    if (mail.code !== 250) {
      result.failure = { kind: 'reply', stage: 'mail', reply: mail };
      result.unanswered = sendable;
      return finish();
    }

    await recipientsLoop(conn, sendable, options, result);
    return finish();
  } catch (error) {
    if (!(error instanceof SmtpError)) throw error;
    result.failure = { kind: error.kind, stage: error.stage, message: error.message };
    return finish();
  }

  async function finish(): Promise<SessionResult> {
    const answered = new Set([...result.replies.keys(), ...result.needSmtpUtf8]);
    const pending = new Set(result.unanswered);
    for (const address of queue) {
      if (!answered.has(address)) pending.add(address);
    }
    result.unanswered = queue.filter((address) => pending.has(address));
    if (connection) await quit(connection, timeouts.quitMs);
    if (transcript) {
      transcript.note(sessionEnd(result));
      transcript.end();
    }
    return result;
  }
}

/** The transcript's last line: how the session ended, in the words of its failure. */
function sessionEnd(result: SessionResult): string {
  const { failure } = result;
  const answered = `${result.replies.size} RCPT answer(s)`;
  if (failure === null) {
    const why = result.stoppedForPoliteness
      ? '; stopped at the session’s RCPT or reject budget'
      : result.recipientLimitHit
        ? '; the server took no more recipients'
        : '';
    return `session over: ${answered}${why}`;
  }
  const what = failure.kind === 'reply' ? formatReply(failure.reply) : failure.message;
  return `session ended early at ${failure.stage} (${failure.kind}): ${what}; ${answered}`;
}

async function greet(
  command: (line: string, stage: SmtpStage) => Promise<SmtpReply>,
  heloName: string,
): Promise<{ extensions: Set<string>; failure: SessionFailure | null }> {
  const ehlo = await command(`EHLO ${heloName}`, 'ehlo');
  if (ehlo.code === 250) return { extensions: parseExtensions(ehlo), failure: null };
  if (ehlo.code === 421) {
    return { extensions: new Set(), failure: { kind: 'reply', stage: 'ehlo', reply: ehlo } };
  }
  // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; HELO is the fallback.
  const helo = await command(`HELO ${heloName}`, 'helo');
  if (helo.code === 250) return { extensions: new Set(), failure: null };
  return { extensions: new Set(), failure: { kind: 'reply', stage: 'helo', reply: helo } };
}

async function recipientsLoop(
  conn: SmtpConnection,
  queue: string[],
  options: SessionOptions,
  result: SessionResult,
): Promise<void> {
  const pipelining = options.pipelining && result.extensions.has('PIPELINING');
  let rejects = 0;
  let sent = 0;
  let index = 0;
  while (index < queue.length) {
    if (sent >= options.maxRcptsPerSession || rejects >= options.maxRejectsPerSession) {
      result.stoppedForPoliteness = true;
      return;
    }
    // Never have more RCPTs in flight than rejections we can still afford: if all of them
    // fail, the session still ends within the budget.
    const budget = Math.min(
      options.maxRejectsPerSession - rejects,
      options.maxRcptsPerSession - sent,
      pipelining ? MAX_PIPELINE_WINDOW : 1,
    );
    const window = queue.slice(index, index + budget);
    for (const address of window) conn.write(`RCPT TO:<${address}>`);
    sent += window.length;
    index += window.length;
    for (const address of window) {
      const reply = await conn.read('rcpt', options.timeouts.commandMs);
      if (reply.code === 421) {
        result.failure = { kind: 'reply', stage: 'rcpt', reply };
        return;
      }
      if (isTooManyRecipients(reply)) {
        result.recipientLimitHit = true;
        result.limitReply ??= reply;
        // Replies to the rest of the window still arrive; read them so QUIT pairs correctly.
        continue;
      }
      if (result.recipientLimitHit) continue;
      result.replies.set(address, reply);
      if (reply.code < 200 || reply.code >= 300) rejects += 1;
    }
    if (result.recipientLimitHit) return;
  }
}

async function quit(connection: SmtpConnection, timeoutMs: number): Promise<void> {
  try {
    if (connection.isOpen) {
      connection.write('QUIT');
      await connection.read('quit', timeoutMs);
      await connection.close(timeoutMs);
    }
  } catch {
    // The answer to QUIT changes nothing.
  } finally {
    connection.destroy();
  }
}
