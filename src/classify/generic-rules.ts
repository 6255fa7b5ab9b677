/**
 * The provider-independent rules of DESIGN §2.8: first whom a reply is about, then what it says,
 * and only then a verdict. `undeliverable` needs evidence about the recipient — an enhanced
 * code and text that agree, or text that is unambiguous on its own — so a refusal that names no
 * cause is `unknown / rejected`, never "not found". 5.7.x and 4.x.x never mean "no such
 * mailbox", except 5.7.13 (RFC 7372: account disabled).
 *
 * Each rule has a stable id that ends up in the verdict's `rule` field; docs/ACCURACY.md counts
 * how often each one decided on the reply corpus.
 */
import type { Reason } from '../verdict/types.ts';
import type { EnhancedCode, Evidence } from './evidence.ts';
import type { Classification, ReplyStage, RetryKind, Subject } from './types.ts';

interface Flags {
  slowDown?: boolean;
  breaker?: boolean;
}

function final(reason: Reason, rule: string, about: Subject, flags: Flags = {}): Classification {
  return {
    reason,
    rule,
    about,
    retry: null,
    slowDown: flags.slowDown ?? false,
    breaker: flags.breaker ?? false,
  };
}

function later(
  reason: Reason,
  rule: string,
  about: Subject,
  kind: RetryKind,
  afterMs: number | null,
  flags: Flags = {},
): Classification {
  return {
    reason,
    rule,
    about,
    retry: { kind, afterMs },
    slowDown: flags.slowDown ?? false,
    breaker: flags.breaker ?? false,
  };
}

const is = (e: EnhancedCode | null, subject: number, detail?: number) =>
  e !== null && e.subject === subject && (detail === undefined || e.detail === detail);

/**
 * Enhanced codes whose meaning rules out a fact about the recipient's mailbox: policy (X.7.x,
 * 5.7.13 aside), the mail system (X.3.x), protocol (X.5.x), content (X.6.x), the sender
 * (X.1.7, X.1.8). The "other or undefined" details (X.3.0, X.5.0) leave the text to speak.
 */
function contradictsRecipient(e: EnhancedCode | null): boolean {
  if (e === null) return false;
  if (e.subject === 7) return e.detail !== 13;
  if (e.subject === 3 || e.subject === 5) return e.detail !== 0;
  if (e.subject === 6) return true;
  if (e.subject === 1) return e.detail === 7 || e.detail === 8;
  return false;
}

/** ... and also rule out "does not exist / is disabled": a full mailbox or a size limit. */
function contradictsMailbox(e: EnhancedCode | null): boolean {
  if (contradictsRecipient(e)) return true;
  return e !== null && e.subject === 2 && (e.detail === 2 || e.detail === 3 || e.detail === 4);
}

/**
 * Whom the reply is about. A Postfix-style prefix or our own address quoted in it decides;
 * then the enhanced code's subject (X.1.7/X.1.8 sender); then the wording, sender and client
 * before recipient, because a reply about us often also names the recipient it refused.
 */
export function subjectOf(ev: Evidence): Subject {
  if (ev.namedSubject) return ev.namedSubject;
  const e = ev.enhanced;
  if (is(e, 1, 7) || is(e, 1, 8)) return 'sender';
  const m = ev.mentions;
  if (m.has('sender')) return 'sender';
  // An IP in a reply is often the server's own; it points at us only with a refusal beside it.
  if (m.has('client') && (ev.says.has('blocked') || ev.says.has('rate'))) return 'client';
  if (m.has('recipient')) return 'recipient';
  if (m.has('client')) return 'client';
  if (m.has('message')) return 'message';
  // "Not our customer", "overquota": wording that can only be about the recipient.
  if (ev.says.has('not_found') || ev.says.has('disabled') || ev.says.has('full')) {
    return 'recipient';
  }
  if (ev.says.has('server_trouble') || is(e, 3) || is(e, 4)) return 'server';
  return 'none';
}

const aboutUs = (about: Subject) => about === 'client' || about === 'sender';

/** A refusal of our IP or sender that every server of the provider will repeat. */
function refusesUs(ev: Evidence, about: Subject): boolean {
  if (about === 'client') return ev.namedSubject === 'client' || ev.says.has('listed');
  if (about === 'sender') return ev.says.has('sender_flaw') || ev.says.has('listed');
  return false;
}

/** A reply to RCPT TO (or any reply treated as one). */
export function classifyRcpt(ev: Evidence, retryAfterMs: number | null): Classification {
  const { code } = ev;
  if (code >= 200 && code < 300) return final('accepted', 'accepted', 'recipient');
  const about = subjectOf(ev);
  if (code >= 400 && code < 500) return transient(ev, about, retryAfterMs);
  if (code >= 500 && code < 600) return permanent(ev, about);
  return final('protocol_error', 'unexpected-code', 'none');
}

/** Our command's syntax or order, unless a Postfix-style prefix names whom it refuses. */
function aboutOurCommand(ev: Evidence): boolean {
  if (ev.namedSubject === 'client' || ev.namedSubject === 'sender') return false;
  const e = ev.enhanced;
  if (e && e.subject === 5) return e.detail === 0 ? ev.says.has('protocol') : e.detail !== 3;
  return ev.says.has('protocol') && (e === null || e.subject === 0);
}

function permanent(ev: Evidence, about: Subject): Classification {
  const e = ev.enhanced;
  const says = ev.says;
  if (says.has('too_many_recipients') || is(e, 5, 3)) {
    return later('temporary_failure', 'too-many-recipients', 'none', 'transient', null);
  }
  if (aboutOurCommand(ev) && !says.has('not_found')) {
    return final('protocol_error', e ? 'protocol-5.5' : 'protocol-syntax', 'none');
  }
  if (!e && code5xxSyntax(ev.code) && says.size === 0) {
    return final('protocol_error', 'protocol-syntax', 'none');
  }
  if (is(e, 7, 13)) return final('mailbox_disabled', 'enhanced-5.7.13', 'recipient');
  if (is(e, 1, 10) && says.has('null_mx')) {
    return final('no_mail_server', 'null-mx-5.1.10', 'recipient');
  }
  if (says.has('session_limit')) {
    return later('temporary_failure', 'session-error-limit', 'none', 'transient', null, {
      slowDown: true,
    });
  }
  if (about === 'sender') {
    return final('blocked', 'sender-rejected', 'sender', { breaker: refusesUs(ev, about) });
  }
  if (is(e, 2, 2)) return final('mailbox_full', 'enhanced-5.2.2', 'recipient');
  // "Mailbox is full / Blocks limit exceeded": the fuller wording decides over "limit exceeded".
  const full = says.has('full') && !says.has('not_found') && !contradictsRecipient(e);
  if (full && about === 'recipient') return final('mailbox_full', 'text-mailbox-full', 'recipient');
  if (says.has('rate')) {
    // A limit is a reason to come back later, whatever the reply's class.
    if (about === 'recipient') {
      return later('temporary_failure', 'recipient-rate-limit', 'recipient', 'deferred', null);
    }
    // The server refused us for now: asked again later, `blocked` if it never relents.
    return later('blocked', 'rate-limit-5xx', about, 'deferred', null, { slowDown: true });
  }
  if (about === 'client' && (ev.namedSubject === 'client' || says.has('blocked'))) {
    return final('blocked', 'client-blocked', 'client', { breaker: refusesUs(ev, about) });
  }
  if (says.has('full') && says.has('not_found')) {
    // "Unknown recipient or mailbox full": two causes, neither established.
    return final('rejected', 'ambiguous-5xx', 'recipient');
  }
  if (says.has('full') && !contradictsRecipient(e)) {
    return final('mailbox_full', 'text-mailbox-full', 'recipient');
  }
  const mailboxCode = !contradictsMailbox(e);
  const otherwise = says.has('blocked') || says.has('server_trouble') || says.has('greylisted');
  if (mailboxCode && about === 'recipient' && !otherwise) {
    if (says.has('disabled') && (is(e, 2, 1) || !says.has('not_found'))) {
      return final(
        'mailbox_disabled',
        is(e, 2, 1) ? 'enhanced-5.2.1' : 'text-disabled',
        'recipient',
      );
    }
    if (says.has('not_found')) return final('mailbox_not_found', notFoundRule(e), 'recipient');
    // A bad-mailbox code and a reply about the recipient that says nothing else agree.
    if (recipientCode(e)) return final('mailbox_not_found', notFoundRule(e), 'recipient');
  }
  if (is(e, 7) && about === 'recipient' && (says.has('not_found') || says.has('disabled'))) {
    // "550 5.7.1 No such user": the words say one thing, the code another; neither decides.
    return final('rejected', 'contradicting-5.7', 'recipient');
  }
  if (is(e, 7) || says.has('blocked')) {
    return final('blocked', is(e, 7) ? 'policy-5.7' : 'text-policy', about, {
      breaker: refusesUs(ev, about),
    });
  }
  if (says.has('server_trouble') || is(e, 3) || is(e, 4)) {
    return final('rejected', 'server-error-5xx', 'server');
  }
  return final('rejected', e ? 'unclear-5xx' : 'bare-5xx', about);
}

/** 5.1.1 bad mailbox, 5.1.6 moved, 5.1.10 not found (Microsoft's directory lookup). */
function recipientCode(e: EnhancedCode | null): boolean {
  return is(e, 1, 1) || is(e, 1, 6) || is(e, 1, 10);
}

function notFoundRule(e: EnhancedCode | null): string {
  return recipientCode(e) && e ? `enhanced-${e.cls}.${e.subject}.${e.detail}` : 'text-user-unknown';
}

function code5xxSyntax(code: number): boolean {
  return code >= 500 && code <= 504;
}

/**
 * A 4xx: come back later, except for a full mailbox (a fact about today) and our own protocol
 * error (asking again the same way cannot help). How soon, and whether the provider's rate
 * goes down, depends on what it says.
 */
function transient(ev: Evidence, about: Subject, afterMs: number | null): Classification {
  const e = ev.enhanced;
  const says = ev.says;
  if (says.has('too_many_recipients') || is(e, 5, 3)) {
    return later('temporary_failure', 'too-many-recipients', 'none', 'transient', null);
  }
  if (says.has('greylisted')) return later('greylisted', 'greylist', about, 'greylist', afterMs);
  if (is(e, 2, 2) || (says.has('full') && !contradictsRecipient(e) && !aboutUs(about))) {
    return final('mailbox_full', is(e, 2, 2) ? 'enhanced-4.2.2' : 'text-mailbox-full', 'recipient');
  }
  if (aboutOurCommand(ev)) return final('protocol_error', 'protocol-4xx', 'none');
  if (says.has('session_limit')) {
    return later('temporary_failure', 'session-error-limit', 'none', 'transient', null, {
      slowDown: true,
    });
  }
  if (says.has('rate')) {
    if (about === 'recipient') {
      return later('temporary_failure', 'recipient-rate-limit', 'recipient', 'deferred', afterMs);
    }
    return later('temporary_failure', 'rate-limit-4xx', about, 'deferred', afterMs, {
      slowDown: true,
    });
  }
  const theirTrouble = says.has('server_trouble') && !says.has('listed') && !ev.namedSubject;
  if (
    aboutUs(about) &&
    !theirTrouble &&
    (ev.namedSubject || says.has('blocked') || says.has('listed'))
  ) {
    // Only a listing repeats at every server; a 4xx sender check may be a DNS hiccup.
    return later('blocked', 'temporary-block-4xx', about, 'deferred', afterMs, {
      slowDown: true,
      breaker: says.has('listed'),
    });
  }
  if (ev.code === 421) {
    // "Service not available, closing": a busy server, never greylisting, whatever the text.
    return later('temporary_failure', 'closing-421', about, 'deferred', afterMs, {
      slowDown: true,
    });
  }
  if (says.has('server_trouble') || is(e, 3) || is(e, 4)) {
    return later('temporary_failure', 'server-trouble-4xx', 'server', 'deferred', afterMs);
  }
  if (says.has('blocked')) {
    return later('blocked', 'temporary-block-4xx', about, 'deferred', afterMs);
  }
  // What greylisting daemons answer when they do not name themselves: "try again later", or
  // nothing at all (450 / 451 with 4.2.0, 4.7.1, …).
  const bare = [...says].every((meaning) => meaning === 'try_later');
  if (bare && (says.has('try_later') || is(e, 7) || ev.code === 450 || ev.code === 451)) {
    return later('greylisted', 'greylist-unnamed', about, 'greylist', afterMs);
  }
  return later('temporary_failure', 'temporary-4xx', about, 'deferred', afterMs);
}

/**
 * A refusal before RCPT (banner, EHLO/HELO, MAIL FROM) applies to every address of the session.
 * Temporary ones are read as at RCPT; a permanent one is the server refusing us — our client or
 * our sender — unless it is about our command's syntax.
 */
export function classifySession(
  ev: Evidence,
  stage: Exclude<ReplyStage, 'rcpt'>,
  retryAfterMs: number | null,
): Classification {
  const about = subjectOf(ev);
  if (ev.code >= 400 && ev.code < 500) return transient(ev, about, retryAfterMs);
  if (ev.code < 500 || ev.code > 599) return final('protocol_error', 'unexpected-code', 'none');
  if (aboutOurCommand(ev) || (!ev.enhanced && code5xxSyntax(ev.code) && ev.says.size === 0)) {
    return final('protocol_error', `${stage}-syntax`, 'none');
  }
  const who: Subject = stage === 'mail' && about !== 'client' ? 'sender' : 'client';
  return final('blocked', `${stage}-refused`, who, { breaker: true });
}
