/**
 * The dialect of the CSVs we write. Files people import (DESIGN §4) keep the input's: its
 * delimiter, its line ends, its header style, and a UTF-8 byte-order mark when the input had one
 * or was not UTF-8 at all (UTF-16 and Windows-1252 files come from Excel, which reads UTF-8
 * without a BOM as its ANSI code page and garbles every accented name). Always RFC 4180
 * double-quote quoting, only where a cell needs it. Our own files (changes.csv) and inputs we
 * know nothing of get the default: comma, CRLF (RFC 4180, and what Excel writes), no BOM —
 * scripts and csv-parse would otherwise read the first column name as `\uFEFFemail`.
 */
import type { Options } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';
import type { CsvDelimiter, CsvLayout, LineEnding } from '../csv/index.ts';

export interface CsvFormat {
  delimiter: CsvDelimiter;
  /** A UTF-8 byte-order mark first. */
  bom: boolean;
  /**
   * Whether files of the input's own columns (cleaned.csv, the per-status files) start with a
   * header row. report.csv and bounce-risk.csv always have one: their verdict columns need names.
   */
  header: boolean;
  lineEnding: LineEnding;
}

export const DEFAULT_CSV_FORMAT: Readonly<CsvFormat> = {
  delimiter: ',',
  bom: false,
  header: true,
  lineEnding: 'crlf',
};

/** The input's style, for the files made of its rows. */
export function csvFormatFor(layout: CsvLayout): CsvFormat {
  return {
    delimiter: layout.delimiter,
    bom: layout.bom || layout.encoding !== 'utf8',
    header: layout.hasHeader,
    lineEnding: layout.lineEnding,
  };
}

export function stringifyOptions(format: Readonly<CsvFormat>): Options {
  return {
    delimiter: format.delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: format.lineEnding === 'lf' ? 'unix' : 'windows',
    // csv-stringify stops quoting a bare `\n` or `\r` once `record_delimiter` is set; a cell
    // holding one would then split its row in two when read back.
    quote_record_delimiter: true,
    bom: format.bom,
  };
}

export const CSV_OPTIONS: Options = stringifyOptions(DEFAULT_CSV_FORMAT);

/** One record, record delimiter included (no BOM), for the few lines written outside a stream. */
export function csvRecord(
  cells: readonly string[],
  format: Readonly<CsvFormat> = DEFAULT_CSV_FORMAT,
): string {
  return stringify([[...cells]], { ...stringifyOptions(format), bom: false });
}
