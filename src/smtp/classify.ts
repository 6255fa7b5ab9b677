/**
 * What an SMTP reply to RCPT (or to an earlier stage) means for the address, per DESIGN §2–3.
 * Order of evidence: the enhanced status code (RFC 3463) first, then the reply code, then the
 * text. 5.7.x (policy) and any 4xx never mean "no such mailbox": a server that distrusts us
 * tells us nothing about the mailbox.
 */
import type { Reason } from '../verdict/types.ts';
import type { SmtpReply } from './reply.ts';

export type ReplyClass =
  | { kind: 'accepted' }
  /** A final answer about the address. */
  | { kind: 'final'; reason: Reason }
  /**
   * Try again later. `reason` is the verdict if the retries run out; `rateLimited` asks the
   * caller to slow down towards this server; `retryAfterMs` is what the server asked for.
   */
  | {
      kind: 'retry';
      reason: 'greylisted' | 'temporary_failure' | 'blocked';
      rateLimited: boolean;
      retryAfterMs: number | null;
    };

const GREYLIST_TEXT = /grey|gray|try again later|please retry|come back later|deferred|postgrey/i;
const RATE_TEXT =
  /too many (connections|sessions|messages|recipients|errors|requests)|rate[- ]?limit|throttl|slow down|exceeded|try again in a (few|little)|frequency/i;
const FULL_TEXT =
  /mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage|storage limit|mailbox size limit/i;
const DISABLED_TEXT =
  /disabled|deactivated|inactive|suspended|account (has been )?(closed|locked|expired)|no longer (active|available)|mailbox (is )?locked/i;
const BLOCK_TEXT =
  /spam|block(ed|list)?|black ?list|deny ?list|listed|reputation|\brbl\b|dnsbl|spamhaus|barracuda|sorbs|spamcop|policy|not (allowed|authori[sz]ed|permitted)|relay(ing)? (access )?denied|access denied|refused|banned|abuse|client host|poor reputation/i;
const NOT_FOUND_TEXT =
  /user(name)? unknown|unknown user|no such (user|mailbox|recipient|account|address)|does not exist|doesn'?t exist|not exist|not found|unknown (recipient|mailbox|address)|invalid (recipient|mailbox|address|user)|recipient (address )?rejected|mailbox unavailable|no mailbox|address rejected|not a valid|undeliverable|unrouteable|no account|not our customer|unknown local part|bad recipient|recipient not|(doesn'?t|does not|not) have an? [\w.-]+ account/i;

/** Parses "try again in 300 seconds", "retry in 5 minutes", "greylisted for 2 min". */
export function requestedDelayMs(text: string): number | null {
  const m =
    /(?:in|after|for|wait)\s+(\d{1,6})\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\b/i.exec(
      text,
    );
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  if (unit.startsWith('h')) return n * 3_600_000;
  if (unit.startsWith('m')) return n * 60_000;
  return n * 1000;
}

function retry(
  reason: 'greylisted' | 'temporary_failure' | 'blocked',
  reply: SmtpReply,
  rateLimited = false,
): ReplyClass {
  return { kind: 'retry', reason, rateLimited, retryAfterMs: requestedDelayMs(reply.text) };
}

/** Classifies a reply to `RCPT TO`. */
export function classifyRcptReply(reply: SmtpReply): ReplyClass {
  const { code, enhanced, text } = reply;
  if (code >= 200 && code < 300) return { kind: 'accepted' };
  const [cls, subject, detail] = (enhanced ?? '').split('.').map(Number);

  if (code >= 400 && code < 500) return classifyTransient(reply, subject, detail);
  if (code < 500 || code > 599) return { kind: 'final', reason: 'protocol_error' };

  if (enhanced && cls === 5) {
    switch (subject) {
      case 1:
        // 5.1.1 bad mailbox, 5.1.0 other address status, 5.1.10 null MX recipient, 5.1.6 moved,
        // 5.1.3 bad mailbox syntax, 5.1.2 bad destination system: all mean "this address bounces".
        return { kind: 'final', reason: 'mailbox_not_found' };
      case 2:
        if (detail === 1) return { kind: 'final', reason: 'mailbox_disabled' };
        if (detail === 2 || detail === 3) return { kind: 'final', reason: 'mailbox_full' };
        return DISABLED_TEXT.test(text)
          ? { kind: 'final', reason: 'mailbox_disabled' }
          : { kind: 'final', reason: 'mailbox_not_found' };
      case 4:
        // Microsoft's directory-based edge blocking: `550 5.4.1 Recipient address rejected:
        // Access denied` is its way of saying the mailbox does not exist.
        if (detail === 1) return { kind: 'final', reason: 'mailbox_not_found' };
        if (detail === 4) return { kind: 'final', reason: 'no_mail_server' };
        return { kind: 'final', reason: 'blocked' };
      case 7:
        return { kind: 'final', reason: 'blocked' };
      case 5:
        // Syntax or sequence errors are about our command, not the mailbox.
        return NOT_FOUND_TEXT.test(text) && !BLOCK_TEXT.test(text)
          ? { kind: 'final', reason: 'mailbox_not_found' }
          : { kind: 'final', reason: 'protocol_error' };
      default:
        break;
    }
  }
  // No (useful) enhanced code: reply code and text.
  if (BLOCK_TEXT.test(text) && !/access denied/i.test(text))
    return { kind: 'final', reason: 'blocked' };
  if (FULL_TEXT.test(text) || code === 552) return { kind: 'final', reason: 'mailbox_full' };
  if (DISABLED_TEXT.test(text)) return { kind: 'final', reason: 'mailbox_disabled' };
  if (NOT_FOUND_TEXT.test(text)) return { kind: 'final', reason: 'mailbox_not_found' };
  if (code === 550 || code === 551 || code === 553)
    return { kind: 'final', reason: 'mailbox_not_found' };
  if (code === 554) return { kind: 'final', reason: 'blocked' };
  if (code === 500 || code === 501 || code === 502 || code === 503 || code === 504) {
    return { kind: 'final', reason: 'protocol_error' };
  }
  return { kind: 'final', reason: 'mailbox_not_found' };
}

function classifyTransient(
  reply: SmtpReply,
  subject: number | undefined,
  detail: number | undefined,
): ReplyClass {
  const { code, text } = reply;
  // 452 4.5.3 / "too many recipients" is about our batch size, not the mailbox.
  if (subject === 5 && detail === 3) return retry('temporary_failure', reply, true);
  if (subject === 2 && detail === 2) return { kind: 'final', reason: 'mailbox_full' };
  if (FULL_TEXT.test(text) && !/too many recipients/i.test(text)) {
    return { kind: 'final', reason: 'mailbox_full' };
  }
  if (GREYLIST_TEXT.test(text) && !RATE_TEXT.test(text)) return retry('greylisted', reply);
  if (code === 421 || RATE_TEXT.test(text)) return retry('temporary_failure', reply, true);
  if (subject === 7) {
    // 4.7.1 is both postgrey's "greylisted" and a temporary policy refusal.
    return BLOCK_TEXT.test(text) ? retry('blocked', reply) : retry('greylisted', reply);
  }
  // 450 / 451 with 4.2.0, 4.3.0, 4.4.x, … : what greylisting daemons and busy servers answer.
  if (code === 450 || code === 451) return retry('greylisted', reply);
  return retry('temporary_failure', reply);
}

/**
 * Classifies a refusal before RCPT (banner, EHLO/HELO, MAIL FROM): it applies to every address
 * of the session. Only policy and transient outcomes are possible here.
 */
export function classifySessionReply(reply: SmtpReply): ReplyClass {
  const { code, enhanced, text } = reply;
  // 421 closes the session ("service not available"): the server is busy or limiting us; it is
  // never greylisting, whatever the text says ("try again later" is in most 421s).
  if (code === 421) {
    return enhanced?.startsWith('4.7.') && BLOCK_TEXT.test(text) && !RATE_TEXT.test(text)
      ? retry('blocked', reply, true)
      : retry('temporary_failure', reply, true);
  }
  if (code >= 400 && code < 500) {
    if (GREYLIST_TEXT.test(text) && !RATE_TEXT.test(text)) return retry('greylisted', reply);
    if (enhanced?.startsWith('4.7.') && BLOCK_TEXT.test(text)) return retry('blocked', reply);
    return retry('temporary_failure', reply, RATE_TEXT.test(text));
  }
  if (code >= 500 && code < 600) {
    if (code === 500 || code === 501 || code === 502 || code === 503 || code === 504) {
      if (!enhanced?.startsWith('5.7.')) return { kind: 'final', reason: 'protocol_error' };
    }
    return { kind: 'final', reason: 'blocked' };
  }
  return { kind: 'final', reason: 'protocol_error' };
}
