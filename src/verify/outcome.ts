/**
 * What one verification round decided for an address: a reason, or a reason to fall back on
 * plus a request to try again later.
 */
import type { Reason } from '../verdict/types.ts';

export type RetryKind =
  /** 4xx that greylisting daemons and busy servers answer: same triplet again after a delay. */
  | 'greylist'
  /** The server asked us to slow down (421, 4.7.x rate limits, too many connections). */
  | 'rate_limit'
  /** Connection failures and timeouts: worth another try with backoff, a bounded number of times. */
  | 'transient'
  /** Accepted, but the catch-all probe is still being greylisted. */
  | 'catch_all_pending';

export interface AddressOutcome {
  /** The verdict now, or the one to report if no retry is left. */
  reason: Reason;
  catchAll: boolean;
  mxHost: string | null;
  smtpCode: number | null;
  smtpEnhancedCode: string | null;
  detail: string | null;
  retry: null | { kind: RetryKind; afterMs: number | null };
}

export function finalOutcome(
  reason: Reason,
  detail: string | null,
  extra: Partial<Omit<AddressOutcome, 'reason' | 'detail' | 'retry'>> = {},
): AddressOutcome {
  return {
    reason,
    detail,
    catchAll: extra.catchAll ?? false,
    mxHost: extra.mxHost ?? null,
    smtpCode: extra.smtpCode ?? null,
    smtpEnhancedCode: extra.smtpEnhancedCode ?? null,
    retry: null,
  };
}
