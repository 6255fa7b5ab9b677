/** Verdict vocabulary (DESIGN §3) as the console shows it. Pure data: no DOM. */
import { REASON_STATUS as VERDICT_REASON_STATUS } from '../verdict/types.ts';

export const STATUS_ORDER = ['deliverable', 'risky', 'unknown', 'undeliverable'] as const;

/** Each reason's status: the verdict module's own table (pure data, bundled with the console). */
export const REASON_STATUS: Readonly<Record<string, string>> = VERDICT_REASON_STATUS;

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
