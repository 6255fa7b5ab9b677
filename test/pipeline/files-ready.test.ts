/**
 * Files ready to import, through the real pipeline (BullMQ, Redis, storage) against the sandbox:
 * a Windows-1252 semicolon export, a headerless tab file with LF line ends, and an .xlsx
 * workbook each come back in their own style, with the email cell trimmed, one file per status
 * and their zip; the email column is named in summary.json and the list's metadata; a column
 * with no addresses fails the list with its own code.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileInput } from '../../src/pipeline/input.ts';
import { storageKeys } from '../../src/pipeline/names.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { REPORT_FILES, STATUS_FILES } from '../../src/report/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { type PipelineHarness, startHarness, waitForList } from '../helpers/pipeline.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';

let world: SandboxWorld;
let harness: PipelineHarness;
let pool: WorkerPool;
let dir: string;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['anna', 'bjoern', 'cleo'] },
    },
  });
  harness = await startHarness(world);
  pool = await startWorkers(harness.rt);
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-ready-'));
}, 30_000);

afterAll(async () => {
  await pool?.close(2000);
  await harness?.close();
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function bytesOf(listId: string, file: string, runId?: string): Promise<Buffer> {
  const key =
    runId === undefined
      ? storageKeys.output(listId, file)
      : storageKeys.runOutput(listId, runId, file);
  const chunks: Buffer[] = [];
  for await (const chunk of await harness.rt.storage.get(key)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function textOf(listId: string, file: string): Promise<string> {
  return (await bytesOf(listId, file)).toString('utf8');
}

async function run(id: string, input: Buffer | string | Readable, column?: string) {
  await submitList(harness.rt, {
    id,
    name: `${id}.csv`,
    tenant: 'test',
    options: { includeRisky: false, column },
    input,
  });
  await waitForList(harness.rt, id, 60_000);
}

describe('a Windows-1252 export with semicolons', () => {
  const id = 'ready-cp1252';
  const text = [
    'Name;E-Mail;Notiz',
    'Anna Müller;  anna@acme.test ;Größe, XL',
    'Björn Ström;bjoern@acme.test;"zwei; Teile"',
    'Zoë;ghost@acme.test;',
    'Cléo;cleo@acme.test\t;  bleibt  ',
    'Niemand;kein Eintrag;x',
    '',
  ].join('\r\n');

  beforeAll(async () => {
    await run(id, iconv.encode(text, 'windows1252'));
  }, 70_000);

  it('writes every CSV of its rows with semicolons, CRLF and a BOM, names intact', async () => {
    for (const file of ['report.csv', 'cleaned.csv', 'bounce-risk.csv', 'deliverable.csv']) {
      const body = await textOf(id, file);
      expect(body.startsWith('\ufeffName;E-Mail;Notiz'), file).toBe(true);
      expect(body.split('\r\n').length, file).toBeGreaterThan(1);
    }
    expect(await textOf(id, 'cleaned.csv')).toBe(
      '\ufeffName;E-Mail;Notiz\r\n' +
        'Anna Müller;anna@acme.test;Größe, XL\r\n' +
        'Björn Ström;bjoern@acme.test;"zwei; Teile"\r\n' +
        'Cléo;cleo@acme.test;  bleibt  \r\n',
    );
  });

  it('splits the rows by status, and zips the four files', async () => {
    const rowsOf = async (file: string) =>
      parse(await textOf(id, file), { delimiter: ';', bom: true, columns: true }) as Array<
        Record<string, string>
      >;
    expect((await rowsOf(STATUS_FILES.deliverable)).map((r) => r.Name)).toEqual([
      'Anna Müller',
      'Björn Ström',
      'Cléo',
    ]);
    const undeliverable = await rowsOf(STATUS_FILES.undeliverable);
    expect(undeliverable.map((r) => r['E-Mail'])).toEqual(['ghost@acme.test', 'kein Eintrag']);
    expect(await rowsOf(STATUS_FILES.risky)).toEqual([]);
    expect(await rowsOf(STATUS_FILES.unknown)).toEqual([]);
    const zip = unzipSync(await bytesOf(id, 'by-status.zip'));
    expect(Buffer.from(zip[STATUS_FILES.deliverable] ?? []).toString('utf8')).toBe(
      await textOf(id, STATUS_FILES.deliverable),
    );
    // Every report is in the run's folder too.
    for (const file of REPORT_FILES)
      expect((await bytesOf(id, file, 'initial')).length).toBe((await bytesOf(id, file)).length);
  });

  it('names the email column in summary.json and the list', async () => {
    const column = { name: 'E-Mail', number: 2, detected: 'header' };
    expect(JSON.parse(await textOf(id, 'summary.json')).column).toEqual(column);
    expect((await harness.rt.lists.get(id))?.column).toEqual(column);
  });
});

describe('a headerless tab file with LF line ends', () => {
  const id = 'ready-headerless';
  beforeAll(async () => {
    await run(id, 'Anna\tanna@acme.test\t1\nGhost\tghost@acme.test\t2\nCleo\t cleo@acme.test\t3\n');
  }, 70_000);

  it('gives cleaned.csv and the status files no header row, report.csv one with column_N', async () => {
    expect(await textOf(id, 'cleaned.csv')).toBe(
      'Anna\tanna@acme.test\t1\nCleo\tcleo@acme.test\t3\n',
    );
    expect(await textOf(id, STATUS_FILES.undeliverable)).toBe('Ghost\tghost@acme.test\t2\n');
    const report = await textOf(id, 'report.csv');
    expect(report.startsWith('column_1\tcolumn_2\tcolumn_3\temail_normalized\tstatus')).toBe(true);
    expect(report).not.toContain('\r\n');
    expect(report.charCodeAt(0)).not.toBe(0xfeff);
    expect(JSON.parse(await textOf(id, 'summary.json')).column).toEqual({
      name: 'column_2',
      number: 2,
      detected: 'content',
    });
  });
});

describe('an .xlsx workbook', () => {
  const id = 'ready-xlsx';
  beforeAll(async () => {
    const file = path.join(dir, 'contacts.xlsx');
    await writeFile(
      file,
      await makeWorkbook({
        name: 'Kontakte',
        rows: [
          ['Kunde', 'Mail', 'Seit'],
          ['Zoë', ' anna@acme.test ', new Date(Date.UTC(2021, 2, 4))],
          [null, null, null],
          ['Jörg', 'ghost@acme.test', 7],
        ],
      }),
    );
    await run(id, await fileInput(file), '2');
  }, 70_000);

  it('is cleaned as the CSV of its first sheet: rows kept, comma, CRLF, BOM', async () => {
    const report = await textOf(id, 'report.csv');
    expect(report.startsWith('\ufeffKunde,Mail,Seit,email_normalized')).toBe(true);
    const rows = parse(report, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.Kunde, r.Mail, r.Seit, r.status])).toEqual([
      ['Zoë', 'anna@acme.test', '2021-03-04', 'deliverable'],
      ['', '', '', 'undeliverable'],
      ['Jörg', 'ghost@acme.test', '7', 'undeliverable'],
    ]);
    expect(await textOf(id, 'cleaned.csv')).toBe(
      '\ufeffKunde,Mail,Seit\r\nZoë,anna@acme.test,2021-03-04\r\n',
    );
    expect(JSON.parse(await textOf(id, 'summary.json')).column).toEqual({
      name: 'Mail',
      number: 2,
      detected: 'given',
    });
  });
});

describe('a column that holds no addresses', () => {
  it('fails the list with column_has_no_addresses, naming the column that does', async () => {
    const id = 'ready-notes';
    await submitList(harness.rt, {
      id,
      name: 'notes.csv',
      tenant: 'test',
      options: { includeRisky: false, column: 'Notes' },
      input: 'Name,Email,Notes\nAnna,anna@acme.test,call back\nCleo,cleo@acme.test,VIP\n',
    });
    await expect(waitForList(harness.rt, id, 30_000)).rejects.toThrow(/holds almost no email/);
    const meta = await harness.rt.lists.get(id);
    expect(meta).toMatchObject({ status: 'failed', errorCode: 'column_has_no_addresses' });
    expect(meta?.error).toContain('Columns that look like they hold addresses: 2 "Email".');
  });
});
