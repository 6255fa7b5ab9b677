/** The verdict taxonomy of DESIGN §3 (contract: these names are public). */

export const STATUSES = ['deliverable', 'undeliverable', 'risky', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

/** Each reason belongs to exactly one status. */
export const REASON_STATUS = {
  accepted: 'deliverable',
  invalid_syntax: 'undeliverable',
  no_domain: 'undeliverable',
  no_mail_server: 'undeliverable',
  mailbox_not_found: 'undeliverable',
  mailbox_disabled: 'undeliverable',
  catch_all: 'risky',
  mailbox_full: 'risky',
  disposable: 'risky',
  greylisted: 'unknown',
  blocked: 'unknown',
  timeout: 'unknown',
  connection_failed: 'unknown',
  mx_not_public: 'unknown',
  temporary_failure: 'unknown',
  /** A permanent refusal that names no cause about the recipient (a bare 5xx). */
  rejected: 'unknown',
  protocol_error: 'unknown',
} as const satisfies Record<string, Status>;

export type Reason = keyof typeof REASON_STATUS;
export const REASONS = Object.keys(REASON_STATUS) as Reason[];

export interface Verdict {
  status: Status;
  reason: Reason;
}

export function verdictFor(reason: Reason): Verdict {
  return { status: REASON_STATUS[reason], reason };
}
