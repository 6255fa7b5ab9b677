/**
 * Streams every data row of a stored file with the layout `sniffCsv` decided. The file is read
 * chunk by chunk as rows are consumed; only the record being assembled is ever held (at most
 * `maxFieldBytes` plus a chunk). The same bytes always give the same rows, however the stream
 * happens to be chunked, so the ingest and aggregate jobs agree row for row.
 */
import type { Readable } from 'node:stream';
import { createDecoder, stripLeadingBoms } from './encoding.ts';
import { FieldParser } from './fields.ts';
import { RecordFramer } from './framer.ts';
import { RowMaker } from './rows.ts';
import { cleanHeaderName, usedWidth, widenColumns } from './sniff.ts';
import {
  type CsvLayout,
  type CsvRow,
  DEFAULT_MAX_FIELD_BYTES,
  DEFAULT_MAX_QUOTED_LINES,
  type ReadCsvOptions,
} from './types.ts';

export function readCsvRows(
  source: Readable,
  layout: CsvLayout,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRow, void, undefined> {
  return readWith(source, layout, options, rowMaker(layout, options));
}

/**
 * The layout's columns as wide as the whole file is: the header as the file writes it (a header
 * longer than the sniff sample is cut there), and `column_N` for the fields of the widest row
 * beyond it, so the reports keep every field of every row. Reads the file once, in bounded memory.
 */
export async function wholeFileColumns(
  source: Readable,
  layout: CsvLayout,
  options: ReadCsvOptions = {},
): Promise<string[]> {
  const maker = rowMaker(layout, options);
  let width = 0;
  for await (const row of readWith(source, layout, options, maker)) {
    if (row.extra.length > 0) width = Math.max(width, row.fields.length + usedWidth([row.extra]));
  }
  const header = maker.header?.map(cleanHeaderName);
  const named = header && header.length > layout.columns.length ? header : layout.columns;
  return widenColumns(named, width);
}

function rowMaker(layout: CsvLayout, options: ReadCsvOptions): RowMaker {
  const maxRecordBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  return new RowMaker(layout, new FieldParser(layout.delimiter, maxRecordBytes));
}

async function* readWith(
  source: Readable,
  layout: CsvLayout,
  options: ReadCsvOptions,
  rows: RowMaker,
): AsyncGenerator<CsvRow, void, undefined> {
  const decoder = createDecoder(layout.encoding);
  const framer = new RecordFramer(layout.delimiter, {
    maxRecordBytes: options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES,
    maxQuotedLines: options.maxQuotedLines ?? DEFAULT_MAX_QUOTED_LINES,
  });
  let started = false;
  for await (const chunk of source) {
    let text = decoder.write(toBuffer(chunk));
    if (!started && text !== '') {
      text = stripLeadingBoms(text);
      started = text !== '';
    }
    yield* rows.from(framer.push(text));
  }
  const rest = decoder.end() ?? '';
  yield* rows.from([...framer.push(started ? rest : stripLeadingBoms(rest)), ...framer.end()]);
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  return Buffer.from(String(chunk), 'utf8');
}
