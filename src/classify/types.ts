/** What the reply classifier decides, and the evidence it decides on (DESIGN §2.8). */
import type { Reason } from '../verdict/types.ts';

/** Whom a reply is about. `none`: nothing in it says. */
export const SUBJECTS = ['recipient', 'sender', 'client', 'message', 'server', 'none'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** The SMTP stage a reply answered. Before RCPT a refusal applies to the whole session. */
export type ReplyStage = 'banner' | 'helo' | 'mail' | 'rcpt';

export type RetryKind =
  /** 4xx that greylisting daemons and busy servers answer: same triplet again after a delay. */
  | 'greylist'
  /** Any other deferral (rate limits, a busy server): again on the greylisting schedule. */
  | 'deferred'
  /** Connection failures, timeouts, session limits: a bounded number of quick retries. */
  | 'transient';

export interface Classification {
  /** `accepted`, the final verdict, or the verdict to report when retries run out. */
  reason: Reason;
  /** Stable id of the rule that decided (`enhanced-5.1.1`, `provider-microsoft-dbeb`, …). */
  rule: string;
  about: Subject;
  /** Ask again later; null when the answer is final. */
  retry: null | { kind: RetryKind; afterMs: number | null };
  /** The server asked us to send less: lower the provider's rate (AIMD). */
  slowDown: boolean;
  /** The reply shows the provider refuses us (our IP, sender, reputation): open its breaker. */
  breaker: boolean;
}

export interface ReplyContext {
  stage: ReplyStage;
  /** The MX host that answered, for provider rules. */
  mxHost?: string | null;
  /** The recipient we asked about, and our MAIL FROM: a reply quoting one is about it. */
  recipient?: string;
  mailFrom?: string;
}
