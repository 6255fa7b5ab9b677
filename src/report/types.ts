/** What the aggregate step hands the report builder, and what it gets back. */
import type { EmailColumnSource } from '../csv/index.ts';
import type { AddressResult } from '../verdict/result.ts';
import type { Status } from '../verdict/types.ts';
import type { CsvFormat } from './csv-format.ts';

export interface ReportInputRow {
  /** The row's original columns, in header order (already padded to the header length). */
  fields: string[];
  /** The verdict of the row's address (a row with no usable address: `invalid_syntax`). */
  result: AddressResult;
  /** This normalised address appeared earlier in the list. */
  duplicate: boolean;
  /**
   * Partial reports only: the address has no verdict yet. The row is in report.csv with status
   * and reason `pending` (its result is a placeholder), and in no file that sorts rows by
   * verdict (cleaned, bounce-risk, the status files).
   */
  pending?: boolean;
}

/** The email column a list was read by (summary.json, `GET /v1/lists/:id`, the CLI). */
export interface EmailColumnInfo {
  /** Its header name, or `column_N` in a file without a header row. */
  name: string;
  /** 1-based, as `--column` and `column=` take it. */
  number: number;
  /** By its header's name, by its values, or named by the user. */
  detected: EmailColumnSource;
}

export interface ReportOptions {
  /** The input's header, in order. */
  columns: string[];
  /** cleaned.csv keeps `risky` rows too (`--include-risky`). */
  includeRisky: boolean;
  /** The list's name as the user knows it (summary.json `list`, the page title). */
  listName: string;
  /** Where the output and temp files are written; created if missing. */
  tmpDir: string;
  /** The input's CSV style, kept by every CSV of its rows; default comma, CRLF, no BOM. */
  format?: CsvFormat;
  /** Index of the email column: its cell is trimmed of spaces and tabs in every CSV. */
  emailColumn?: number;
  /** The email column as summary.json names it. */
  column?: EmailColumnInfo | null;
}

/** One file per status: that status's rows, every original column, in input order. */
export const STATUS_FILES = {
  deliverable: 'deliverable.csv',
  risky: 'risky.csv',
  undeliverable: 'undeliverable.csv',
  unknown: 'unknown.csv',
} as const satisfies Record<Status, string>;

/** The four status files in one archive. */
export const STATUS_ZIP = 'by-status.zip';

export const REPORT_FILES = [
  'report.csv',
  'cleaned.csv',
  'bounce-risk.csv',
  'summary.json',
  'report.html',
  ...Object.values(STATUS_FILES),
  STATUS_ZIP,
] as const;

export type ReportFileName = (typeof REPORT_FILES)[number];
