/**
 * .xlsx workbooks, written by a real spreadsheet writer: the first sheet becomes a CSV the
 * sniffer and reader take like any other, rows kept; damaged, oversized and empty workbooks are
 * refused with a code.
 */
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readCsvRows, sniffCsv } from '../../src/csv/index.ts';
import {
  checkWorkbookSize,
  isWorkbook,
  MAX_WORKBOOK_BYTES,
  workbookToCsv,
} from '../../src/csv/workbook.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';
import { streamOf } from './read-helpers.ts';

const CONTACTS = [
  ['Name', 'E-mail', 'Born', 'Customer no', 'Active', 'Score'],
  ['Zoë "Z" Müller', ' zoe@example.com ', new Date(Date.UTC(1990, 4, 17)), '0049123', true, 0.1],
  [null, null, null, null, null, null],
  ['Ann; Co', 'ann@example.com', new Date(Date.UTC(2024, 0, 2, 13, 45, 10)), 4915, false, -3],
  ['Multi\nline', '=HYPERLINK("x")', null, null, null, 12345678901234],
];

async function rowsOf(csv: Buffer) {
  const layout = sniffCsv(csv.subarray(0, 64 * 1024));
  const rows = [];
  for await (const row of readCsvRows(streamOf(csv), layout)) rows.push(row.fields);
  return { layout, rows };
}

describe('workbookToCsv', () => {
  it('turns the first sheet into a CSV with a BOM, commas and CRLF, cells as the sheet shows them', async () => {
    const xlsx = await makeWorkbook({ name: 'Contacts', rows: CONTACTS });
    expect(isWorkbook(xlsx.subarray(0, 64 * 1024))).toBe(true);
    const { csv, records } = await workbookToCsv(xlsx);
    expect(records).toBe(5);
    const text = csv.toString('utf8');
    expect(text.startsWith('\ufeff"Name","E-mail","Born"')).toBe(true);
    expect(text).toContain('\r\n');
    const { layout, rows } = await rowsOf(csv);
    expect(layout).toMatchObject({
      encoding: 'utf8',
      bom: true,
      delimiter: ',',
      hasHeader: true,
      lineEnding: 'crlf',
      columns: ['Name', 'E-mail', 'Born', 'Customer no', 'Active', 'Score'],
      emailColumn: 1,
      emailColumnSource: 'header',
    });
    expect(rows).toEqual([
      ['Zoë "Z" Müller', ' zoe@example.com ', '1990-05-17', '0049123', 'TRUE', '0.1'],
      ['', '', '', '', '', ''],
      ['Ann; Co', 'ann@example.com', '2024-01-02 13:45:10', '4915', 'FALSE', '-3'],
      ['Multi\nline', '=HYPERLINK("x")', '', '', '', '12345678901234'],
    ]);
  });

  it('reads the first sheet only, and leaves out empty rows and columns before the data', async () => {
    const xlsx = await makeWorkbook(
      {
        name: 'First',
        rows: [
          [null, null, null],
          [null, null, null],
          [null, 'email', 'name'],
          [null, 'a@example.com', 'A'],
        ],
      },
      { name: 'Second', rows: [['email'], ['other@example.com']] },
    );
    const { csv, records } = await workbookToCsv(xlsx);
    expect(records).toBe(2);
    expect((await rowsOf(csv)).rows).toEqual([['a@example.com', 'A']]);
  });

  it('refuses an empty first sheet, too many rows, a damaged archive, an oversized one', async () => {
    await expect(
      workbookToCsv(await makeWorkbook({ name: 'S', rows: [[null]] })),
    ).rejects.toMatchObject({ code: 'empty_file' });
    const many = [['email'], ...Array.from({ length: 30 }, (_, i) => [`u${i}@example.com`])];
    await expect(
      workbookToCsv(await makeWorkbook({ name: 'S', rows: many }), { maxRows: 20 }),
    ).rejects.toMatchObject({ code: 'too_large', message: expect.stringContaining('20 rows') });
    await expect(
      workbookToCsv(await makeWorkbook({ name: 'S', rows: many }), { maxRows: 30 }),
    ).resolves.toMatchObject({ records: 31 });

    const xlsx = await makeWorkbook({ name: 'S', rows: CONTACTS });
    const cut = xlsx.subarray(0, Math.floor(xlsx.length / 2));
    await expect(workbookToCsv(cut)).rejects.toMatchObject({ code: 'workbook_unreadable' });

    // A sheet whose XML is not XML: the archive is fine, the workbook is not.
    const entries = unzipSync(xlsx);
    const sheet = Object.keys(entries).find((name) => name.startsWith('xl/worksheets/'));
    if (sheet === undefined) throw new Error('no worksheet in the test workbook');
    entries[sheet] = new TextEncoder().encode('<worksheet><sheetData><row r="1"><c');
    await expect(workbookToCsv(Buffer.from(zipSync(entries)))).rejects.toMatchObject({
      code: 'workbook_unreadable',
    });

    expect(() => checkWorkbookSize(MAX_WORKBOOK_BYTES + 1)).toThrow(
      expect.objectContaining({ code: 'too_large', message: expect.stringContaining('CSV UTF-8') }),
    );
    expect(() => checkWorkbookSize(MAX_WORKBOOK_BYTES)).not.toThrow();
  });

  it('refuses, before unzipping, an archive that declares more than it may unpack', async () => {
    const xlsx = Buffer.from(await makeWorkbook({ name: 'S', rows: CONTACTS }));
    // Raise the uncompressed size every central directory entry declares to 2 GiB.
    for (let at = xlsx.indexOf('PK\u0001\u0002', 0, 'latin1'); at >= 0; ) {
      xlsx.writeUInt32LE(0x7fffffff, at + 24);
      at = xlsx.indexOf('PK\u0001\u0002', at + 4, 'latin1');
    }
    await expect(workbookToCsv(xlsx)).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringContaining('unpacks to'),
    });
  });

  it('tells a workbook from a CSV and from other archives', async () => {
    expect(isWorkbook(Buffer.from('email\na@example.com\n'))).toBe(false);
    expect(isWorkbook(Buffer.from(zipSync({ 'notes.txt': new Uint8Array([1, 2]) })))).toBe(false);
  });
});
