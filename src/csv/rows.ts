/** Turns framed records into `CsvRow`s: numbered, header dropped, shaped to the layout. */
import type { FieldParser } from './fields.ts';
import type { FramedRecord } from './framer.ts';
import type { CsvLayout, CsvRow } from './types.ts';

/** Numbers the records, drops the header, and shapes each one to the layout's columns. */
export class RowMaker {
  readonly #layout: CsvLayout;
  readonly #parser: FieldParser;
  #headerPending: boolean;
  #index = 0;
  /** The header record's fields as the file has them, once read (null: none, or unreadable). */
  header: string[] | null = null;

  constructor(layout: CsvLayout, parser: FieldParser) {
    this.#layout = layout;
    this.#parser = parser;
    this.#headerPending = layout.hasHeader;
  }

  *from(framed: FramedRecord[]): Generator<CsvRow> {
    if (this.#headerPending && framed.length > 0) {
      this.#headerPending = false;
      const header = framed.shift();
      if (header?.malformed === null) {
        const [parsed] = this.#parser.parse([header.text]);
        this.header = parsed?.malformed === null ? parsed.fields : null;
      }
    }
    const parsed = this.#parser.parse(
      framed.flatMap((record) => (record.malformed === null ? [record.text] : [])),
    );
    let next = 0;
    for (const record of framed) {
      // FieldParser answers every text; the fallback only guards the row count against a bug.
      const result =
        record.malformed === null
          ? (parsed[next++] ?? { text: record.text, malformed: 'csv-parse returned no fields' })
          : record;
      yield result.malformed === null
        ? this.#row(result.fields)
        : this.#malformedRow(result.text, result.malformed);
    }
  }

  #row(record: string[]): CsvRow {
    const width = this.#layout.columns.length;
    const fields = record.slice(0, width);
    while (fields.length < width) fields.push('');
    return {
      index: this.#index++,
      fields,
      extra: record.slice(width),
      email: record[this.#layout.emailColumn] ?? null,
      malformed: null,
    };
  }

  /** The raw text goes in the first field, so the report still shows what the row said. */
  #malformedRow(text: string, why: string): CsvRow {
    const fields = [text];
    while (fields.length < this.#layout.columns.length) fields.push('');
    return { index: this.#index++, fields, extra: [], email: null, malformed: why };
  }
}
