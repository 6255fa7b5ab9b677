/**
 * The hostile-input corpus (issue 13): small files committed in test/fixtures/hostile/, big and
 * binary ones made here at test time. Each case says what a user must get: a clear refusal
 * (status and error code) or a complete report (every row, every original column).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { zipSync } from 'fflate';
import { expect } from 'vitest';
import { XLSX_MEDIA_TYPE } from '../../src/csv/workbook.ts';
import { VERDICT_COLUMNS } from '../../src/report/columns.ts';
import { neutraliseCell } from '../../src/report/index.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';

export const FIXTURES = path.resolve('test/fixtures/hostile');

/** The mailboxes the sandbox world has at acme.test. */
export const MAILBOXES = ['ann', 'bob', 'carol', 'dan', 'erin', 'zed'];

export type Outcome =
  | { refused: number; code: string }
  | {
      rows: number;
      columns: readonly string[];
      /** Further checks on report.csv's records (header first). */
      check?: (records: string[][], input: Buffer) => void;
    };

export interface HostileCase {
  name: string;
  /** The body, or a file to stream it from (the big ones). */
  body: () => Promise<Buffer | { file: string }>;
  /** Content-Type of the upload (text/csv when not given). */
  contentType?: string;
  outcome: Outcome;
  /** The most the server's peak RSS may grow (MiB) while it takes and cleans this case alone. */
  peakMiB?: number;
}

/** report.csv is complete: every row, every original column, then the verdict columns. */
export function expectReport(
  report: Buffer,
  hostile: HostileCase,
  input: Buffer | { file: string },
): void {
  const { outcome } = hostile;
  if ('refused' in outcome) throw new Error(`${hostile.name} should have been refused`);
  const firstLine = report.subarray(0, report.indexOf(10)).toString('utf8');
  const delimiter = firstLine.includes(',') ? ',' : ';';
  // Strict: every record as wide as the header.
  const records = parse(report, { bom: true, delimiter }) as string[][];
  const [header = []] = records;
  expect(header).toEqual([...outcome.columns, ...VERDICT_COLUMNS]);
  expect(records.length - 1).toBe(outcome.rows);
  outcome.check?.(records, Buffer.isBuffer(input) ? input : Buffer.alloc(0));
}

const fixture = (name: string) => () => readFile(path.join(FIXTURES, name));

const NAMES = ['email', 'name'];
const PEOPLE = ['Zoë Ann', 'Bob Müller', 'Carol'];

/** The same three people, whatever the encoding or line ends. */
function people(name: string, names = PEOPLE): HostileCase {
  return {
    name,
    body: fixture(name),
    outcome: {
      rows: 3,
      columns: NAMES,
      check: (records) => expectColumn(records, 1, names),
    },
  };
}

function expectColumn(records: string[][], column: number, want: string[]): void {
  const got = records.slice(1).map((record) => record[column]);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`column ${column + 1} is ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** Which rows were reported as malformed CSV (`invalid_syntax`, rule `malformed-row`). */
function expectMalformed(records: string[][], want: boolean[]): void {
  const rule = records[0]?.indexOf('rule') ?? -1;
  const got = records.slice(1).map((record) => record[rule] === 'malformed-row');
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`malformed rows ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** `rows` rows at one address (one probe), `width` bytes each: a file longer than the sample. */
function filler(rows: number, width = 100): string {
  const note = 'n'.repeat(width);
  return `ann@acme.test,Ann,${note}\n`.repeat(rows);
}

/** A file of one line: an address, then `bytes` of junk. Written, never held. */
async function singleLine(file: string, bytes: number): Promise<{ file: string }> {
  const out = createWriteStream(file);
  out.write('bob@acme.test,');
  const block = Buffer.alloc(1024 * 1024, 'x');
  for (let written = 0; written < bytes; written += block.length) {
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { file };
}

const WIDE = 100_000;
const wideHeader = Array.from({ length: WIDE }, (_, i) => (i === 0 ? 'email' : `c${i}`));

export function hostileCases(tmp: string): HostileCase[] {
  return [
    {
      name: 'empty.csv',
      body: fixture('empty.csv'),
      outcome: { refused: 400, code: 'empty_file' },
    },
    {
      name: 'header-only.csv',
      body: fixture('header-only.csv'),
      outcome: { refused: 400, code: 'no_rows' },
    },
    {
      // Refused once the whole body is counted: the header alone is longer than the sample.
      name: 'a header longer than the sniff sample, and no rows',
      body: async () => Buffer.from(`${wideHeader.slice(0, 20_000).join(',')}\r\n`),
      outcome: { refused: 400, code: 'no_rows' },
    },
    {
      name: 'xlsx with a header only',
      body: async () => makeWorkbook({ name: 'Contacts', rows: [NAMES] }),
      contentType: XLSX_MEDIA_TYPE,
      outcome: { refused: 400, code: 'no_rows' },
    },
    {
      name: 'one-column-no-header.csv',
      body: fixture('one-column-no-header.csv'),
      outcome: {
        rows: 3,
        columns: ['column_1'],
        check: (records) =>
          expectColumn(records, 0, ['ann@acme.test', 'bob@acme.test', 'carol@acme.test']),
      },
    },
    people('bom.csv'),
    people('utf16le-bom.csv'),
    people('utf16le.csv'),
    people('utf16be-bom.csv'),
    people('utf16be.csv'),
    people('latin1.csv', ['Zoë Ann', 'Bob Müller', 'Carol Façade']),
    people('cr.csv', ['Ann', 'Bob', 'Carol']),
    people('lf.csv', ['Ann', 'Bob', 'Carol']),
    people('crlf.csv', ['Ann', 'Bob', 'Carol']),
    {
      name: 'mixed.csv',
      body: fixture('mixed.csv'),
      outcome: {
        rows: 4,
        columns: NAMES,
        check: (records) => expectColumn(records, 1, ['Ann', 'Bob', 'Carol', 'Dan']),
      },
    },
    {
      name: 'quoted-newlines.csv',
      body: fixture('quoted-newlines.csv'),
      outcome: {
        rows: 3,
        columns: ['email', 'name', 'address'],
        check: (records) =>
          expectColumn(records, 2, [
            '1 Main St\nSpringfield',
            'PO Box 1\r2nd floor',
            'a "quoted" word, and a comma',
          ]),
      },
    },
    {
      // Two stray quotes: each costs its own row (reported malformed), never the rows after it.
      name: 'unbalanced-quotes.csv',
      body: fixture('unbalanced-quotes.csv'),
      outcome: {
        rows: 4,
        columns: ['email', 'name', 'note'],
        check: (records) => {
          expectMalformed(records, [true, false, true, false]);
        },
      },
    },
    {
      name: 'nul-bytes.csv',
      body: fixture('nul-bytes.csv'),
      outcome: { refused: 400, code: 'not_csv' },
    },
    {
      // Past the sample, a NUL is just a character of a field.
      name: 'NUL bytes beyond the sniff sample',
      body: async () =>
        Buffer.from(`email,name,note\n${filler(700)}bob@acme.test,B\u0000b,x\u0000\n`),
      outcome: { rows: 701, columns: ['email', 'name', 'note'] },
    },
    {
      // Every cell a spreadsheet would read as a formula gets its quote (src/report/neutralise.ts);
      // nothing else of a cell changes, a leading space or line break included.
      name: 'formulas.csv',
      body: fixture('formulas.csv'),
      outcome: {
        rows: 6,
        columns: ['email', 'name', 'note'],
        check: (records, input) => {
          const cells = (parse(input) as string[][]).slice(1).map((row) => row.map(neutraliseCell));
          const got = records.slice(1).map((record) => record.slice(0, 3));
          if (JSON.stringify(got) !== JSON.stringify(cells)) {
            throw new Error(`cells ${JSON.stringify(got)}, want ${JSON.stringify(cells)}`);
          }
          if (!got.flat().some((cell) => cell.startsWith("'="))) throw new Error('no formula seen');
        },
      },
    },
    {
      name: 'gzip body',
      body: async () => gzipSync(await readFile(path.join(FIXTURES, 'lf.csv'))),
      contentType: 'application/csv',
      outcome: { refused: 400, code: 'not_csv' },
    },
    {
      name: 'zip body',
      body: async () =>
        Buffer.from(zipSync({ 'lf.csv': await readFile(path.join(FIXTURES, 'lf.csv')) })),
      outcome: { refused: 400, code: 'not_csv' },
    },
    {
      name: 'xlsx',
      body: async () =>
        makeWorkbook({
          name: 'Contacts',
          rows: [
            NAMES,
            ['ann@acme.test', 'Zoë Ann'],
            ['bob@acme.test', 'Bob Müller'],
            ['carol@acme.test', 'Carol'],
          ],
        }),
      contentType: XLSX_MEDIA_TYPE,
      outcome: { rows: 3, columns: NAMES, check: (records) => expectColumn(records, 1, PEOPLE) },
    },
    {
      // Issue 13: fields of a row wider than the header, far past the sample, reach the reports.
      name: 'a wide row beyond the sniff sample',
      body: async () =>
        Buffer.from(`email,name,note\n${filler(700)}zed@acme.test,Zed,z,extra 1,extra 2\n`),
      outcome: {
        rows: 701,
        columns: ['email', 'name', 'note', 'column_4', 'column_5'],
        check: (records) => {
          const last = records.at(-1) ?? [];
          if (last[3] !== 'extra 1' || last[4] !== 'extra 2') throw new Error(`lost: ${last}`);
        },
      },
    },
    {
      name: '100k columns',
      // Rows of 100,000 fields are parsed and written whole, to four report files at once:
      // csv-stringify's garbage per cell is what costs (measured: +90 MiB serving, +172 MiB for
      // `clean`, which verifies and writes the reports in the same process), not the file.
      peakMiB: 256,
      body: async () => {
        const row = (email: string) =>
          Array.from({ length: WIDE }, (_, i) => (i === 0 ? email : String(i % 10))).join(',');
        return Buffer.from(
          `${wideHeader.join(',')}\n${row('ann@acme.test')}\n${row('bob@acme.test')}\n`,
        );
      },
      outcome: {
        rows: 2,
        columns: wideHeader,
        check: (records) => {
          const last = records.at(-1) ?? [];
          if (last[WIDE - 1] !== String((WIDE - 1) % 10))
            throw new Error('the last column is lost');
        },
      },
    },
    {
      // A row over the 1 MiB row limit is reported malformed; the rows around it are whole.
      name: 'a 10 MB field',
      // Never read whole: the row is cut loose at 1 MiB.
      peakMiB: 64,
      body: async () =>
        Buffer.from(
          `email,name,note\nann@acme.test,Ann,a\nbob@acme.test,Bob,"${'y'.repeat(10 * 1024 * 1024)}"\ncarol@acme.test,Carol,c\n`,
        ),
      outcome: {
        rows: 3,
        columns: ['email', 'name', 'note'],
        check: (records) => {
          expectMalformed(records, [false, true, false]);
          expectColumn(records, 2, ['a', '', 'c']);
        },
      },
    },
    {
      name: 'a single 200 MB line',
      // Skipped through past 1 MiB: held, it alone would be 200 MiB.
      peakMiB: 64,
      body: () => singleLine(path.join(tmp, 'line.csv'), 200 * 1024 * 1024),
      outcome: {
        rows: 1,
        columns: ['column_1', 'column_2'],
        check: (records) => {
          expectMalformed(records, [true]);
        },
      },
    },
  ];
}
