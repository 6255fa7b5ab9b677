import { apiError } from './errors.ts';

/**
 * The downloadable reports of a list (DESIGN §4, and changes.csv of hygiene runs), by the
 * `:kind` the API names them with.
 */
export interface ReportKind {
  /** Its file name in the list's (or a run's) storage folder. */
  file: string;
  contentType: string;
  /** CSVs are saved; the page and the JSON open in the browser. */
  attachment: boolean;
}

export const REPORT_KINDS: Readonly<Record<string, ReportKind>> = {
  cleaned: { file: 'cleaned.csv', contentType: 'text/csv; charset=utf-8', attachment: true },
  report: { file: 'report.csv', contentType: 'text/csv; charset=utf-8', attachment: true },
  'bounce-risk': {
    file: 'bounce-risk.csv',
    contentType: 'text/csv; charset=utf-8',
    attachment: true,
  },
  summary: { file: 'summary.json', contentType: 'application/json', attachment: false },
  html: { file: 'report.html', contentType: 'text/html; charset=utf-8', attachment: false },
  /** Addresses whose status changed since the previous run (hygiene); empty for the first. */
  changes: { file: 'changes.csv', contentType: 'text/csv; charset=utf-8', attachment: true },
};

export const REPORT_KIND_NAMES = Object.keys(REPORT_KINDS);

export function reportKind(name: string): ReportKind | null {
  return Object.hasOwn(REPORT_KINDS, name) ? (REPORT_KINDS[name] ?? null) : null;
}

/** The report of that name, or the API's 404 naming the ones there are. */
export function requireReportKind(name: string): ReportKind {
  const report = reportKind(name);
  if (report === null) {
    throw apiError(
      'unknown_report',
      `No report "${name}"; the reports are ${REPORT_KIND_NAMES.join(', ')}.`,
    );
  }
  return report;
}

/**
 * "Kunden.csv" + cleaned → "Kunden-cleaned.csv", and with a hygiene run's id
 * "Kunden-<run>-changes.csv": the file says which list, which run and which report.
 */
export function downloadName(
  listName: string,
  kind: string,
  report: ReportKind,
  runId?: string,
): string {
  const stem = listName.replace(/\.(csv|txt|tsv)$/i, '');
  const base = (runId === undefined ? stem : `${stem}-${runId}`) || 'list';
  const extension = report.file.slice(report.file.lastIndexOf('.'));
  return `${base}-${kind}${extension}`;
}
