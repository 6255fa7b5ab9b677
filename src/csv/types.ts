/** The shapes `sniffCsv` decides and `readCsvRows` yields, plus the limits both share. */

export type CsvEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'windows-1252';
export type CsvDelimiter = ',' | ';' | '\t' | '|';

/** In order of preference when two delimiters split a sample equally well. */
export const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t', '|'];

/** How the email column was chosen: by its header's name, by its values, or named by the user. */
export type EmailColumnSource = 'header' | 'content' | 'given';

/** Record ends of the file: CRLF (also for files with one line or bare CRs) or LF. */
export type LineEnding = 'crlf' | 'lf';

export interface CsvLayout {
  /** Latin-1 files decode as windows-1252, its superset. */
  encoding: CsvEncoding;
  bom: boolean;
  delimiter: CsvDelimiter;
  hasHeader: boolean;
  /** The record end of the file's first line. */
  lineEnding: LineEnding;
  /** Column names: the header's (trimmed, BOM-free), or `column_1`, `column_2`, … without one. */
  columns: string[];
  /** Index of the email column. */
  emailColumn: number;
  emailColumnSource: EmailColumnSource;
}

export interface CsvRow {
  /** 0-based index among data rows (header excluded). */
  index: number;
  /** The row's fields, padded/truncated to `columns.length`; extra fields are kept in `extra`. */
  fields: string[];
  extra: string[];
  /** The email field as written, or null when the row is malformed or has no such field. */
  email: string | null;
  /** Why the row could not be parsed (unbalanced quote, row over the limit, …), else null. */
  malformed: string | null;
}

export interface ReadCsvOptions {
  /** A row longer than this (UTF-8 bytes) is malformed. Default 1 MiB. */
  maxFieldBytes?: number;
  /**
   * A quoted field still open after this many line breaks is taken for an unbalanced quote.
   * Default 100: multi-line notes and addresses stay whole, a stray quote costs a bounded rescan.
   */
  maxQuotedLines?: number;
}

/** How much of the file `sniffCsv` expects; a shorter sample is taken to be the whole file. */
export const SNIFF_SAMPLE_BYTES = 64 * 1024;
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;
export const DEFAULT_MAX_QUOTED_LINES = 100;
/** A malformed row keeps this much of its raw text, so a 10 MB junk line stays a small row. */
export const MALFORMED_TEXT_BYTES = 1024;
