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
import {
  type CsvLayout,
  type CsvRow,
  DEFAULT_MAX_FIELD_BYTES,
  DEFAULT_MAX_QUOTED_LINES,
  type ReadCsvOptions,
} from './types.ts';

export async function* readCsvRows(
  source: Readable,
  layout: CsvLayout,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRow, void, undefined> {
  const maxRecordBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  const decoder = createDecoder(layout.encoding);
  const framer = new RecordFramer(layout.delimiter, {
    maxRecordBytes,
    maxQuotedLines: options.maxQuotedLines ?? DEFAULT_MAX_QUOTED_LINES,
  });
  const rows = new RowMaker(layout, new FieldParser(layout.delimiter, maxRecordBytes));
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
