/**
 * Counts the data rows of a CSV as its bytes stream by, by the very rules `readCsvRows` reads
 * them with (the same decoder, BOM handling and record framer; the header dropped), so a limit
 * on rows checked while uploading is a limit on the rows the list will have — a file with CR
 * line ends, quoted line breaks or blank lines included.
 */
import { createDecoder, stripLeadingBoms } from './encoding.ts';
import { RecordFramer } from './framer.ts';
import {
  type CsvLayout,
  DEFAULT_MAX_FIELD_BYTES,
  DEFAULT_MAX_QUOTED_LINES,
  type ReadCsvOptions,
} from './types.ts';

export class RecordCounter {
  readonly #decoder: ReturnType<typeof createDecoder>;
  readonly #framer: RecordFramer;
  #started = false;
  #ended = false;
  #headerPending: boolean;
  /** Data rows framed so far. */
  rows = 0;

  constructor(layout: CsvLayout, options: ReadCsvOptions = {}) {
    this.#decoder = createDecoder(layout.encoding);
    this.#framer = new RecordFramer(layout.delimiter, {
      maxRecordBytes: options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES,
      maxQuotedLines: options.maxQuotedLines ?? DEFAULT_MAX_QUOTED_LINES,
    });
    this.#headerPending = layout.hasHeader;
  }

  push(chunk: Buffer): number {
    let text = this.#decoder.write(chunk);
    if (!this.#started && text !== '') {
      text = stripLeadingBoms(text);
      this.#started = text !== '';
    }
    return this.#count(this.#framer.push(text).length);
  }

  /** The end of the input: the last record, and the final count. */
  end(): number {
    if (this.#ended) return this.rows;
    this.#ended = true;
    const rest = this.#decoder.end() ?? '';
    const tail = this.#framer.push(this.#started ? rest : stripLeadingBoms(rest)).length;
    return this.#count(tail + this.#framer.end().length);
  }

  #count(records: number): number {
    let added = records;
    if (this.#headerPending && added > 0) {
      this.#headerPending = false;
      added -= 1;
    }
    this.rows += added;
    return this.rows;
  }
}
