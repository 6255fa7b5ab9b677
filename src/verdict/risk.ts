/**
 * Bounce-risk score, 0 (safe to send) to 100 (will bounce). The base is the verdict's reason —
 * how likely a message to such an address bounces or hurts the sender — and the flags add what
 * the verdict alone does not say.
 */
import type { Reason } from './types.ts';

const BASE: Record<Reason, number> = {
  accepted: 2,
  catch_all: 45,
  mailbox_full: 70,
  disposable: 75,
  greylisted: 40,
  temporary_failure: 50,
  blocked: 50,
  timeout: 55,
  protocol_error: 55,
  connection_failed: 65,
  mx_not_public: 80,
  // A permanent refusal that names no cause: often a mailbox that is gone, sometimes a policy.
  rejected: 85,
  mailbox_disabled: 95,
  mailbox_not_found: 100,
  no_mail_server: 100,
  no_domain: 100,
  invalid_syntax: 100,
};

export interface RiskFlags {
  role: boolean;
  free: boolean;
  disposable: boolean;
  suggestion: string | null;
}

export function riskScore(reason: Reason, flags: RiskFlags): number {
  let score = BASE[reason];
  // Role accounts are shared inboxes: more complaints, more unsubscribes, occasional traps.
  if (flags.role) score += 10;
  // A likely typo usually means the address was mistyped, whatever the server said.
  if (flags.suggestion) score += 20;
  if (flags.disposable) score = Math.max(score, BASE.disposable);
  return Math.min(100, Math.max(0, score));
}
