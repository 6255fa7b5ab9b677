/**
 * Splits decoded CSV text into records (one record's text, line breaks inside quotes included)
 * before any field is parsed, so that a broken record can be cut loose without losing the rest.
 *
 * csv-parse alone cannot do that: with `relax_quotes`, a stray opening quote silently swallows
 * the following lines until some later quote happens to close it, and once `max_record_size`
 * trips, it drops the rest of the buffer. The framer mirrors csv-parse's quote rules exactly (a
 * quote opens a field only at its start, `""` is a literal quote, a quote closes a field when a
 * delimiter, line break, NUL or the end follows, else it is kept as text), so every record it
 * hands on parses to exactly one csv-parse record; and it gives up on a record when:
 * - a quoted field that spans lines ends mid-field (`"Acme` … `,"Bob"` on a later line): the
 *   quote was stray, not a field with line breaks;
 * - a quoted field is still open after `maxQuotedLines` line breaks or at the end of the file;
 * - the record grows past `maxRecordBytes`.
 * It then reports the record's first line as malformed and resumes on the line after it (or, for
 * a single over-long line, on the next line), so one bad quote costs one row.
 */
import { MALFORMED_TEXT_BYTES } from './types.ts';
import { formatBytes, truncateUtf8, utf8UnitBytes } from './utf8.ts';

export type FramedRecord =
  | { text: string; malformed: null }
  /** `text` is the record's first line, cut to `MALFORMED_TEXT_BYTES`. */
  | { text: string; malformed: string };

export interface FramerLimits {
  maxRecordBytes: number;
  maxQuotedLines: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

export class RecordFramer {
  readonly #delimiter: number;
  readonly #limits: FramerLimits;
  /** Unconsumed text; the current record starts at `#start`. */
  #buffer = '';
  #scanned = 0;
  #start = 0;
  #quoting = false;
  #fieldEmpty = true;
  #bytes = 0;
  #quotedLines = 0;
  /** Where the record's first line ends and the next begins, once a quoted field spans lines. */
  #firstBreak = -1;
  #afterFirstBreak = -1;
  /** Dropping the rest of an over-long line. */
  #skipping = false;

  constructor(delimiter: string, limits: FramerLimits) {
    this.#delimiter = delimiter.charCodeAt(0);
    this.#limits = limits;
  }

  push(text: string): FramedRecord[] {
    this.#buffer += text;
    return this.#scan(false);
  }

  /** The end of the input: flushes the last record. */
  end(): FramedRecord[] {
    return this.#scan(true);
  }

  #scan(final: boolean): FramedRecord[] {
    const out: FramedRecord[] = [];
    const buffer = this.#buffer;
    const length = buffer.length;
    let index = this.#scanned;
    for (;;) {
      while (index < length) {
        const unit = buffer.charCodeAt(index);
        if (this.#skipping) {
          index = this.#skipLine(buffer, index);
          continue;
        }
        let width = 1;
        if (this.#quoting) {
          if (unit === QUOTE) {
            // Whether this quote closes the field depends on the next character.
            if (index + 1 >= length && !final) break;
            const next = index + 1 < length ? buffer.charCodeAt(index + 1) : -1;
            if (next === QUOTE) {
              width = 2;
            } else {
              this.#quoting = false;
              const closesCleanly =
                next === -1 ||
                next === this.#delimiter ||
                next === LF ||
                next === CR ||
                next === NUL;
              if (!closesCleanly && this.#firstBreak >= 0) {
                out.push(this.#giveUp(buffer, index, 'it only closes mid-field on a later line'));
                index = this.#rewind();
                continue;
              }
              if (!closesCleanly) this.#fieldEmpty = false;
            }
          } else if (unit === LF || unit === CR) {
            // CR LF is one line break: wait for the character after a CR.
            if (unit === CR && index + 1 >= length && !final) break;
            if (this.#firstBreak < 0) {
              this.#firstBreak = index;
              this.#afterFirstBreak = index + 1;
            }
            if (unit === LF || buffer.charCodeAt(index + 1) !== LF) this.#quotedLines += 1;
            if (this.#quotedLines > this.#limits.maxQuotedLines) {
              const why = `it is still open ${this.#limits.maxQuotedLines} lines further down`;
              out.push(this.#giveUp(buffer, index, why));
              index = this.#rewind();
              continue;
            }
          }
        } else if (unit === LF || unit === CR) {
          // A CR LF pair leaves an empty line behind the CR; empty lines are not records.
          const text = buffer.slice(this.#start, index);
          if (text !== '') out.push({ text, malformed: null });
          index += 1;
          this.#resetRecord(index);
          continue;
        } else if (unit === this.#delimiter) {
          this.#fieldEmpty = true;
        } else if (unit === QUOTE && this.#fieldEmpty) {
          this.#quoting = true;
        } else {
          this.#fieldEmpty = false;
        }
        this.#bytes += width === 2 ? 2 : utf8UnitBytes(unit);
        index += width;
        if (this.#bytes > this.#limits.maxRecordBytes) {
          const spansLines = this.#quoting && this.#firstBreak >= 0;
          const limit = formatBytes(this.#limits.maxRecordBytes);
          out.push(
            this.#giveUp(buffer, index, spansLines ? `it is still open after ${limit}` : null),
          );
          if (this.#firstBreak >= 0) {
            index = this.#rewind();
          } else {
            this.#skipping = true;
          }
        }
      }
      if (!final || index < length || this.#skipping) break;
      if (this.#quoting) {
        out.push(this.#giveUp(buffer, index, 'the file ends before it closes'));
        if (this.#firstBreak >= 0) {
          index = this.#rewind();
          continue;
        }
      } else {
        const text = buffer.slice(this.#start, length);
        if (text !== '') out.push({ text, malformed: null });
      }
      this.#resetRecord(length);
      break;
    }
    this.#compact(index);
    return out;
  }

  /** Past the next line break (the over-long row ends there), or to the end of the buffer. */
  #skipLine(buffer: string, index: number): number {
    const lf = buffer.indexOf('\n', index);
    const cr = buffer.indexOf('\r', index);
    const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (end < 0) return buffer.length;
    this.#skipping = false;
    this.#resetRecord(end + 1);
    return end + 1;
  }

  /** `why` the quoted field must be a stray quote, or null when the record is just too long. */
  #giveUp(buffer: string, index: number, why: string | null): FramedRecord {
    const end = this.#firstBreak >= 0 ? this.#firstBreak : index;
    const malformed = why
      ? `unbalanced quote: a quoted field opens on this row but ${why}`
      : `the row is longer than the ${formatBytes(this.#limits.maxRecordBytes)} limit`;
    return { text: this.#head(buffer, end), malformed };
  }

  #head(buffer: string, end: number): string {
    // A UTF-16 unit is at least one UTF-8 byte: this many units always cover the byte budget.
    const text = buffer.slice(this.#start, Math.min(end, this.#start + MALFORMED_TEXT_BYTES));
    return truncateUtf8(text, MALFORMED_TEXT_BYTES);
  }

  /** Resumes on the line after the given-up record's first line. */
  #rewind(): number {
    const resume = this.#afterFirstBreak;
    this.#resetRecord(resume);
    return resume;
  }

  #resetRecord(start: number): void {
    this.#start = start;
    this.#quoting = false;
    this.#fieldEmpty = true;
    this.#bytes = 0;
    this.#quotedLines = 0;
    this.#firstBreak = -1;
    this.#afterFirstBreak = -1;
  }

  /** Keeps only the current record's text, so memory is bounded by the record size limit. */
  #compact(scanned: number): void {
    const drop = this.#skipping ? scanned : this.#start;
    this.#buffer = this.#buffer.slice(drop);
    this.#scanned = scanned - drop;
    this.#start -= drop;
    if (this.#firstBreak >= 0) {
      this.#firstBreak -= drop;
      this.#afterFirstBreak -= drop;
    }
  }
}
