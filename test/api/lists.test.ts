/**
 * A list through the API over a real socket: upload (text/csv body and multipart), 409 while it
 * is not done, status and progress, the five downloads, tenants kept apart, and DELETE.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import {
  ACME_KEY,
  type ApiUnderTest,
  filesUnder,
  GLOBEX_KEY,
  listKeysIn,
  startApi,
  waitForStatus,
} from './helpers.ts';

const CSV = [
  'email,name',
  'alice@acme.test,Alice',
  'bob@acme.test,Bob',
  'nobody@acme.test,Nobody',
  'Alice@acme.test,Alice again',
  'not an address,Broken',
  'carol@globex.test,Carol',
  '=cmd@globex.test,Formula',
  '',
].join('\n');
const INPUT_ROWS = 7;

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool | undefined;
let csvList: string;
let formList: string;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['alice', 'bob'] },
      'globex.test': { mx: [{ host: 'mx.globex.test' }], mailboxes: ['carol'] },
    },
  });
  api = await startApi(world);
});

afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

describe('uploading', () => {
  it('takes a text/csv body: 202, queued, Location', async () => {
    const response = await api.call('/v1/lists?name=Kunden%20M%C3%A4rz.csv', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: CSV,
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string };
    expect(body.status).toBe('queued');
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('location')).toBe(`/v1/lists/${body.id}`);
    csvList = body.id;
  });

  it('takes a multipart form with the file in "file", named after the file', async () => {
    const form = new FormData();
    form.append('file', new Blob([CSV], { type: 'text/csv' }), 'contacts.csv');
    const response = await api.call('/v1/lists?include_risky=true', {
      key: GLOBEX_KEY,
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(202);
    formList = ((await response.json()) as { id: string }).id;
    const list = await api.call(`/v1/lists/${formList}`, { key: GLOBEX_KEY });
    expect(await list.json()).toMatchObject({ name: 'contacts.csv', status: 'queued' });
  });

  it('answers 409 not_ready for reports before the list is done', async () => {
    const response = await api.call(`/v1/lists/${csvList}/reports/cleaned`, { key: ACME_KEY });
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toContain('queued');
  });

  it("lists only the caller's lists, newest first", async () => {
    const second = await api.call('/v1/lists?name=second.csv', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'application/csv' },
      body: 'email\nbob@acme.test\n',
    });
    const secondId = ((await second.json()) as { id: string }).id;
    const response = await api.call('/v1/lists', { key: ACME_KEY });
    expect(response.status).toBe(200);
    const { lists } = (await response.json()) as { lists: Array<Record<string, string>> };
    expect(lists.map((l) => l.id)).toEqual([secondId, csvList]);
    expect(lists[1]).toMatchObject({ name: 'Kunden März.csv', status: 'queued' });
    expect(lists[1]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('once the workers have run', () => {
  beforeAll(async () => {
    pool = await startWorkers(api.harness.rt);
    await waitForStatus(api, csvList, ACME_KEY, 'done');
    await waitForStatus(api, formList, GLOBEX_KEY, 'done');
  }, 60_000);

  it('shows status, progress and summary', async () => {
    const response = await api.call(`/v1/lists/${csvList}`, { key: ACME_KEY });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: csvList,
      name: 'Kunden März.csv',
      status: 'done',
      progress: { rows: INPUT_ROWS, unique: 5, verified: 5, pending: 0, greylisted: 0 },
      error: null,
    });
    expect(body.summary).toMatchObject({ rows: INPUT_ROWS });
    expect(Date.parse(body.updated_at as string)).toBeGreaterThanOrEqual(
      Date.parse(body.created_at as string),
    );
  });

  it('serves the three CSVs as attachments named after the list', async () => {
    const report = await api.call(`/v1/lists/${csvList}/reports/report`, { key: ACME_KEY });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(report.headers.get('content-disposition')).toBe(
      `attachment; filename="Kunden M_rz-report.csv"; filename*=UTF-8''Kunden%20M%C3%A4rz-report.csv`,
    );
    const rows = parse(await report.text(), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(rows).toHaveLength(INPUT_ROWS);
    expect(rows.map((r) => r.status)).toEqual([
      'deliverable',
      'deliverable',
      'undeliverable',
      'deliverable',
      'undeliverable',
      'deliverable',
      'undeliverable',
    ]);

    const cleaned = await api.call(`/v1/lists/${csvList}/reports/cleaned`, { key: ACME_KEY });
    expect(cleaned.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(cleaned.headers.get('content-disposition')).toContain('Kunden%20M%C3%A4rz-cleaned.csv');
    const cleanedRows = parse(await cleaned.text(), { columns: true, bom: true }) as unknown[];
    expect(cleanedRows).toHaveLength(3);

    const risk = await api.call(`/v1/lists/${csvList}/reports/bounce-risk`, { key: ACME_KEY });
    expect(risk.headers.get('content-disposition')).toMatch(/^attachment; .*-bounce-risk\.csv$/);
    expect(parse(await risk.text(), { columns: true, bom: true })).toHaveLength(3);
  });

  it('serves summary.json and the HTML page inline', async () => {
    const summary = await api.call(`/v1/lists/${csvList}/reports/summary`, { key: ACME_KEY });
    expect(summary.status).toBe(200);
    expect(summary.headers.get('content-type')).toBe('application/json');
    // Named, so `curl -OJ` saves it with its extension.
    expect(summary.headers.get('content-disposition')).toBe(
      `inline; filename="Kunden M_rz-summary.json"; filename*=UTF-8''Kunden%20M%C3%A4rz-summary.json`,
    );
    expect((await summary.json()) as object).toMatchObject({ rows: INPUT_ROWS });

    const html = await api.call(`/v1/lists/${csvList}/reports/html`, { key: ACME_KEY });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.headers.get('content-disposition')).toMatch(/^inline; filename=".*-report\.html"/);
    expect(await html.text()).toMatch(/^<!doctype html>/i);
  });

  it('serves changes.csv (empty after the first run) as the sixth report', async () => {
    const changes = await api.call(`/v1/lists/${csvList}/reports/changes`, { key: ACME_KEY });
    expect(changes.status).toBe(200);
    expect(changes.headers.get('content-disposition')).toContain('-changes.csv');
    expect(parse(await changes.text(), { columns: true, bom: true })).toEqual([]);
  });

  it('keeps include_risky and reports of the multipart upload too', async () => {
    const report = await api.call(`/v1/lists/${formList}/reports/report`, { key: GLOBEX_KEY });
    expect(report.status).toBe(200);
    expect(parse(await report.text(), { columns: true, bom: true })).toHaveLength(INPUT_ROWS);
    const meta = await api.harness.rt.lists.get(formList);
    expect(meta?.options.includeRisky).toBe(true);
  });

  it('answers 404 unknown_report with the kinds for an unknown kind', async () => {
    const response = await api.call(`/v1/lists/${csvList}/reports/xlsx`, { key: ACME_KEY });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unknown_report');
    expect(body.error.message).toContain('cleaned, report, bounce-risk, summary, html');
  });
});

describe('authentication and tenants', () => {
  it('answers 401 with WWW-Authenticate without a key, and 401 for a wrong key', async () => {
    const missing = await api.call(`/v1/lists/${csvList}`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await api.call(`/v1/lists/${csvList}`, { key: `${ACME_KEY}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
    const malformed = await api.call('/v1/lists', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
  });

  it('refuses an upload without a key before reading it', async () => {
    const response = await api.call('/v1/lists', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: CSV,
    });
    expect(response.status).toBe(401);
  });

  it("answers another tenant's list exactly like a missing one", async () => {
    const missing = await api.call('/v1/lists/no-such-list', { key: GLOBEX_KEY });
    const missingBody = (await missing.json()) as { error: { code: string; message: string } };
    expect(missing.status).toBe(404);
    expect(missingBody.error.code).toBe('list_not_found');
    const routes: Array<[string, string]> = [
      ['GET', `/v1/lists/${csvList}`],
      ['GET', `/v1/lists/${csvList}/reports/cleaned`],
      ['GET', `/v1/lists/${csvList}/reports/nonsense`],
      ['DELETE', `/v1/lists/${csvList}`],
    ];
    for (const [method, route] of routes) {
      const response = await api.call(route, { key: GLOBEX_KEY, method });
      expect(response.status, `${method} ${route}`).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('list_not_found');
      expect(body.error.message).toBe(missingBody.error.message.replace('no-such-list', csvList));
    }
    // The DELETE above did nothing.
    expect((await api.call(`/v1/lists/${csvList}`, { key: ACME_KEY })).status).toBe(200);
  });
});

describe('DELETE', () => {
  it('removes the storage objects, the Redis keys and the list', async () => {
    const { rt, storageDir } = api.harness;
    expect(await rt.storage.stat(storageKeys.output(csvList, 'report.csv'))).not.toBeNull();
    const before = await listKeysIn(api);
    expect(before.some((key) => key.includes(csvList))).toBe(true);

    const response = await api.call(`/v1/lists/${csvList}`, { key: ACME_KEY, method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    expect(await rt.storage.list(`lists/${csvList}/`)).toEqual([]);
    expect((await filesUnder(storageDir)).filter((f) => f.includes(csvList))).toEqual([]);
    expect((await listKeysIn(api)).filter((key) => key.includes(csvList))).toEqual([]);
    expect(await rt.redis.hexists(rt.lists.statusIndexKey(), csvList)).toBe(0);
    expect(await rt.lists.idsOf('acme')).not.toContain(csvList);
    const jobs = await rt.queues.aggregate.getJob(`aggregate-${csvList}-initial`);
    expect(jobs).toBeUndefined();

    const after = await api.call(`/v1/lists/${csvList}`, { key: ACME_KEY });
    expect(after.status).toBe(404);
    const again = await api.call(`/v1/lists/${csvList}`, { key: ACME_KEY, method: 'DELETE' });
    expect(again.status).toBe(404);
    // The other tenant's list is untouched.
    expect((await api.call(`/v1/lists/${formList}`, { key: GLOBEX_KEY })).status).toBe(200);
  });
});
