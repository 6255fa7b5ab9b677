/** Feeding bytes to the CSV reader the way storage does: as a stream of chunks. */
import { Readable } from 'node:stream';
import {
  type CsvLayout,
  type CsvRow,
  type ReadCsvOptions,
  readCsvRows,
  sniffCsv,
} from '../../src/csv/index.ts';

/** A byte stream of `data` cut into `chunkSize`-byte chunks (tiny chunks stress the seams). */
export function streamOf(data: Buffer | string, chunkSize = 64 * 1024): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    chunks.push(bytes.subarray(offset, offset + chunkSize));
  }
  return Readable.from(chunks, { objectMode: false });
}

export async function readAll(
  data: Buffer | string,
  layout: CsvLayout,
  options: ReadCsvOptions & { chunkSize?: number } = {},
): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(streamOf(data, options.chunkSize), layout, options)) {
    rows.push(row);
  }
  return rows;
}

/** Sniffs the file's first 64 KiB, then reads all of it: what the ingest job does. */
export async function sniffAndRead(
  data: Buffer | string,
  options: ReadCsvOptions & { chunkSize?: number; column?: string } = {},
): Promise<{ layout: CsvLayout; rows: CsvRow[] }> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const layout = sniffCsv(bytes.subarray(0, 64 * 1024), { column: options.column });
  return { layout, rows: await readAll(bytes, layout, options) };
}

export function layoutOf(partial: Partial<CsvLayout> = {}): CsvLayout {
  return {
    encoding: 'utf8',
    bom: false,
    delimiter: ',',
    hasHeader: true,
    lineEnding: 'crlf',
    columns: ['name', 'email'],
    emailColumn: 1,
    emailColumnSource: 'header',
    ...partial,
  };
}
