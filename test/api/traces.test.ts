/**
 * `trace=true` on an upload and GET /v1/lists/:id/traces/:name: the transcript report.csv names,
 * under the same tenant rules as reports, with names checked so no request reaches another file.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { ACME_KEY, type ApiUnderTest, GLOBEX_KEY, startApi, waitForStatus } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;

const CSV = 'email\nann@signed.test\nghost@signed.test\n';

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'signed.test': {
        mx: [{ host: 'mx.signed.test' }],
        mailboxes: ['ann'],
        txt: ['v=spf1 -all'],
      },
    },
    records: [{ name: '_dmarc.signed.test', type: 'TXT', value: 'v=DMARC1; p=quarantine' }],
  });
  api = await startApi(world);
  pool = await startWorkers(api.harness.rt);
}, 30_000);

afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

async function upload(query: string): Promise<string> {
  const response = await api.call(`/v1/lists?name=signed.csv&${query}`, {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: CSV,
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { id } = (await response.json()) as { id: string };
  await waitForStatus(api, id, ACME_KEY, 'done');
  return id;
}

async function report(id: string): Promise<Record<string, string>[]> {
  const response = await api.call(`/v1/lists/${id}/reports/report`, { key: ACME_KEY });
  expect(response.status).toBe(200);
  return parse(await response.text(), { columns: true, bom: true }) as Record<string, string>[];
}

describe('transcripts over HTTP', () => {
  let id: string;
  let rows: Record<string, string>[];

  beforeAll(async () => {
    id = await upload('trace=true');
    rows = await report(id);
  }, 60_000);

  it('keeps the option for the list, and names a transcript on every row', async () => {
    const meta = await api.harness.rt.lists.get(id);
    expect(meta?.options.trace).toBe(true);
    expect(rows.map((r) => [r.email, r.status, r.mx_provider, r.spf, r.dmarc])).toEqual([
      ['ann@signed.test', 'deliverable', 'signed.test', 'true', 'quarantine'],
      ['ghost@signed.test', 'undeliverable', 'signed.test', 'true', 'quarantine'],
    ]);
    for (const row of rows) expect(row.trace).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
  });

  it('serves the transcript a row names, as plain text', async () => {
    const name = rows[0]?.trace ?? '';
    const response = await api.call(`/v1/lists/${id}/traces/${name}`, { key: ACME_KEY });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain(`signed-${name}.txt`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await response.text();
    expect(text).toContain(`# listclean SMTP transcript ${name}`);
    expect(text).toContain('C: RCPT TO:<ann@signed.test>');
    expect(text).toMatch(/S: 250 /);
  });

  it('answers 404 for another tenant’s list, as if it did not exist', async () => {
    const name = rows[0]?.trace ?? '';
    const response = await api.call(`/v1/lists/${id}/traces/${name}`, { key: GLOBEX_KEY });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'list_not_found',
    );
  });

  it('answers 404 trace_not_found for a name the list does not have', async () => {
    const response = await api.call(`/v1/lists/${id}/traces/abc-0-1`, { key: ACME_KEY });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'trace_not_found',
    );
  });

  it('refuses names that are not transcript names, encoded path steps included', async () => {
    for (const name of ['..%2F..%2Finput.csv', '..%2Finput', 'abc.txt', 'ABC', 'a%00b', '.']) {
      const response = await api.call(`/v1/lists/${id}/traces/${name}`, { key: ACME_KEY });
      expect(response.status, name).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'invalid_request',
      );
    }
    // Dot segments are resolved before the request is sent: what is left is another route.
    for (const path of [`${id}/traces/%2e%2e`, `${id}/traces/../../${id}`]) {
      const response = await api.call(`/v1/lists/${path}`, { key: ACME_KEY });
      expect(await response.text()).not.toContain('SMTP transcript');
    }
  });

  it('has no transcripts for a list uploaded without trace', async () => {
    const plain = await upload('trace=false');
    expect((await api.harness.rt.lists.get(plain))?.options.trace).toBeUndefined();
    const plainRows = await report(plain);
    expect(plainRows.map((r) => r.trace)).toEqual(['', '']);
    const response = await api.call(`/v1/lists/${plain}/traces/${rows[0]?.trace}`, {
      key: ACME_KEY,
    });
    expect(response.status).toBe(404);
  });

  it('is in the OpenAPI description', async () => {
    const spec = (await (await api.call('/docs/json')).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>;
    };
    const route = spec.paths['/v1/lists/{id}/traces/{name}']?.get;
    expect(route?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'name']));
    const upload = spec.paths['/v1/lists']?.post;
    expect(upload?.parameters?.map((p) => p.name)).toContain('trace');
  });
});
