import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvDelimiter, sniffCsv } from '../../src/csv/index.ts';
import { ListcleanError } from '../../src/errors.ts';
import { layoutOf, readAll } from './read-helpers.ts';

const DELIMITERS: CsvDelimiter[] = [',', ';', '\t', '|'];

/**
 * Cells made of what breaks CSV readers: every delimiter, quotes, CR and LF, spaces, `@`,
 * non-ASCII and astral characters. Left out: U+FEFF (a leading one is a BOM by definition).
 */
const cell = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', 'x@y.z', ' ', 'é', '😀', '=1+2') },
      { weight: 3, arbitrary: fc.constantFrom(',', ';', '\t', '|', '"', '\r', '\n', '\r\n', "'") },
      { weight: 1, arbitrary: fc.string({ maxLength: 4 }).filter((s) => !s.includes('\ufeff')) },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** A table of 1–5 columns; a one-column row must not be empty, or it would be a blank line. */
const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
  fc.array(
    fc
      .array(cell, { minLength: width, maxLength: width })
      .filter((row) => width > 1 || row[0] !== ''),
    { minLength: 0, maxLength: 25 },
  ),
);

describe('readCsvRows: properties', () => {
  it('reads back exactly the rows csv-stringify wrote, under every delimiter', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom(...DELIMITERS),
        fc.constantFrom('unix', 'windows'),
        fc.integer({ min: 1, max: 40 }),
        async (rows, delimiter, lineEnds, chunkSize) => {
          const width = rows[0]?.length ?? 1;
          // Without quote_record_delimiter, csv-stringify leaves a lone CR (or LF, under windows
          // line ends) unquoted once record_delimiter is set: a file no reader could read back.
          const text = stringify(rows, {
            delimiter,
            record_delimiter: lineEnds,
            quote_record_delimiter: true,
          });
          const layout = layoutOf({
            delimiter,
            hasHeader: false,
            columns: Array.from({ length: width }, (_, i) => `column_${i + 1}`),
            emailColumn: 0,
          });
          const read = await readAll(text, layout, { chunkSize });
          expect(read.map((row) => row.malformed)).toEqual(rows.map(() => null));
          expect(read.map((row) => row.fields)).toEqual(rows);
          expect(read.map((row) => row.index)).toEqual(rows.map((_, index) => index));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('sniffs the layout of a written table with a header and reads all its rows', async () => {
    const plain = fc
      .array(fc.constantFrom('a', 'b', 'Z', ' ', '-', 'é', '"'), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.join(''))
      .filter((value) => value.trim() !== '');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(plain, plain), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...DELIMITERS),
        async (people, delimiter) => {
          const rows = people.map(([name, city], i) => [name, `user${i}@example.com`, city]);
          const text = stringify([['Name', 'Email', 'City'], ...rows], { delimiter });
          const layout = sniffCsv(Buffer.from(text));
          expect(layout).toMatchObject({ delimiter, hasHeader: true, emailColumn: 1 });
          const read = await readAll(text, layout);
          expect(read.map((row) => row.fields)).toEqual(rows);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on bytes the sniffer accepted, and reads them alike in any chunks', async () => {
    const piece = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(...[...Buffer.from('ab@.,;\t|" \r\n')].map((b) => [b])),
      },
      { weight: 2, arbitrary: fc.constant([...Buffer.from('x@y.io')]) },
      { weight: 2, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }) },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 120 }).map((pieces) => pieces.flat()),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 8, max: 200 }),
        async (bytes, chunkSize, maxFieldBytes) => {
          const data = Buffer.from(bytes);
          let layout: ReturnType<typeof sniffCsv>;
          try {
            layout = sniffCsv(data);
          } catch (error) {
            expect(error).toBeInstanceOf(ListcleanError);
            return;
          }
          accepted += 1;
          const whole = await readAll(data, layout, { maxFieldBytes });
          const chunked = await readAll(data, layout, { maxFieldBytes, chunkSize });
          expect(chunked).toEqual(whole);
          whole.forEach((row, index) => {
            expect(row.index).toBe(index);
            expect(row.fields).toHaveLength(layout.columns.length);
            if (row.malformed !== null) expect(row.email).toBeNull();
          });
        },
      ),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
