/**
 * What one verification round decided for an address: a reason, or a reason to fall back on
 * plus a request to try again later, and the rule that decided it.
 */
import type { RetryKind as ReplyRetryKind } from '../classify/types.ts';
import { mailProvider } from '../dns/provider.ts';
import type { CachedVerdict } from '../redis/compact-verdict.ts';
import type { DmarcPolicy } from '../verdict/result.ts';
import type { Reason } from '../verdict/types.ts';

export type RetryKind =
  | ReplyRetryKind
  /** Accepted, but the catch-all probe is still being greylisted. */
  | 'catch_all_pending'
  /**
   * Not asked: the provider's gate refused the session (its budget is spent). Costs no retry
   * budget, since nothing was learnt about the address.
   */
  | 'throttled';

export interface AddressOutcome {
  /** The verdict now, or the one to report if no retry is left. */
  reason: Reason;
  /** Stable id of the rule that decided (see src/classify/). */
  rule: string;
  catchAll: boolean;
  mxHost: string | null;
  smtpCode: number | null;
  smtpEnhancedCode: string | null;
  detail: string | null;
  /** `slowDown`: the server asked us to send less; the provider's rate goes down (AIMD). */
  retry: null | { kind: RetryKind; afterMs: number | null; slowDown?: boolean };
  /** The domain's signals (provider, SPF, DMARC), when they were looked up. */
  signals?: DomainSignals;
  /** The egress the session left from. */
  egress?: string | null;
  /** The transcript of the session that gave this outcome (`--trace`). */
  trace?: string | null;
}

/** What the domain's DNS says about its mail, looked up once per domain (issue 12). */
export interface DomainSignals {
  mxProvider: string | null;
  spf: boolean | null;
  dmarc: DmarcPolicy | null;
}

export function finalOutcome(
  reason: Reason,
  rule: string,
  detail: string | null,
  extra: Partial<Omit<AddressOutcome, 'reason' | 'rule' | 'detail' | 'retry'>> = {},
): AddressOutcome {
  return {
    reason,
    rule,
    detail,
    catchAll: extra.catchAll ?? false,
    mxHost: extra.mxHost ?? null,
    smtpCode: extra.smtpCode ?? null,
    smtpEnhancedCode: extra.smtpEnhancedCode ?? null,
    retry: null,
  };
}

/** A final outcome as it is stored (list results, the verdict cache) and reported. */
export function outcomeVerdict(outcome: AddressOutcome, checkedAt: Date): CachedVerdict {
  return {
    reason: outcome.reason,
    catchAll: outcome.catchAll,
    mxHost: outcome.mxHost,
    smtpCode: outcome.smtpCode,
    smtpEnhancedCode: outcome.smtpEnhancedCode,
    detail: outcome.detail,
    checkedAt,
    rule: outcome.rule,
    mxProvider: outcome.signals?.mxProvider ?? mailProvider(outcome.mxHost),
    spf: outcome.signals?.spf ?? null,
    dmarc: outcome.signals?.dmarc ?? null,
    egress: outcome.egress ?? null,
    trace: outcome.trace ?? null,
  };
}
