/**
 * A CSV file written through a csv-stringify stream with backpressure: `write` queues a record
 * synchronously (so records land in call order even if a caller forgets to await) and hands back
 * a promise that settles once the stream has room again.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type Stringifier, stringify } from 'csv-stringify';
import { type CsvFormat, DEFAULT_CSV_FORMAT, stringifyOptions } from './csv-format.ts';
import { drained } from './drained.ts';

const READY: Promise<void> = Promise.resolve();

export class CsvFileWriter {
  readonly path: string;
  private readonly stringifier: Stringifier;
  private readonly done: Promise<void>;
  private failure: Error | undefined;
  /** One wait shared by every write made while the stream is full: one listener set, not N. */
  private pendingDrain: Promise<void> | undefined;

  /**
   * `header` is written first (after the BOM, when `format` asks for one); one record never
   * needs to wait for the stream.
   */
  constructor(
    path: string,
    header?: readonly string[],
    format: Readonly<CsvFormat> = DEFAULT_CSV_FORMAT,
  ) {
    this.path = path;
    this.stringifier = stringify(stringifyOptions(format));
    this.done = pipeline(this.stringifier, createWriteStream(path));
    // Kept, not thrown here: the next write or end() reports it to a caller that awaits.
    this.done.catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
    if (header) this.stringifier.write([...header]);
  }

  write(cells: string[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.stringifier.write(cells)) return READY;
    this.pendingDrain ??= drained(this.stringifier).finally(() => {
      this.pendingDrain = undefined;
    });
    return this.pendingDrain;
  }

  /** Flushes and closes the file; rejects with the first error the file saw. */
  async end(): Promise<void> {
    this.stringifier.end();
    await this.done;
  }

  /** Abandons the file (dispose after a failure); the file itself is left for the caller. */
  destroy(): void {
    this.stringifier.destroy();
  }
}
