/**
 * One CSV dialect for every file we write: UTF-8 without a byte-order mark, comma, RFC 4180
 * double-quote quoting, CRLF record ends (RFC 4180's line break, and what Excel writes itself).
 * No BOM: scripts and `csv-parse` would otherwise read the first column name as `\uFEFFemail`.
 */
import type { Options } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

export const CSV_OPTIONS: Options = {
  delimiter: ',',
  quote: '"',
  escape: '"',
  record_delimiter: 'windows',
  // csv-stringify stops quoting a bare `\n` or `\r` once `record_delimiter` is set; a cell
  // holding one would then split its row in two when read back.
  quote_record_delimiter: true,
  bom: false,
};

/** One record, record delimiter included, for the few lines written outside a stream. */
export function csvRecord(cells: readonly string[]): string {
  return stringify([[...cells]], CSV_OPTIONS);
}
