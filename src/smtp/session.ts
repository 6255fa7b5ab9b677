/**
 * One SMTP session against one MX address: banner, EHLO (HELO fallback), optional STARTTLS,
 * MAIL FROM, then RCPT TO for as many recipients as politeness allows, and QUIT. Never DATA.
 *
 * Politeness (DESIGN §2.7): Postfix slows down after 10 rejected recipients in a session and
 * hangs up after 20, so a session stops once `maxRejectsPerSession` replies were not 2xx (the
 * catch-all probe counts) and leaves the rest to a fresh session.
 *
 * With PIPELINING (RFC 2920) MAIL FROM goes with the first window of RCPTs and QUIT with the
 * last; a window is never larger than the rejections the session can still afford. A server
 * that advertises PIPELINING and then breaks it (refuses pipelined commands, answers out of
 * step, drops the connection in the middle of a group) leaves its addresses unanswered with
 * `pipeliningFailed` set: the caller asks them again in lockstep.
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
  /**
   * The server advertised PIPELINING and broke it: it refused pipelined commands, its replies
   * did not pair with our commands (every reply of the session's groups is then dropped), or
   * the connection ended with a group's replies missing. The rest needs a session in lockstep.
   */
  pipeliningFailed: boolean;
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
    pipeliningFailed: false,
  };
  /** QUIT was sent and answered already (pipelined with the last window). */
  let quitDone = false;
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
    const mailLine = `MAIL FROM:<${options.mailFrom}>${needsUtf8Param ? ' SMTPUTF8' : ''}`;
    if (options.pipelining && result.extensions.has('PIPELINING')) {
      quitDone = await pipelinedTransaction(conn, mailLine, sendable, options, result);
      return finish();
    }
    const mail = await command(mailLine, 'mail');
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
    if (connection) await quit(connection, timeouts.quitMs, quitDone);
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
  if (result.pipeliningFailed) {
    const how = failure === null ? '' : ` (${failure.kind} at ${failure.stage})`;
    return `session over: the server advertised PIPELINING and broke it${how}; ${answered} kept, the rest goes again without pipelining`;
  }
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

async function quit(connection: SmtpConnection, timeoutMs: number, done = false): Promise<void> {
  try {
    if (connection.isOpen) {
      if (!done) {
        connection.write('QUIT');
        await connection.read('quit', timeoutMs);
      }
      await connection.close(timeoutMs);
    }
  } catch {
    // The answer to QUIT changes nothing.
  } finally {
    connection.destroy();
  }
}

/** A refusal of pipelined commands: Postfix's `reject_unauth_pipelining`, a synchronization error. */
function refusesPipelining(reply: SmtpReply): boolean {
  return reply.code >= 400 && /pipelin|synchroni[sz]/i.test(reply.text);
}

const NAMED_ADDRESS = /<([^<>\s]+@[^<>\s]+)>/g;

/** The reply names another address of the session than `address`: it answers another command. */
function namesAnother(reply: SmtpReply, address: string, ours: ReadonlySet<string>): boolean {
  for (const [, named] of reply.text.matchAll(NAMED_ADDRESS)) {
    const lower = named?.toLowerCase() ?? '';
    if (lower !== address.toLowerCase() && ours.has(lower)) return true;
  }
  return false;
}

/**
 * MAIL FROM, the RCPTs and QUIT over PIPELINING (RFC 2920): MAIL FROM goes with the first window
 * of RCPTs, QUIT with the window after which nothing can follow. A window is never larger than
 * the rejections the session can still afford, so even if every RCPT in flight fails the session
 * ends within its budget. Replies pair with commands by order; that pairing is checked — the
 * reply to QUIT must be 221 and no reply may name another address of the session — and a server
 * that fails the check, refuses pipelined commands or drops the connection with a group's
 * replies missing sets `pipeliningFailed`. True when QUIT was sent and answered.
 */
async function pipelinedTransaction(
  conn: SmtpConnection,
  mailLine: string,
  queue: string[],
  options: SessionOptions,
  result: SessionResult,
): Promise<boolean> {
  const { commandMs } = options.timeouts;
  const ours = new Set([...queue, options.mailFrom].map((address) => address.toLowerCase()));
  let rejects = 0;
  let sent = 0;
  let index = 0;
  let mailDone = false;
  /** Replies still owed for the group in flight. */
  let owed = 0;
  const outOfStep = (): boolean => {
    // Every answer of the session came from its pipelined groups: none can be trusted.
    result.replies.clear();
    result.recipientLimitHit = false;
    result.limitReply = null;
    result.stoppedForPoliteness = false;
    result.pipeliningFailed = true;
    return false;
  };
  try {
    for (;;) {
      if (mailDone && index >= queue.length) return false;
      if (sent >= options.maxRcptsPerSession || rejects >= options.maxRejectsPerSession) {
        result.stoppedForPoliteness = true;
        return false;
      }
      // Never more RCPTs in flight than rejections we can still afford.
      const size = Math.min(
        options.maxRejectsPerSession - rejects,
        options.maxRcptsPerSession - sent,
        MAX_PIPELINE_WINDOW,
      );
      const window = queue.slice(index, index + size);
      // Nothing can follow this window: the queue ends, or so does the session's RCPT budget.
      const last =
        index + window.length >= queue.length || sent + window.length >= options.maxRcptsPerSession;
      const mailNow = !mailDone;
      if (mailNow) conn.write(mailLine);
      for (const address of window) conn.write(`RCPT TO:<${address}>`);
      if (last) conn.write('QUIT');
      owed = (mailNow ? 1 : 0) + window.length + (last ? 1 : 0);
      sent += window.length;
      index += window.length;
      if (mailNow) {
        mailDone = true;
        const mail = await conn.read('mail', commandMs);
        owed -= 1;
        if (namesAnother(mail, options.mailFrom, ours)) return outOfStep();
        if (mail.code !== 250) {
          if (refusesPipelining(mail)) result.pipeliningFailed = true;
          else result.failure = { kind: 'reply', stage: 'mail', reply: mail };
          // The window went into a refused transaction: none of its replies answers anything.
          result.unanswered = [...queue];
          return await drain(conn, owed, commandMs, last);
        }
      }
      let refused = false;
      for (const address of window) {
        const reply = await conn.read('rcpt', commandMs);
        owed -= 1;
        if (namesAnother(reply, address, ours)) return outOfStep();
        if (refusesPipelining(reply)) {
          // The server counts it as an error: so do we.
          refused = true;
          rejects += 1;
          continue;
        }
        if (reply.code === 421) {
          result.failure = { kind: 'reply', stage: 'rcpt', reply };
          return false;
        }
        if (isTooManyRecipients(reply)) {
          result.recipientLimitHit = true;
          result.limitReply ??= reply;
          continue;
        }
        if (result.recipientLimitHit) continue;
        result.replies.set(address, reply);
        if (reply.code < 200 || reply.code >= 300) rejects += 1;
      }
      if (last) {
        const bye = await readQuit(conn, options.timeouts.quitMs);
        owed = 0;
        // A 221 here is the proof that every reply before it answered its own command.
        if (bye !== null && bye.code !== 221) {
          if (!refusesPipelining(bye)) return outOfStep();
          result.pipeliningFailed = true;
          // QUIT itself was refused: the server is still there for a QUIT in lockstep.
          return false;
        }
        if (refused) result.pipeliningFailed = true;
        return true;
      }
      if (refused) {
        result.pipeliningFailed = true;
        return false;
      }
      if (result.recipientLimitHit) return false;
    }
  } catch (error) {
    // The connection ended with replies of a group still owed: a server that cannot pipeline
    // looks like this as often as a crashing one, so the rest goes again in lockstep (and the
    // retry plan counts that as a try: planRetries' `pipeliningBroke`).
    if (error instanceof SmtpError && owed > 0) result.pipeliningFailed = true;
    throw error;
  }
}

/** The reply to a pipelined QUIT; null when the server closed (or went quiet) instead. */
async function readQuit(conn: SmtpConnection, timeoutMs: number): Promise<SmtpReply | null> {
  try {
    return await conn.read('quit', timeoutMs);
  } catch (error) {
    if (error instanceof SmtpError) return null;
    throw error;
  }
}

/** Reads `owed` replies nobody needs; true when the last of them answered a pipelined QUIT. */
async function drain(
  conn: SmtpConnection,
  owed: number,
  timeoutMs: number,
  quitSent: boolean,
): Promise<boolean> {
  try {
    for (let i = 0; i < owed; i++)
      await conn.read(quitSent && i === owed - 1 ? 'quit' : 'rcpt', timeoutMs);
    return quitSent;
  } catch (error) {
    if (error instanceof SmtpError) return quitSent;
    throw error;
  }
}
