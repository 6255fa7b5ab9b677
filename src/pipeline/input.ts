/**
 * A list's input: a local file made ready to store (a workbook becomes CSV), and the stored
 * input read back — its layout (sniffed from the first bytes), its rows, and what the reports
 * need to know of it.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type CsvLayout,
  type CsvRow,
  readCsvRows,
  SNIFF_SAMPLE_BYTES,
  sniffCsv,
  wholeFileColumns,
} from '../csv/index.ts';
import { checkWorkbookSize, isWorkbook, workbookToCsv } from '../csv/workbook.ts';
import { csvFormatFor, type EmailColumnInfo, type ReportOptions } from '../report/index.ts';
import type { Storage } from '../storage/index.ts';
import { storageKeys } from './names.ts';

const SAMPLE_BYTES = SNIFF_SAMPLE_BYTES;

export async function readSample(storage: Storage, key: string): Promise<Buffer> {
  const stream = await storage.get(key);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= SAMPLE_BYTES) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, SAMPLE_BYTES);
}

/**
 * The stored input's layout. Its columns are the whole file's (`wholeFile`, the default): a file
 * longer than the sniff sample is read once more for a header longer than the sample and rows
 * wider than the header, so the reports keep every field. Ingest, which needs only the email
 * column, passes false.
 */
export async function inputLayout(
  storage: Storage,
  listId: string,
  column?: string,
  { wholeFile = true }: { wholeFile?: boolean } = {},
): Promise<CsvLayout> {
  const sample = await readSample(storage, storageKeys.input(listId));
  const layout = sniffCsv(sample, { column });
  // A shorter sample is the whole file: the sniffer has seen every row.
  if (!wholeFile || sample.length < SAMPLE_BYTES) return layout;
  const columns = await wholeFileColumns(await storage.get(storageKeys.input(listId)), layout);
  return { ...layout, columns };
}

/** Every data row of the stored input, in order: ingest and aggregate see the same rows. */
export async function* inputRows(
  storage: Storage,
  listId: string,
  layout: CsvLayout,
): AsyncIterable<CsvRow> {
  yield* readCsvRows(await storage.get(storageKeys.input(listId)), layout);
}

/** Groups an async iterable into arrays of `size`, so each group costs one Redis round trip. */
export async function* chunked<T>(source: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The email column as summary.json, `GET /v1/lists/:id` and the CLI name it. */
export function emailColumnInfo(layout: CsvLayout): EmailColumnInfo {
  return {
    name: layout.columns[layout.emailColumn] ?? '',
    number: layout.emailColumn + 1,
    detected: layout.emailColumnSource,
  };
}

/** What the report builder keeps of the input: its columns, its CSV style, its email column. */
export function reportLayout(
  layout: CsvLayout,
): Pick<ReportOptions, 'columns' | 'format' | 'emailColumn' | 'column'> {
  return {
    columns: layout.columns,
    format: csvFormatFor(layout),
    emailColumn: layout.emailColumn,
    column: emailColumnInfo(layout),
  };
}

/**
 * A local file (`listclean clean FILE`) as the list's stored input: a CSV as it is, streamed; an
 * .xlsx workbook's first sheet converted to CSV (a damaged or oversized workbook is refused here,
 * before anything is stored). Whether it is a list at all, ingest decides, as for uploads.
 */
export async function fileInput(file: string): Promise<Readable | Buffer> {
  if (!isWorkbook(await readHead(file, SNIFF_SAMPLE_BYTES))) return createReadStream(file);
  checkWorkbookSize((await stat(file)).size);
  return (await workbookToCsv(await readFile(file))).csv;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
