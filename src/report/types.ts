/** What the aggregate step hands the report builder, and what it gets back. */
import type { AddressResult } from '../verdict/result.ts';

export interface ReportInputRow {
  /** The row's original columns, in header order (already padded to the header length). */
  fields: string[];
  /** The verdict of the row's address (a row with no usable address: `invalid_syntax`). */
  result: AddressResult;
  /** This normalised address appeared earlier in the list. */
  duplicate: boolean;
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
}

export const REPORT_FILES = [
  'report.csv',
  'cleaned.csv',
  'bounce-risk.csv',
  'summary.json',
  'report.html',
] as const;

export type ReportFileName = (typeof REPORT_FILES)[number];
