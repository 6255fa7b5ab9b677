import { STATUS_FILES, STATUS_ZIP } from '../report/index.ts';
import { apiError } from './errors.ts';

/**
 * The downloadable reports of a list (DESIGN §4, changes.csv of hygiene runs, one CSV per status
 * and their zip), by the `:kind` the API names them with.
 */
export interface ReportKind {
  /** Its file name in the list's (or a run's) storage folder. */
  file: string;
  contentType: string;
  /** CSVs are saved; the page and the JSON open in the browser. */
  attachment: boolean;
}

const csv = (file: string): ReportKind => ({
  file,
  contentType: 'text/csv; charset=utf-8',
  attachment: true,
});

export const REPORT_KINDS: Readonly<Record<string, ReportKind>> = {
  cleaned: csv('cleaned.csv'),
  report: csv('report.csv'),
  'bounce-risk': csv('bounce-risk.csv'),
  summary: { file: 'summary.json', contentType: 'application/json', attachment: false },
  html: { file: 'report.html', contentType: 'text/html; charset=utf-8', attachment: false },
  /** Addresses whose status changed since the previous run (hygiene); empty for the first. */
  changes: csv('changes.csv'),
  /** Every row of one status, the input's columns only, in input order. */
  deliverable: csv(STATUS_FILES.deliverable),
  risky: csv(STATUS_FILES.risky),
  undeliverable: csv(STATUS_FILES.undeliverable),
  unknown: csv(STATUS_FILES.unknown),
  /** The four status files in one archive. */
  zip: { file: STATUS_ZIP, contentType: 'application/zip', attachment: true },
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
 * The list name's part of a download name is cut to this many characters, so Content-Disposition
 * (the name twice, once percent-encoded) stays around 1 KB whatever name a list was stored with,
 * those of lists from before names were limited included.
 */
export const MAX_DOWNLOAD_STEM = 100;

/**
 * "Kunden.csv" + cleaned → "Kunden-cleaned.csv", and with a hygiene run's id
 * "Kunden-<run>-changes.csv": the file says which list, which run and which report. The report
 * part is the stored file's name, so every download keeps its extension (`-summary.json`,
 * `-report.html`, `-by-status.zip`) and `curl -OJ` saves it as what it is.
 */
export function downloadName(listName: string, report: ReportKind, runId?: string): string {
  const stem = [...listName.replace(/\.(csv|txt|tsv|xlsx)$/i, '')]
    .slice(0, MAX_DOWNLOAD_STEM)
    .join('');
  const base = (runId === undefined ? stem : `${stem}-${runId}`) || 'list';
  return `${base}-${report.file}`;
}
