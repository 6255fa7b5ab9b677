/**
 * Counts an upload's bytes and lines as they stream by and stops it, with 413 `too_large`, the
 * moment it goes over MAX_UPLOAD_BYTES or MAX_UPLOAD_ROWS. Rows are lines (less the header):
 * a quoted field with line breaks counts more than once, which errs on the safe side.
 */
import { apiError } from '../errors.ts';

export interface UploadLimits {
  maxBytes: number;
  maxRows: number;
}

const NEWLINE = 0x0a;

/** 413, closing the connection: the rest of an over-large body is not worth reading. */
export function tooLarge(message: string) {
  return apiError('too_large', message, { connection: 'close' });
}

export class UploadCounter {
  bytes = 0;
  newlines = 0;
  /** 1 once the sniffer has seen a header line, which is no row. */
  headerLines = 0;
  #lastByte = -1;

  constructor(private readonly limits: UploadLimits) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxBytes) {
      throw tooLarge(
        `The upload is larger than the limit of ${this.limits.maxBytes} bytes ` +
          '(MAX_UPLOAD_BYTES). Split the list into smaller files and upload each.',
      );
    }
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      this.newlines += 1;
    }
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1] ?? -1;
  }

  /** `ended`: the upload is complete, so a last line without a line break counts too. */
  checkRows(ended: boolean): void {
    const partial = ended && this.bytes > 0 && this.#lastByte !== NEWLINE ? 1 : 0;
    const rows = this.newlines + partial - this.headerLines;
    if (rows > this.limits.maxRows) {
      throw tooLarge(
        `The upload has more than the limit of ${this.limits.maxRows} rows ` +
          '(MAX_UPLOAD_ROWS). Split the list into smaller files and upload each.',
      );
    }
  }
}
