/**
 * Fuzzing the CSV input path (issue 13): the sniffer, the record framer and the upload counter,
 * on inputs made of the characters that break CSV readers — quotes, every line end, delimiters,
 * BOMs, NULs, multi-byte characters — in UTF-8, UTF-16 and Windows-1252, cut into chunks at any
 * byte (inside a CR LF pair, inside a character), with row limits small enough to trip.
 *
 * Oracles: the upload counter and the reader agree on the rows of every input and layout; the
 * framer frames alike however its text is split; the sniffer refuses only with a coded error;
 * and a file the sniffer saw whole loses no field (no row is wider than the layout).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { UploadCounter } from '../../src/api/upload/counter.ts';
import { type FramedRecord, RecordFramer } from '../../src/csv/framer.ts';
import {
  type CsvLayout,
  type ReadCsvOptions,
  RecordCounter,
  readCsvRows,
  SNIFF_SAMPLE_BYTES,
  sniffCsv,
} from '../../src/csv/index.ts';
import type { CsvDelimiter, CsvEncoding } from '../../src/csv/types.ts';
import { isListcleanError } from '../../src/errors.ts';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 400) };
const MANY = { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) };

/** What CSV readers trip over, and a little ordinary text between. */
const token = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('"', ',', ';', '\t', '|', '\r', '\n', '\r\n') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('a@b.test', 'email', 'Ann', 'x', ' ', '""', '\u0000', '\ufeff'),
  },
  { weight: 1, arbitrary: fc.constantFrom('é', 'Zoë', '€', '😀', '\u2028', '\u0085') },
);
const text = fc.array(token, { maxLength: 60 }).map((tokens) => tokens.join(''));

const encoding = fc.constantFrom<CsvEncoding>('utf8', 'utf16le', 'utf16be', 'windows-1252');
const delimiter = fc.constantFrom<CsvDelimiter>(',', ';', '\t', '|');

function encode(value: string, to: CsvEncoding, bom: boolean): Buffer {
  const body = iconv.encode(value, to === 'windows-1252' ? 'windows1252' : to);
  const marks: Record<CsvEncoding, number[]> = {
    utf8: [0xef, 0xbb, 0xbf],
    utf16le: [0xff, 0xfe],
    utf16be: [0xfe, 0xff],
    'windows-1252': [],
  };
  return bom ? Buffer.concat([Buffer.from(marks[to]), body]) : body;
}

const layoutOf = (
  enc: CsvEncoding,
  delim: CsvDelimiter,
  hasHeader: boolean,
  bom: boolean,
): CsvLayout => ({
  encoding: enc,
  bom,
  delimiter: delim,
  hasHeader,
  lineEnding: 'crlf',
  columns: ['a', 'b'],
  emailColumn: 0,
  emailColumnSource: 'given',
});

/** `bytes` cut at the given offsets (any byte: inside a CR LF pair, inside a character). */
function pieces(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [
    0,
    ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

async function readerRows(
  chunks: Buffer[],
  layout: CsvLayout,
  options: ReadCsvOptions = {},
): Promise<number> {
  let rows = 0;
  for await (const row of readCsvRows(
    Readable.from(chunks, { objectMode: false }),
    layout,
    options,
  )) {
    if (row.index !== rows) throw new Error(`row ${rows} came numbered ${row.index}`);
    rows += 1;
  }
  return rows;
}

/** The upload's own counter, the layout known only after the first chunk, as in an upload. */
function uploadRows(chunks: Buffer[], layout: CsvLayout): number {
  const counter = new UploadCounter({ maxBytes: 1e12, maxRows: 1e12 });
  const [first, ...rest] = chunks;
  if (first) counter.add(first);
  counter.countRowsAs(layout);
  for (const chunk of rest) counter.add(chunk);
  counter.checkRows(true);
  return counter.rows;
}

const cuts = fc.array(fc.nat(400), { maxLength: 8 });

describe('the upload counter and the reader', () => {
  it('agree on the rows of every input, encoding, layout and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        encoding,
        delimiter,
        fc.boolean(),
        fc.boolean(),
        cuts,
        cuts,
        async (value, enc, delim, hasHeader, bom, uploadCuts, readCuts) => {
          const bytes = encode(value, enc, bom);
          const layout = layoutOf(enc, delim, hasHeader, bom);
          const counted = uploadRows(pieces(bytes, uploadCuts), layout);
          expect(counted).toBe(await readerRows(pieces(bytes, readCuts), layout));
        },
      ),
      RUNS,
    );
  });

  it('agree with the layout the sniffer decides, when it takes the file', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(text, encoding, fc.boolean(), cuts, async (value, enc, bom, someCuts) => {
        const bytes = encode(value, enc, bom);
        let layout: CsvLayout;
        try {
          layout = sniffCsv(bytes);
        } catch (error) {
          if (!isListcleanError(error)) throw error;
          return;
        }
        const chunks = pieces(bytes, someCuts);
        expect(uploadRows(chunks, layout)).toBe(await readerRows([bytes], layout));
        taken += 1;
      }),
      RUNS,
    );
    expect(taken).toBeGreaterThan(RUNS.numRuns / 10);
  });

  it('agree when rows trip the row size and quoted-lines limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        delimiter,
        fc.boolean(),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        cuts,
        async (value, delim, hasHeader, maxFieldBytes, maxQuotedLines, someCuts) => {
          const bytes = encode(value, 'utf8', false);
          const layout = layoutOf('utf8', delim, hasHeader, false);
          const options = { maxFieldBytes, maxQuotedLines };
          const counter = new RecordCounter(layout, options);
          for (const chunk of pieces(bytes, someCuts)) counter.push(chunk);
          expect(counter.end()).toBe(await readerRows([bytes], layout, options));
        },
      ),
      RUNS,
    );
  });
});

describe('the record framer', () => {
  const frame = (
    parts: string[],
    delim: string,
    limits: { maxRecordBytes: number; maxQuotedLines: number },
  ) => {
    const framer = new RecordFramer(delim, limits);
    const out: FramedRecord[] = [];
    for (const part of parts) out.push(...framer.push(part));
    out.push(...framer.end());
    return out;
  };

  it('frames the same records however its text is split', () => {
    fc.assert(
      fc.property(
        text,
        delimiter,
        fc.array(fc.nat(200), { maxLength: 8 }),
        fc.integer({ min: 2, max: 64 }),
        fc.integer({ min: 0, max: 4 }),
        (value, delim, splits, maxRecordBytes, maxQuotedLines) => {
          const limits = { maxRecordBytes, maxQuotedLines };
          const points = [
            0,
            ...[...new Set(splits)].filter((s) => s < value.length).sort((a, b) => a - b),
            value.length,
          ];
          const parts = points.slice(1).map((end, i) => value.slice(points[i], end));
          expect(frame(parts, delim, limits)).toEqual(frame([value], delim, limits));
        },
      ),
      MANY,
    );
  });

  it('never frames an empty record, and cuts a malformed one to its first line', () => {
    fc.assert(
      fc.property(text, delimiter, (value, delim) => {
        for (const record of frame([value], delim, { maxRecordBytes: 24, maxQuotedLines: 2 })) {
          if (record.malformed === null) expect(record.text).not.toBe('');
          else expect(record.text).not.toMatch(/[\r\n]/);
        }
      }),
      MANY,
    );
  });
});

describe('the framer and field parser, against csv-parse on the whole text', () => {
  /** One line end per file (csv-parse takes the first it meets for all), quotes and all. */
  const cell = fc.oneof(
    fc.constantFrom('', 'a@b.test', 'x y', '""', '"q, ""uoted"""', 'é', ' ', '\u0000', 'a"b'),
    fc.stringMatching(/^[a-z@. ]{0,6}$/),
  );
  const quotedBreak = fc.constantFrom('"two\nlines"', '"\n"', '"a\r\n\r\nb"', '"cr\rin"');

  it('reads the same records when no row is malformed', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('\n', '\r\n'),
        delimiter,
        fc.array(
          fc.array(fc.oneof(cell, cell, cell, quotedBreak), { minLength: 1, maxLength: 4 }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.boolean(),
        async (end, delim, rows, finalBreak) => {
          const value = rows.map((cells) => cells.join(delim)).join(end) + (finalBreak ? end : '');
          const layout = { ...layoutOf('utf8', delim, false, false), columns: ['a'] };
          const ours: string[][] = [];
          const source = Readable.from([Buffer.from(value)], { objectMode: false });
          for await (const row of readCsvRows(source, layout)) {
            if (row.malformed !== null) return;
            ours.push([...row.fields, ...row.extra]);
          }
          const theirs = parse(value, {
            delimiter: delim,
            record_delimiter: end,
            relax_quotes: true,
            relax_column_count: true,
            skip_empty_lines: true,
          }) as string[][];
          expect(ours).toEqual(theirs);
          compared += 1;
        },
      ),
      RUNS,
    );
    expect(compared).toBeGreaterThan(RUNS.numRuns / 2);
  });
});

describe('the sniffer', () => {
  const bytes = fc.oneof(
    fc.tuple(text, encoding, fc.boolean()).map(([value, enc, bom]) => encode(value, enc, bom)),
    fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array)),
  );

  it('refuses only with a coded error, and decides alike every time', () => {
    fc.assert(
      fc.property(bytes, (input) => {
        let first: unknown;
        try {
          first = sniffCsv(input);
        } catch (error) {
          expect(isListcleanError(error), String(error)).toBe(true);
          return;
        }
        expect(sniffCsv(input)).toEqual(first);
      }),
      MANY,
    );
  });

  it('names a column for every field of a file it saw whole: no row is wider', async () => {
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(text, encoding, fc.boolean(), async (value, enc, bom) => {
        const input = encode(value, enc, bom);
        fc.pre(input.length < SNIFF_SAMPLE_BYTES);
        let layout: CsvLayout;
        try {
          layout = sniffCsv(input);
        } catch {
          return;
        }
        const source = Readable.from([input], { objectMode: false });
        for await (const row of readCsvRows(source, layout)) {
          expect(row.fields).toHaveLength(layout.columns.length);
          // Only empty fields (a trailing `,`) may stay behind the columns.
          expect(row.extra.filter((field) => field !== '')).toEqual([]);
        }
        taken += 1;
      }),
      RUNS,
    );
    expect(taken).toBeGreaterThan(RUNS.numRuns / 10);
  });
});
