/** Verdict vocabulary (DESIGN §3) as the console shows it. Pure data: no DOM. */

export const STATUS_ORDER = ['deliverable', 'risky', 'unknown', 'undeliverable'] as const;

/** Each reason's status, as src/verdict/types.ts has it (a test keeps the two equal). */
export const REASON_STATUS: Record<string, string> = {
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
  rejected: 'unknown',
  protocol_error: 'unknown',
};

/** "mailbox_not_found" → "mailbox not found". */
export function words(code: string): string {
  return code.replaceAll('_', ' ');
}

/** The reports a list has, in the order the console offers them (API: reports/:kind). */
export const REPORTS: ReadonlyArray<{ kind: string; file: string; what: string; inline?: true }> = [
  { kind: 'cleaned', file: 'cleaned.csv', what: 'the rows safe to send, first of each address' },
  { kind: 'report', file: 'report.csv', what: 'every row with its verdict' },
  { kind: 'bounce-risk', file: 'bounce-risk.csv', what: 'the rows at risk, riskiest first' },
  {
    kind: 'deliverable',
    file: 'deliverable.csv',
    what: 'the deliverable rows, input columns only',
  },
  { kind: 'risky', file: 'risky.csv', what: 'the risky rows' },
  { kind: 'undeliverable', file: 'undeliverable.csv', what: 'the undeliverable rows' },
  { kind: 'unknown', file: 'unknown.csv', what: 'the rows without a conclusive answer' },
  { kind: 'zip', file: 'by-status.zip', what: 'the four files by status in one archive' },
  { kind: 'summary', file: 'summary.json', what: 'the counts, as JSON', inline: true },
  {
    kind: 'html',
    file: 'report.html',
    what: 'the report page, with the riskiest domains',
    inline: true,
  },
];
