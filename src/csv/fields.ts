/**
 * Turns framed records into fields with csv-parse. Records are parsed in batches (one csv-parse
 * call per chunk of the file, not per row); the framer guarantees each record is one csv-parse
 * record, and the count is checked anyway: should they ever disagree, the batch is parsed again
 * record by record, so a surprise costs speed, never a row.
 */
import { type Options, parse } from 'csv-parse/sync';
import { type CsvDelimiter, MALFORMED_TEXT_BYTES } from './types.ts';
import { truncateUtf8 } from './utf8.ts';

export type ParsedRecord =
  | { fields: string[]; malformed: null }
  | { text: string; malformed: string };

export class FieldParser {
  readonly #options: Options;
  #skipped: string[] = [];

  constructor(delimiter: CsvDelimiter, maxRecordBytes: number) {
    this.#options = {
      delimiter,
      quote: '"',
      escape: '"',
      // The framer has already split records; it joins a batch's records with LF.
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: false,
      max_record_size: maxRecordBytes,
      skip_records_with_error: true,
      on_skip: (error) => {
        this.#skipped.push(error?.message ?? 'csv-parse could not read this row');
        return undefined;
      },
    };
  }

  /** One result per record text, in order. */
  parse(texts: readonly string[]): ParsedRecord[] {
    if (texts.length === 0) return [];
    const batch = this.#run(`${texts.join('\n')}\n`);
    if (batch.problem === null && batch.records.length === texts.length) {
      return batch.records.map((fields) => ({ fields, malformed: null }));
    }
    return texts.map((text) => this.#parseOne(text));
  }

  #parseOne(text: string): ParsedRecord {
    const { records, problem } = this.#run(`${text}\n`);
    const [fields] = records;
    if (problem === null && records.length === 1 && fields) return { fields, malformed: null };
    const why = problem ?? `csv-parse reads it as ${records.length} rows instead of one`;
    return { text: truncateUtf8(text, MALFORMED_TEXT_BYTES), malformed: why };
  }

  /** The records, and why csv-parse skipped or refused something, if it did. */
  #run(input: string): { records: string[][]; problem: string | null } {
    this.#skipped = [];
    try {
      const records = parse(input, this.#options);
      return { records, problem: this.#skipped[0] ?? null };
    } catch (error) {
      return { records: [], problem: error instanceof Error ? error.message : String(error) };
    }
  }
}
