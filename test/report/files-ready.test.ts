/**
 * Files ready to import (DESIGN §4): the CSVs of the input's rows keep its delimiter, line ends
 * and header style, carry a BOM when the input had one or was not UTF-8, quote only where needed,
 * and trim the email cell and nothing else; one file per status, and their zip.
 */
import { readFile, rm } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { CsvLayout } from '../../src/csv/index.ts';
import {
  type CsvFormat,
  csvFormatFor,
  neutraliseCell,
  type ReportInputRow,
  STATUS_FILES,
  STATUS_ZIP,
} from '../../src/report/index.ts';
import { STATUSES } from '../../src/verdict/types.ts';
import { type BuiltReport, buildReport, COLUMNS, fixtureRows, makeRow } from './fixtures.ts';

const layout = (partial: Partial<CsvLayout>): CsvLayout => ({
  encoding: 'utf8',
  bom: false,
  delimiter: ',',
  hasHeader: true,
  lineEnding: 'crlf',
  columns: ['email'],
  emailColumn: 0,
  emailColumnSource: 'header',
  ...partial,
});

const SEMICOLON_BOM_LF: CsvFormat = { delimiter: ';', bom: true, header: true, lineEnding: 'lf' };

async function withReport(
  rows: ReportInputRow[],
  format: CsvFormat,
  check: (report: BuiltReport) => Promise<void> | void,
): Promise<void> {
  const report = await buildReport(rows, {
    format,
    emailColumn: 0,
    column: { name: 'email', number: 1, detected: 'header' },
  });
  try {
    await check(report);
  } finally {
    await report.builder.dispose();
    await rm(report.dir, { recursive: true, force: true });
  }
}

function read(text: string, format: CsvFormat): string[][] {
  return parse(text, { delimiter: format.delimiter, bom: true, relax_column_count: true });
}

describe('the input style a report keeps', () => {
  it('puts a BOM where the input had one or was not UTF-8, never on plain UTF-8', () => {
    expect(csvFormatFor(layout({}))).toEqual({
      delimiter: ',',
      bom: false,
      header: true,
      lineEnding: 'crlf',
    });
    expect(csvFormatFor(layout({ bom: true })).bom).toBe(true);
    expect(csvFormatFor(layout({ encoding: 'utf16le' })).bom).toBe(true);
    expect(csvFormatFor(layout({ encoding: 'utf16be', bom: true })).bom).toBe(true);
    expect(csvFormatFor(layout({ encoding: 'windows-1252' })).bom).toBe(true);
    expect(
      csvFormatFor(layout({ delimiter: '\t', hasHeader: false, lineEnding: 'lf' })),
    ).toMatchObject({ delimiter: '\t', header: false, lineEnding: 'lf' });
  });
});

describe('CSVs in the input style', () => {
  const rows = [
    makeRow({
      email: '  ann@example.com\t',
      normalized: 'ann@example.com',
      reason: 'accepted',
      name: ' Ann, the first ',
      note: 'a;b',
    }),
    makeRow({ email: 'bob@example.com', normalized: 'bob@example.com', reason: 'catch_all' }),
    makeRow({ email: ' x@nx.test', normalized: 'x@nx.test', reason: 'no_domain', note: '  ' }),
    makeRow({ email: 'y@grey.test ', normalized: 'y@grey.test', reason: 'greylisted' }),
  ];

  it('keeps the delimiter, the line ends and the BOM; quotes only where needed', async () => {
    await withReport(rows, SEMICOLON_BOM_LF, ({ text }) => {
      for (const file of ['report.csv', 'cleaned.csv', 'bounce-risk.csv', 'deliverable.csv']) {
        const body = text[file as keyof typeof text];
        expect(body.startsWith('\ufeff'), file).toBe(true);
        expect(body, file).not.toContain('\r\n');
        expect(body.endsWith('\n'), file).toBe(true);
      }
      expect(text['cleaned.csv']).toBe(
        `\ufeff${COLUMNS.join(';')}\nann@example.com; Ann, the first ;;;;;"a;b"\n`,
      );
      expect(text['report.csv'].split('\n')[0]).toBe(
        `\ufeff${COLUMNS.join(';')};email_normalized;status;reason;risk_score;role;free;disposable;catch_all;suggestion;mx_host;smtp_code;smtp_enhanced_code;checked_at;rule;mx_provider;spf;dmarc;egress;trace`,
      );
    });
  });

  it('trims the email cell of spaces and tabs in every CSV, and no other cell', async () => {
    await withReport(rows, SEMICOLON_BOM_LF, ({ text }) => {
      const emails = (file: keyof typeof text) =>
        read(text[file], SEMICOLON_BOM_LF)
          .slice(1)
          .map((row) => row[0]);
      expect(emails('report.csv')).toEqual([
        'ann@example.com',
        'bob@example.com',
        'x@nx.test',
        'y@grey.test',
      ]);
      expect(emails('cleaned.csv')).toEqual(['ann@example.com']);
      expect(emails('risky.csv')).toEqual(['bob@example.com']);
      expect(emails('undeliverable.csv')).toEqual(['x@nx.test']);
      expect(emails('unknown.csv')).toEqual(['y@grey.test']);
      expect(new Set(emails('bounce-risk.csv'))).toEqual(
        new Set(['bob@example.com', 'x@nx.test', 'y@grey.test']),
      );
      const report = read(text['report.csv'], SEMICOLON_BOM_LF);
      expect(report[1]?.[1]).toBe(' Ann, the first ');
      expect(report[3]?.[6]).toBe('  ');
      // The verdict keeps what the file said: the report's `email` cell is trimmed, not lost.
      expect(report[1]?.[COLUMNS.length]).toBe('ann@example.com');
    });
  });

  it('writes headerless files of the input rows for a headerless input, report.csv with column_N', async () => {
    const format: CsvFormat = { delimiter: '\t', bom: false, header: false, lineEnding: 'crlf' };
    const columns = COLUMNS.map((_, index) => `column_${index + 1}`);
    const report = await buildReport(rows, { format, emailColumn: 0, columns });
    try {
      expect(report.text['cleaned.csv']).toBe('ann@example.com\t Ann, the first \t\t\t\t\ta;b\r\n');
      expect(report.text['unknown.csv']).toBe('y@grey.test\t\t\t\t\t\t\r\n');
      expect(report.text['report.csv'].split('\r\n')[0]?.split('\t').slice(0, 3)).toEqual([
        'column_1',
        'column_2',
        'column_3',
      ]);
      expect(report.text['bounce-risk.csv'].startsWith('column_1\tcolumn_2')).toBe(true);
    } finally {
      await report.builder.dispose();
      await rm(report.dir, { recursive: true, force: true });
    }
  });

  it('names the email column in summary.json and report.html', async () => {
    await withReport(rows, SEMICOLON_BOM_LF, ({ summary, text }) => {
      expect(summary.column).toEqual({ name: 'email', number: 1, detected: 'header' });
      expect(JSON.parse(text['summary.json']).column).toEqual(summary.column);
      expect(text['report.html']).toContain('addresses from column 1 "email"');
    });
    const plain = await buildReport(rows);
    try {
      expect(plain.summary.column).toBeNull();
    } finally {
      await plain.builder.dispose();
      await rm(plain.dir, { recursive: true, force: true });
    }
  });
});

describe('one file per status, and their zip', () => {
  it('holds every row once across the four files, duplicates included, in input order', async () => {
    const all = fixtureRows();
    await withReport(all, SEMICOLON_BOM_LF, async ({ text, summary, files }) => {
      let total = 0;
      for (const status of STATUSES) {
        const body = read(text[STATUS_FILES[status]], SEMICOLON_BOM_LF);
        expect(body[0]).toEqual(COLUMNS);
        const expected = all
          .filter((row) => row.result.status === status)
          .map((row) => row.fields.map((cell, i) => neutraliseCell(i === 0 ? cell.trim() : cell)));
        expect(body.slice(1), status).toEqual(expected);
        expect(body.length - 1).toBe(summary.by_status[status]);
        total += body.length - 1;
      }
      expect(total).toBe(all.length);

      const zip = unzipSync(await readFile(files[STATUS_ZIP]));
      expect(Object.keys(zip).sort()).toEqual(Object.values(STATUS_FILES).sort());
      for (const name of Object.values(STATUS_FILES)) {
        expect(Buffer.from(zip[name] ?? []).toString('utf8'), name).toBe(
          text[name as keyof typeof text],
        );
      }
    });
  });
});

describe('every style reads back as written (property)', () => {
  const cell = fc.string({
    maxLength: 12,
    unit: fc.constantFrom('a', 'Z', ' ', ',', ';', '|', '\t', '"', '\n', 'é', '\r', '='),
  });
  it('status files parse back to the rows, email trimmed, cells neutralised', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<CsvFormat['delimiter']>(',', ';', '\t', '|'),
        fc.boolean(),
        fc.constantFrom<CsvFormat['lineEnding']>('crlf', 'lf'),
        fc.array(fc.tuple(fc.constantFrom(' ', '', '\t'), cell, cell), {
          minLength: 1,
          maxLength: 8,
        }),
        async (delimiter, bom, lineEnding, cells) => {
          const format: CsvFormat = { delimiter, bom, header: true, lineEnding };
          const rows = cells.map(([pad, name, note], i) =>
            makeRow({
              email: `${pad}u${i}@example.com${pad}`,
              normalized: `u${i}@example.com`,
              reason: 'accepted',
              name,
              note,
            }),
          );
          await withReport(rows, format, ({ text }) => {
            const back = read(text['deliverable.csv'], format).slice(1);
            expect(back).toEqual(
              rows.map((row, i) =>
                row.fields.map((value, column) =>
                  neutraliseCell(column === 0 ? `u${i}@example.com` : value),
                ),
              ),
            );
            expect(text['deliverable.csv'].startsWith('\ufeff')).toBe(bom);
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
