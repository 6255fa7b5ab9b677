/**
 * `.xlsx` workbooks: the first sheet becomes the CSV the rest of listclean reads, so the stored
 * input stays CSV and ingest, aggregate and hygiene need to know nothing of spreadsheets. The CSV
 * is comma-separated with CRLF and a UTF-8 BOM — the outputs keep the input's style, and the
 * audience of a workbook opens them in Excel — and every field is quoted, so delimiter sniffing
 * never splits a cell and an empty row in the sheet stays a row (rows = report rows).
 *
 * A workbook is read whole: its strings live in one shared table the rows point into, so no
 * reader streams it in bounded memory (read-excel-file holds the unzipped XML and the rows, about
 * 50 times the file's size for a sheet of distinct strings). Hence MAX_WORKBOOK_BYTES, and a look
 * at the sizes the archive declares before anything is unzipped.
 */
import { stringify } from 'csv-stringify/sync';
import { unzipSync } from 'fflate';
import { readSheet } from 'read-excel-file/node';
import { ListcleanError } from '../errors.ts';
import { startsWith } from './encoding.ts';
import { formatBytes } from './utf8.ts';

/** The largest .xlsx file read (about 300,000 rows of five text columns). */
export const MAX_WORKBOOK_BYTES = 16 * 1024 * 1024;
/** The most the archive may declare unzipped: XML compresses about tenfold, a zip bomb far more. */
const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;

/** The media type browsers and curl send for .xlsx. */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SAVE_AS_CSV = 'Save the sheet as "CSV UTF-8" and use that file instead';

/** A ZIP archive whose first entries name Office Open XML spreadsheet parts. */
export function isWorkbook(sample: Buffer): boolean {
  return startsWith(sample, [0x50, 0x4b, 0x03, 0x04]) && sample.toString('latin1').includes('xl/');
}

export interface WorkbookCsv {
  /** The first sheet as CSV (BOM, comma, CRLF, every field quoted). */
  csv: Buffer;
  /** Its records, a header row included. */
  records: number;
}

export interface WorkbookOptions {
  /** Refuse (413 too_large) a sheet with more records than this plus a header row. */
  maxRows?: number;
}

/** Refuses (413 too_large) a workbook of more than MAX_WORKBOOK_BYTES, before it is read. */
export function checkWorkbookSize(bytes: number): void {
  if (bytes <= MAX_WORKBOOK_BYTES) return;
  throw new ListcleanError(
    'too_large',
    `The workbook is larger than ${formatBytes(MAX_WORKBOOK_BYTES)}, the most listclean reads ` +
      `from an .xlsx file (a workbook is read whole, in memory). ${SAVE_AS_CSV}: CSV files ` +
      'are streamed and may be much larger.',
  );
}

export async function workbookToCsv(
  bytes: Buffer,
  options: WorkbookOptions = {},
): Promise<WorkbookCsv> {
  checkWorkbookSize(bytes.length);
  checkDeclaredSizes(bytes);
  let sheet: unknown[][];
  try {
    sheet = await readSheet(bytes, { trim: false, parseNumber: (text: string) => text });
  } catch (error) {
    throw unreadable(error instanceof Error ? error.message : String(error));
  }
  const rows = tidy(sheet.map((row) => row.map(cellText)));
  if (rows.length === 0) {
    throw new ListcleanError(
      'empty_file',
      'The first sheet of the workbook is empty: it has no rows. Put the contacts on the first ' +
        'sheet, or export them again.',
    );
  }
  if (options.maxRows !== undefined && rows.length - 1 > options.maxRows) {
    throw new ListcleanError(
      'too_large',
      `The workbook's first sheet has more than the limit of ${options.maxRows} rows ` +
        '(MAX_UPLOAD_ROWS). Split the list into smaller files and upload each.',
    );
  }
  const csv = stringify(rows, {
    bom: true,
    quoted: true,
    quoted_empty: true,
    record_delimiter: 'windows',
    quote_record_delimiter: true,
  });
  return { csv: Buffer.from(csv, 'utf8'), records: rows.length };
}

/** Refuses, before unzipping, an archive that is no ZIP or that declares too much inside. */
function checkDeclaredSizes(bytes: Buffer): void {
  let declared = 0;
  try {
    unzipSync(bytes, {
      filter: (file) => {
        declared += file.originalSize;
        return false;
      },
    });
  } catch (error) {
    throw unreadable(error instanceof Error ? error.message : String(error));
  }
  if (declared > MAX_UNZIPPED_BYTES) {
    throw new ListcleanError(
      'too_large',
      `The workbook unpacks to ${formatBytes(declared)}, more than the ` +
        `${formatBytes(MAX_UNZIPPED_BYTES)} listclean unpacks from an .xlsx file. ${SAVE_AS_CSV}.`,
    );
  }
}

function unreadable(why: string): ListcleanError {
  return new ListcleanError(
    'workbook_unreadable',
    `The .xlsx workbook could not be read (${why}). Open it in your spreadsheet app and save it ` +
      `again, or: ${SAVE_AS_CSV}.`,
  );
}

/**
 * A cell as the spreadsheet shows it, as near as the file tells: text as is, numbers as stored
 * (`parseNumber` keeps their digits), dates as ISO dates (with the time when there is one), and
 * booleans as Excel's own CSV export writes them.
 */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  return String(value);
}

function dateText(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  const time = iso.slice(11, 19);
  return time === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${time}`;
}

/**
 * Rows of one width; empty rows and columns before the data left out (a sheet that starts
 * lower or further right). Empty rows inside the data stay: they are rows of the list.
 */
function tidy(rows: string[][]): string[][] {
  const isEmpty = (row: string[]) => row.every((cell) => cell === '');
  const start = rows.findIndex((row) => !isEmpty(row));
  if (start < 0) return [];
  const data = rows.slice(start);
  let width = 0;
  let firstColumn = Number.POSITIVE_INFINITY;
  for (const row of data) {
    const used = row.findIndex((cell) => cell !== '');
    if (used >= 0) firstColumn = Math.min(firstColumn, used);
    for (let end = row.length; end > 0; end -= 1) {
      if (row[end - 1] !== '') {
        width = Math.max(width, end);
        break;
      }
    }
  }
  return data.map((row) => {
    const cells = row.slice(firstColumn, width);
    while (cells.length < width - firstColumn) cells.push('');
    return cells;
  });
}
