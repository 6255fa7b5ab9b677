/**
 * What the server would make of a file before it is uploaded (POST /v1/lists/preview): the
 * layout the sniffer decides from the first 64 KiB — exactly what POST /v1/lists decides from
 * the same bytes — the column it would read addresses from, which columns hold addresses, and
 * the first rows. A CSV is read no further than the sample; an .xlsx workbook is read whole (up
 * to MAX_WORKBOOK_BYTES) and its first sheet previewed as the CSV it is stored as.
 */
import type { Readable } from 'node:stream';
import { chooseEmailColumn, countAddresses, holdsAddresses } from '../../csv/email-column.ts';
import { SNIFF_SAMPLE_BYTES, type SniffedTable, sniffTable } from '../../csv/index.ts';
import { checkWorkbookSize, isWorkbook, workbookToCsv } from '../../csv/workbook.ts';
import { isListcleanError } from '../../errors.ts';
import { asBuffer, clientErrors } from './client-errors.ts';
import type { Preview } from './preview-shape.ts';

/** Rows a preview shows. */
export const PREVIEW_ROWS = 10;
/** A cell of the preview is cut to this many characters. */
const CELL_CHARS = 200;

/** The sample of the body, or a workbook whole; the rest of a CSV is left unread. */
async function readSample(source: Readable): Promise<{ bytes: Buffer; workbook: boolean }> {
  const chunks = source.iterator({ destroyOnReturn: false });
  const parts: Buffer[] = [];
  let size = 0;
  let workbook = false;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    const chunk = asBuffer(next.value);
    parts.push(chunk);
    size += chunk.length;
    if (!workbook && size >= SNIFF_SAMPLE_BYTES) {
      workbook = isWorkbook(Buffer.concat(parts).subarray(0, SNIFF_SAMPLE_BYTES));
      if (!workbook) return { bytes: Buffer.concat(parts), workbook };
    }
    if (workbook) clientErrors(() => checkWorkbookSize(size));
  }
  const bytes = Buffer.concat(parts);
  return { bytes, workbook: workbook || isWorkbook(bytes) };
}

export async function previewUpload(
  source: Readable,
  options: { column?: string | undefined; maxRows: number },
): Promise<Preview> {
  const { bytes, workbook } = await readSample(source);
  let whole = bytes;
  if (workbook) {
    ({ csv: whole } = await clientErrors(() => workbookToCsv(bytes, { maxRows: options.maxRows })));
  }
  const sample = whole.subarray(0, SNIFF_SAMPLE_BYTES);
  const table = clientErrors(() => sniffTable(sample));
  return {
    format: workbook ? 'xlsx' : 'csv',
    encoding: table.encoding,
    bom: table.bom,
    delimiter: table.delimiter,
    line_ending: table.lineEnding,
    has_header: table.hasHeader,
    columns: table.columns,
    address_columns: addressColumns(table),
    ...emailColumn(table, options.column),
    rows: table.rows.slice(0, PREVIEW_ROWS).map((row) => padRow(row, table.columns.length)),
    sample_rows: table.rows.length,
    // As the sniffer takes it: a full-length sample is the start of a longer file.
    truncated: sample.length >= SNIFF_SAMPLE_BYTES,
  };
}

function addressColumns({ columns, rows }: SniffedTable): number[] {
  return columns
    .map((_, column) => {
      const count = countAddresses(rows, column);
      return count.found > 0 && holdsAddresses(count) ? column + 1 : 0;
    })
    .filter((number) => number > 0);
}

function emailColumn(
  table: SniffedTable,
  column: string | undefined,
): Pick<Preview, 'email_column' | 'email_column_error'> {
  try {
    const choice = chooseEmailColumn(table, column);
    return {
      email_column: {
        number: choice.index + 1,
        name: table.columns[choice.index] ?? '',
        detected: choice.source,
      },
      email_column_error: null,
    };
  } catch (error) {
    if (!isListcleanError(error)) throw error;
    return { email_column: null, email_column_error: { code: error.code, message: error.message } };
  }
}

/** A row as wide as the header, each cell cut to a preview's length. */
function padRow(row: string[], width: number): string[] {
  return Array.from({ length: width }, (_, index) => (row[index] ?? '').slice(0, CELL_CHARS));
}
