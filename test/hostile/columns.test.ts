/**
 * Every original column reaches the reports (issue 13, item 7): fields of rows wider than the
 * header, columns a header longer than the 64 KiB sniff sample names, and wide rows far beyond
 * the sample. The layout the aggregate writes reports with is as wide as the widest row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvRows, SNIFF_SAMPLE_BYTES, sniffCsv } from '../../src/csv/index.ts';
import { inputLayout } from '../../src/pipeline/input.ts';
import { storageKeys } from '../../src/pipeline/names.ts';
import { DiskStorage } from '../../src/storage/disk-storage.ts';
import { streamOf } from '../csv/read-helpers.ts';

let dir: string;
let storage: DiskStorage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-columns-'));
  storage = new DiskStorage(dir);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function stored(name: string, text: string) {
  await storage.put(storageKeys.input(name), Buffer.from(text, 'utf8'));
  return inputLayout(storage, name);
}

async function rowsOf(text: string, layout: ReturnType<typeof sniffCsv>) {
  const rows: string[][] = [];
  for await (const row of readCsvRows(streamOf(text), layout)) {
    expect(row.extra).toEqual([]);
    rows.push(row.fields);
  }
  return rows;
}

/** Enough rows of three columns to push the sample's end far behind. */
function filler(rows: number): string {
  let text = '';
  for (let i = 0; i < rows; i += 1) text += `u${i}@acme.test,Name ${i},note ${i}\n`;
  return text;
}

describe('wide rows', () => {
  it('a row wider than the header inside the sample widens the layout (column_N)', async () => {
    const text = 'email,name\nann@acme.test,Ann,VIP,2024\nbob@acme.test,Bob\n';
    const layout = sniffCsv(Buffer.from(text));
    expect(layout.columns).toEqual(['email', 'name', 'column_3', 'column_4']);
    expect(await rowsOf(text, layout)).toEqual([
      ['ann@acme.test', 'Ann', 'VIP', '2024'],
      ['bob@acme.test', 'Bob', '', ''],
    ]);
  });

  it('a wide row far beyond the sample widens the layout the reports are written with', async () => {
    const text = `email,name,note\n${filler(3000)}zed@acme.test,Zed,n,extra 1,extra 2\n`;
    expect(text.length).toBeGreaterThan(SNIFF_SAMPLE_BYTES);
    const layout = await stored('wide-late', text);
    expect(layout.columns).toEqual(['email', 'name', 'note', 'column_4', 'column_5']);
    const rows = await rowsOf(text, layout);
    expect(rows).toHaveLength(3001);
    expect(rows.at(-1)).toEqual(['zed@acme.test', 'Zed', 'n', 'extra 1', 'extra 2']);
  });

  it('a wide row beyond the sample of a file without header gets numbered columns', async () => {
    const text = `${filler(3000)}zed@acme.test,Zed,n,extra\n`;
    const layout = await stored('wide-headerless', text);
    expect(layout.hasHeader).toBe(false);
    expect(layout.columns).toEqual(['column_1', 'column_2', 'column_3', 'column_4']);
  });

  it('empty fields past the header add no column', async () => {
    const text = 'email,name\nann@acme.test,Ann,,\n';
    expect(sniffCsv(Buffer.from(text)).columns).toEqual(['email', 'name']);
  });
});

describe('a header longer than the sniff sample', () => {
  const WIDTH = 20_000;
  const names = Array.from({ length: WIDTH }, (_, i) => (i === 0 ? 'email' : `column name ${i}`));
  const cells = (row: number) =>
    Array.from({ length: WIDTH }, (_, i) => (i === 0 ? `u${row}@acme.test` : `${row}.${i}`));
  const text = `${names.join(',')}\n${cells(1).join(',')}\n${cells(2).join(',')}\n`;

  it('names every column, the last ones too, uncut', async () => {
    expect(names.join(',').length).toBeGreaterThan(SNIFF_SAMPLE_BYTES);
    const layout = await stored('long-header', text);
    expect(layout.hasHeader).toBe(true);
    expect(layout.columns).toEqual(names);
    const rows = await rowsOf(text, layout);
    expect(rows).toEqual([cells(1), cells(2)]);
  });
});
