/**
 * Counts an upload's bytes and rows as they stream by and stops it, with 413 `too_large`, the
 * moment it goes over MAX_UPLOAD_BYTES or MAX_UPLOAD_ROWS. Rows are counted by the reader's own
 * rules (src/csv/record-count.ts: LF, CR and CRLF line ends, quoted line breaks, blank lines),
 * so the limit holds for the rows the list will have, however its lines end.
 */
import { type CsvLayout, RecordCounter } from '../../csv/index.ts';
import { apiError } from '../errors.ts';

export interface UploadLimits {
  maxBytes: number;
  maxRows: number;
}

/** 413, closing the connection: the rest of an over-large body is not worth reading. */
export function tooLarge(message: string) {
  return apiError('too_large', message, { connection: 'close' });
}

/** 400: a header row and nothing else (a workbook's first sheet too). */
export function noRows() {
  return apiError(
    'no_rows',
    'The file has a header row but no data rows: there is nothing to clean. Export the ' +
      'contacts again, with their rows, and upload that file.',
  );
}

export class UploadCounter {
  bytes = 0;
  /** Bytes seen before the layout was known, replayed into the row counter once it is. */
  #early: Buffer[] = [];
  #rows: RecordCounter | null = null;

  constructor(private readonly limits: UploadLimits) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes) {
      throw tooLarge(
        `The upload is larger than the limit of ${this.limits.maxBytes} bytes ` +
          '(MAX_UPLOAD_BYTES). Split the list into smaller files and upload each.',
      );
    }
    if (this.#rows) this.#rows.push(chunk);
    else this.#early.push(chunk);
  }

  /** The layout is known (sniffed from the first bytes): rows are counted from here on. */
  countRowsAs(layout: CsvLayout): void {
    this.#rows = new RecordCounter(layout);
    for (const chunk of this.#early) this.#rows.push(chunk);
    this.#early = [];
  }

  /** Data rows so far (all of them once `ended`). */
  get rows(): number {
    return this.#rows?.rows ?? 0;
  }

  /** `ended`: the upload is complete, so a last record without a line break counts too. */
  checkRows(ended: boolean): void {
    const rows = ended ? (this.#rows?.end() ?? 0) : this.rows;
    if (rows > this.limits.maxRows) {
      throw tooLarge(
        `The upload has more than the limit of ${this.limits.maxRows} rows ` +
          '(MAX_UPLOAD_ROWS). Split the list into smaller files and upload each.',
      );
    }
  }
}
