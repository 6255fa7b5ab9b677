/**
 * An upload, streamed: the first bytes (up to SNIFF_SAMPLE_BYTES) are read to decide the CSV
 * layout — so an empty or non-CSV file is refused before anything is stored — then those bytes
 * and the rest flow on, counted, to storage. Only the sample is ever held in memory.
 *
 * An .xlsx workbook (known by its bytes, whatever the Content-Type said) is the exception: it is
 * read whole, up to MAX_WORKBOOK_BYTES, and its first sheet goes on as CSV (src/csv/workbook.ts).
 */
import { Readable } from 'node:stream';
import { type CsvLayout, SNIFF_SAMPLE_BYTES, sniffCsv } from '../../csv/index.ts';
import { checkWorkbookSize, isWorkbook, workbookToCsv } from '../../csv/workbook.ts';
import { asBuffer, clientErrors } from './client-errors.ts';
import { noRows, tooLarge, UploadCounter, type UploadLimits } from './counter.ts';

export interface CheckedUpload {
  layout: CsvLayout;
  /** The whole upload; errors with 413 `too_large` when it goes over a limit. */
  body: Readable;
}

export async function checkUpload(
  source: Readable,
  limits: UploadLimits,
  column: string | undefined,
): Promise<CheckedUpload> {
  const counter = new UploadCounter(limits);
  // Never destroy the source when we stop reading: for a plain body it is the HTTP request,
  // and destroying it would drop the connection before the error response is written.
  const chunks = source.iterator({ destroyOnReturn: false });
  const head: Buffer[] = [];
  let ended = false;
  while (counter.bytes < SNIFF_SAMPLE_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = asBuffer(next.value);
    counter.add(chunk);
    head.push(chunk);
  }
  const sample = Buffer.concat(head).subarray(0, SNIFF_SAMPLE_BYTES);
  if (isWorkbook(sample))
    return checkWorkbook(head, ended ? null : chunks, counter, limits, column);
  const layout = sniff(sample, column);
  counter.countRowsAs(layout);
  if (ended) checkComplete(counter);

  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    if (!ended) {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        const chunk = asBuffer(next.value);
        counter.add(chunk);
        counter.checkRows(false);
        yield chunk;
      }
    }
    checkComplete(counter);
  }
  return { layout, body: Readable.from(all(), { objectMode: false }) };
}

/** The whole upload counted: within MAX_UPLOAD_ROWS, and at least one row (400 `no_rows`). */
function checkComplete(counter: UploadCounter): void {
  counter.checkRows(true);
  if (counter.rows === 0) throw noRows();
}

/** The rest of a workbook read (bytes counted), its first sheet converted, checked as a CSV. */
async function checkWorkbook(
  head: Buffer[],
  rest: AsyncIterator<unknown> | null,
  counter: UploadCounter,
  limits: UploadLimits,
  column: string | undefined,
): Promise<CheckedUpload> {
  const parts = [...head];
  clientErrors(() => checkWorkbookSize(counter.bytes));
  if (rest) {
    for (let next = await rest.next(); !next.done; next = await rest.next()) {
      const chunk = asBuffer(next.value);
      counter.add(chunk);
      clientErrors(() => checkWorkbookSize(counter.bytes));
      parts.push(chunk);
    }
  }
  const { csv, records } = await clientErrors(() =>
    workbookToCsv(Buffer.concat(parts), { maxRows: limits.maxRows }),
  );
  const layout = sniff(csv.subarray(0, SNIFF_SAMPLE_BYTES), column);
  if (records - (layout.hasHeader ? 1 : 0) === 0) throw noRows();
  if (records - (layout.hasHeader ? 1 : 0) > limits.maxRows) {
    throw tooLarge(
      `The workbook's first sheet has more than the limit of ${limits.maxRows} rows ` +
        '(MAX_UPLOAD_ROWS). Split the list into smaller files and upload each.',
    );
  }
  return { layout, body: Readable.from([csv], { objectMode: false }) };
}

/** The sniffer's refusals (empty, not CSV, no email column) are the client's to fix: 400. */
function sniff(sample: Buffer, column: string | undefined): CsvLayout {
  return clientErrors(() => sniffCsv(sample, { column }));
}
