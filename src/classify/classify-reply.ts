/**
 * What an SMTP reply means for the address (DESIGN §2.8): the reviewed provider and MTA rules
 * of `reply-rules.yaml` first, then the generic evidence rules. The one entry point for every
 * reply listclean reads, at whatever stage.
 */
import type { SmtpReply } from '../smtp/reply.ts';
import { readEvidence } from './evidence.ts';
import { classifyRcpt, classifySession } from './generic-rules.ts';
import { bundledReplyRules, matchReplyRule, providerOf, type ReplyRules } from './reply-rules.ts';
import type { Classification, ReplyContext } from './types.ts';

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

export function classifyReply(
  reply: SmtpReply,
  context: ReplyContext,
  rules: ReplyRules = bundledReplyRules(),
): Classification {
  const ev = readEvidence(reply, context);
  const afterMs = requestedDelayMs(reply.text);
  const provider = providerOf(rules, context.mxHost);
  if (reply.code >= 200 && reply.code < 300 && context.stage === 'rcpt') {
    if (provider && rules.acceptsAll.has(provider)) {
      // Its "accepted" proves nothing: never `deliverable` (DESIGN §2.5).
      return {
        ...classifyRcpt(ev, afterMs),
        reason: 'catch_all',
        rule: `provider-${provider}-accepts-all`,
      };
    }
    return classifyRcpt(ev, afterMs);
  }
  const byRule = matchReplyRule(rules, ev, context.stage, provider, afterMs);
  if (byRule) return byRule;
  return context.stage === 'rcpt'
    ? classifyRcpt(ev, afterMs)
    : classifySession(ev, context.stage, afterMs);
}
