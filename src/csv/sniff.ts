/**
 * Decides a file's layout from its first bytes: encoding, delimiter, header, column names and
 * the email column. Refuses, with a message saying what to do, files that are empty, not text,
 * or have no column of addresses.
 */
import { ListcleanError } from '../errors.ts';
import { sniffDelimiter } from './delimiter.ts';
import { chooseEmailColumn } from './email-column.ts';
import { createDecoder, detectEncoding, stripLeadingBoms } from './encoding.ts';
import { looksLikeHeader } from './header.ts';
import { describeBinaryText, describeBySignature } from './not-csv.ts';
import { type CsvEncoding, type CsvLayout, type LineEnding, SNIFF_SAMPLE_BYTES } from './types.ts';

export interface SniffOptions {
  /** A header name (case-insensitive) or 1-based number; overrides detection. */
  column?: string | undefined;
}

const EMPTY_FILE =
  'The file is empty: it has no rows. Export the contacts again and upload that file.';

/** `sample`: the first `SNIFF_SAMPLE_BYTES` of the file, or all of it when it is shorter. */
export function sniffCsv(sample: Buffer, options: SniffOptions = {}): CsvLayout {
  const { rows, ...table } = sniffTable(sample);
  const { columns, hasHeader } = table;
  const choice = chooseEmailColumn({ columns, hasHeader, rows }, options.column);
  return { ...table, emailColumn: choice.index, emailColumnSource: choice.source };
}

/** A sample's layout short of the email column, with the data rows it is chosen from. */
export interface SniffedTable extends Omit<CsvLayout, 'emailColumn' | 'emailColumnSource'> {
  /** The sample's parsed data rows (header excluded, unparseable records left out). */
  rows: string[][];
}

/** What `sniffCsv` decides before it picks the email column (a preview shows it as it is). */
export function sniffTable(sample: Buffer): SniffedTable {
  if (sample.length === 0) throw new ListcleanError('empty_file', EMPTY_FILE);
  const signature = describeBySignature(sample);
  if (signature) throw notCsv(signature);
  const { encoding, bom } = detectEncoding(sample);
  const complete = sample.length < SNIFF_SAMPLE_BYTES;
  const text = decodeSample(sample, encoding, complete);
  if (text.trim() === '') throw new ListcleanError('empty_file', EMPTY_FILE);
  const binary = describeBinaryText(text);
  if (binary) throw notCsv(binary);

  const { delimiter, records } = sniffDelimiter(text, complete);
  const [first] = records;
  const parsed = records.filter((record): record is string[] => record !== null);
  const hasHeader = first != null && looksLikeHeader(first, parsed.slice(1));
  const rows = hasHeader ? parsed.slice(1) : parsed;
  const columns =
    hasHeader && first
      ? widenColumns(first.map(cleanHeaderName), usedWidth(rows))
      : numberedColumns(widest(rows));
  return { encoding, bom, delimiter, hasHeader, lineEnding: lineEndingOf(text), columns, rows };
}

/** The first line's end; CRLF (what Excel writes) when there is no LF to go by. */
function lineEndingOf(text: string): LineEnding {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] !== '\r' ? 'lf' : 'crlf';
}

function notCsv(what: string): ListcleanError {
  return new ListcleanError('not_csv', `This file is not a CSV: it is ${what}.`);
}

/** Decodes as `readCsvRows` will; a partial sample's cut-off last character is left out. */
function decodeSample(sample: Buffer, encoding: CsvEncoding, complete: boolean): string {
  const decoder = createDecoder(encoding);
  const text = decoder.write(sample) + (complete ? (decoder.end() ?? '') : '');
  return stripLeadingBoms(text);
}

export function cleanHeaderName(name: string): string {
  return name.replaceAll('\ufeff', '').trim();
}

function widest(rows: readonly string[][]): number {
  return rows.reduce((width, row) => Math.max(width, row.length), 1);
}

function numberedColumns(width: number): string[] {
  return widenColumns([], width);
}

/**
 * The columns, with `column_N` (N: 1-based position) for the fields rows have beyond them: every
 * field of the file reaches the reports, also in rows wider than the header.
 */
export function widenColumns(columns: readonly string[], width: number): string[] {
  const all = [...columns];
  while (all.length < width) all.push(`column_${all.length + 1}`);
  return all;
}

/** How many fields the rows use: trailing empty fields (`a,b,,`) hold nothing to keep. */
export function usedWidth(rows: readonly (readonly string[])[]): number {
  let width = 0;
  for (const row of rows) {
    let end = row.length;
    while (end > width && row[end - 1] === '') end -= 1;
    width = Math.max(width, end);
  }
  return width;
}
