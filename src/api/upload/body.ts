/**
 * An upload, streamed: the first bytes (up to SNIFF_SAMPLE_BYTES) are read to decide the CSV
 * layout — so an empty or non-CSV file is refused before anything is stored — then those bytes
 * and the rest flow on, counted, to storage. Only the sample is ever held in memory.
 */
import { Readable } from 'node:stream';
import { type CsvLayout, SNIFF_SAMPLE_BYTES, sniffCsv } from '../../csv/index.ts';
import { isListcleanError } from '../../errors.ts';
import { apiError } from '../errors.ts';
import { UploadCounter, type UploadLimits } from './counter.ts';

export interface CheckedUpload {
  layout: CsvLayout;
  /** The whole upload; errors with 413 `too_large` when it goes over a limit. */
  body: Readable;
}

function asBuffer(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
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
  const layout = sniff(Buffer.concat(head).subarray(0, SNIFF_SAMPLE_BYTES), column);
  counter.headerLines = layout.hasHeader ? 1 : 0;
  counter.checkRows(ended);

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
    counter.checkRows(true);
  }
  return { layout, body: Readable.from(all(), { objectMode: false }) };
}

/** The sniffer's refusals (empty, not CSV, no email column) are the client's to fix: 400. */
function sniff(sample: Buffer, column: string | undefined): CsvLayout {
  try {
    return sniffCsv(sample, { column });
  } catch (error) {
    if (isListcleanError(error)) throw apiError(error.code, error.message);
    throw error;
  }
}
