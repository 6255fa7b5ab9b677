/**
 * Files ready to import, over the API: .xlsx uploads (raw body and multipart), the email column
 * in GET /v1/lists/:id, the per-status downloads and their zip, and Content-Disposition names
 * that keep every file's extension.
 */
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_MEDIA_TYPE } from '../../src/csv/workbook.ts';
import { STATUS_FILES } from '../../src/report/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';
import { ACME_KEY, type ApiUnderTest, startApi, waitForStatus } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;
let rawList: string;
let formList: string;

const SHEET = [
  ['Name', 'E-mail', 'Kunde seit'],
  ['Zoë Müller', ' alice@acme.test', new Date(Date.UTC(2020, 0, 31))],
  ['Bob', 'bob@acme.test', null],
  ['Nobody', 'nobody@acme.test', null],
  ['Broken', 'not an address', null],
];

beforeAll(async () => {
  world = await startWorld({
    domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['alice', 'bob'] } },
  });
  api = await startApi(world);
  pool = await startWorkers(api.harness.rt);
  const xlsx = await makeWorkbook({ name: 'Kontakte', rows: SHEET });

  const raw = await api.call('/v1/lists?name=Kontakte%20M%C3%A4rz.xlsx', {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': XLSX_MEDIA_TYPE },
    body: xlsx,
  });
  expect(raw.status).toBe(202);
  rawList = ((await raw.json()) as { id: string }).id;

  const form = new FormData();
  form.append('file', new Blob([xlsx]), 'contacts.xlsx');
  const multipart = await api.call('/v1/lists?column=2', {
    key: ACME_KEY,
    method: 'POST',
    body: form,
  });
  expect(multipart.status).toBe(202);
  formList = ((await multipart.json()) as { id: string }).id;

  await waitForStatus(api, rawList, ACME_KEY, 'done');
  await waitForStatus(api, formList, ACME_KEY, 'done');
}, 60_000);

afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

const download = (id: string, kind: string) =>
  api.call(`/v1/lists/${id}/reports/${kind}`, { key: ACME_KEY });

describe('an .xlsx upload', () => {
  it('is cleaned as its first sheet, and the list names the email column', async () => {
    const list = (await (await api.call(`/v1/lists/${rawList}`, { key: ACME_KEY })).json()) as {
      column: unknown;
      summary: { rows: number; column: unknown };
    };
    expect(list.column).toEqual({ name: 'E-mail', number: 2, detected: 'header' });
    expect(list.summary).toMatchObject({ rows: 4, column: list.column });
    const form = (await (await api.call(`/v1/lists/${formList}`, { key: ACME_KEY })).json()) as {
      name: string;
      column: unknown;
    };
    expect(form).toMatchObject({
      name: 'contacts.xlsx',
      column: { name: 'E-mail', number: 2, detected: 'given' },
    });
  });

  it('gives CSVs with a BOM and commas, for Excel', async () => {
    const cleaned = await download(rawList, 'cleaned');
    expect(cleaned.headers.get('content-disposition')).toContain(
      "filename*=UTF-8''Kontakte%20M%C3%A4rz-cleaned.csv",
    );
    const bytes = Buffer.from(await cleaned.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.toString('utf8')).toBe(
      '\ufeffName,E-mail,Kunde seit\r\nZoë Müller,alice@acme.test,2020-01-31\r\nBob,bob@acme.test,\r\n',
    );
  });
});

describe('downloads per status, and their zip', () => {
  it('serves each status as a CSV of the input columns, named with its extension', async () => {
    const expected: Record<string, string[]> = {
      deliverable: ['Zoë Müller', 'Bob'],
      undeliverable: ['Nobody', 'Broken'],
      risky: [],
      unknown: [],
    };
    for (const [status, names] of Object.entries(expected)) {
      const response = await download(rawList, status);
      expect(response.status, status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="Kontakte M_rz-${status}.csv"; filename*=UTF-8''Kontakte%20M%C3%A4rz-${status}.csv`,
      );
      const rows = parse(await response.text(), { bom: true, columns: true }) as Array<
        Record<string, string>
      >;
      expect(
        rows.map((row) => row.Name),
        status,
      ).toEqual(names);
      expect(Object.keys(rows[0] ?? { Name: 1, 'E-mail': 1, 'Kunde seit': 1 })).toEqual([
        'Name',
        'E-mail',
        'Kunde seit',
      ]);
    }
  });

  it('serves the zip of the four, for the list and for its run', async () => {
    for (const route of [
      `/v1/lists/${rawList}/reports/zip`,
      `/v1/lists/${rawList}/runs/initial/reports/zip`,
    ]) {
      const response = await api.call(route, { key: ACME_KEY });
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/zip');
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename="Kontakte M_rz(-initial)?-by-status\.zip"/,
      );
      const zip = unzipSync(new Uint8Array(await response.arrayBuffer()));
      expect(Object.keys(zip).sort()).toEqual(Object.values(STATUS_FILES).sort());
      // Byte for byte (Response.text() would drop the BOM).
      expect(Buffer.from(zip['deliverable.csv'] ?? [])).toEqual(
        Buffer.from(await (await download(rawList, 'deliverable')).arrayBuffer()),
      );
    }
  });

  it('names summary.json and report.html with their extensions, inline', async () => {
    const summary = await download(rawList, 'summary');
    expect(summary.headers.get('content-disposition')).toMatch(
      /^inline; filename="Kontakte M_rz-summary\.json"/,
    );
    const html = await download(rawList, 'html');
    expect(html.headers.get('content-disposition')).toMatch(
      /^inline; filename="Kontakte M_rz-report\.html"/,
    );
  });
});
