/**
 * Turns what the SMTP stage left for one address — a reply to its RCPT, a failure that ended
 * the session before it got one, a server that cannot take its local part — into an outcome,
 * through the reply classifier. The classification comes back too: the round reads its
 * `breaker` and `slowDown` signals.
 */
import { classifyReply } from '../classify/classify-reply.ts';
import type { Classification } from '../classify/types.ts';
import type { ProbeOutcome } from '../smtp/probe-domain.ts';
import { formatReply, type SmtpReply } from '../smtp/reply.ts';
import type { SessionFailure, SmtpTarget } from '../smtp/session.ts';
import { type AddressOutcome, finalOutcome } from './outcome.ts';

export interface OutcomeContext {
  /** The domain accepts any recipient (probe answer, policy or provider rule). */
  catchAll: boolean;
  /** The catch-all answer is still outstanding: an accepted address must ask again. */
  catchAllPending: boolean;
  mailFrom: string;
}

export interface DecidedOutcome {
  outcome: AddressOutcome;
  /** Null when no reply was involved (a timeout, a refused connection). */
  classification: Classification | null;
}

function fromReply(
  reply: SmtpReply,
  target: SmtpTarget | null,
  cls: Classification,
  ctx: OutcomeContext,
): AddressOutcome {
  const catchAll = ctx.catchAll || cls.reason === 'catch_all';
  const base = {
    rule: cls.rule,
    catchAll,
    mxHost: target?.host ?? null,
    smtpCode: reply.code,
    smtpEnhancedCode: reply.enhanced,
    detail: formatReply(reply),
  };
  if (cls.reason === 'accepted' || cls.reason === 'catch_all') {
    const reason = catchAll ? 'catch_all' : 'accepted';
    if (ctx.catchAllPending && cls.reason === 'accepted') {
      // Not `deliverable` yet: the domain might accept anyone. Ask again with the probe.
      return { ...base, reason, retry: { kind: 'catch_all_pending', afterMs: null } };
    }
    return { ...base, reason, retry: null };
  }
  const retry = cls.retry ? { ...cls.retry, slowDown: cls.slowDown } : null;
  return { ...base, reason: cls.reason, retry };
}

function fromFailure(
  address: string,
  failure: SessionFailure,
  target: SmtpTarget | null,
  ctx: OutcomeContext,
): DecidedOutcome {
  const mxHost = target?.host ?? null;
  if (failure.kind === 'reply') {
    const classification = classifyReply(failure.reply, {
      stage: replyStage(failure.stage),
      mxHost,
      recipient: address,
      mailFrom: ctx.mailFrom,
    });
    return { outcome: fromReply(failure.reply, target, classification, ctx), classification };
  }
  const where = `${failure.stage}${mxHost ? ` at ${mxHost}` : ''}: ${failure.message}`;
  const reason =
    failure.kind === 'timeout'
      ? 'timeout'
      : failure.kind === 'protocol'
        ? 'protocol_error'
        : 'connection_failed';
  // A failing egress (its proxy) says nothing about the server: `unknown`, never a mailbox verdict.
  const rule =
    failure.kind === 'egress' ? 'egress-failed' : `smtp-${failure.kind.replace('_', '-')}`;
  const outcome: AddressOutcome = {
    ...finalOutcome(reason, rule, where, {
      catchAll: ctx.catchAll,
      mxHost,
    }),
    retry: reason === 'protocol_error' ? null : { kind: 'transient', afterMs: null },
  };
  return { outcome, classification: null };
}

function replyStage(stage: SessionFailure['stage']): 'banner' | 'helo' | 'mail' | 'rcpt' {
  if (stage === 'ehlo') return 'helo';
  if (stage === 'banner' || stage === 'helo' || stage === 'mail') return stage;
  return 'rcpt';
}

export function decideOutcome(
  address: string,
  probed: ProbeOutcome,
  ctx: OutcomeContext,
): DecidedOutcome {
  if (probed.kind === 'smtputf8_unsupported') {
    return {
      outcome: finalOutcome(
        'invalid_syntax',
        'smtputf8-unsupported',
        'non-ASCII local part, and this server does not support SMTPUTF8 (RFC 6531): mail to it cannot be delivered',
        { mxHost: probed.target.host },
      ),
      classification: null,
    };
  }
  if (probed.kind === 'failure') return fromFailure(address, probed.failure, probed.target, ctx);
  const classification = classifyReply(probed.reply, {
    stage: 'rcpt',
    mxHost: probed.target.host,
    recipient: address,
    mailFrom: ctx.mailFrom,
  });
  return { outcome: fromReply(probed.reply, probed.target, classification, ctx), classification };
}
