/**
 * Uploads the API refuses, over a real socket: too large (declared, streamed, multipart, too
 * many rows), wrong media type, empty, not a CSV, a column without addresses, damaged or
 * oversized .xlsx workbooks, a refused webhook URL — and that nothing of a refused upload is
 * left in storage or Redis.
 */
import { Readable } from 'node:stream';
import { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_MEDIA_TYPE } from '../../src/csv/workbook.ts';
import { QUEUES } from '../../src/pipeline/names.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';
import {
  ACME_KEY,
  type ApiUnderTest,
  filesUnder,
  listKeysIn,
  NO_WORLD,
  startApi,
} from './helpers.ts';

/** Over the 64 KiB sniff sample, so a streamed upload is cut off on its way into storage. */
const MAX_BYTES = 100_000;
const MAX_ROWS = 20;

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD, {
    MAX_UPLOAD_BYTES: String(MAX_BYTES),
    MAX_UPLOAD_ROWS: String(MAX_ROWS),
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
  });
});

afterAll(async () => {
  await api?.close();
});

/** After every refused upload: no object, no temp file, no list key. */
afterEach(async (context) => {
  if (context.task.meta.accepted) return;
  expect(await filesUnder(api.harness.storageDir)).toEqual([]);
  expect(await listKeysIn(api)).toEqual([]);
});

function rows(count: number, width = 10): string {
  const lines = ['email'];
  for (let i = 0; i < count; i += 1) lines.push(`u${String(i).padStart(width, '0')}@acme.test`);
  return `${lines.join('\n')}\n`;
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

function post(body: RequestInit['body'], headers: Record<string, string>, query = '') {
  return api.call(`/v1/lists${query}`, {
    key: ACME_KEY,
    method: 'POST',
    headers,
    body,
    // Node's fetch needs this for a streamed request body.
    ...({ duplex: 'half' } as object),
  });
}

describe('size limits → 413 too_large', () => {
  it('refuses a body whose Content-Length is over MAX_UPLOAD_BYTES before reading it', async () => {
    const body = 'x'.repeat(MAX_BYTES + 1);
    const response = await post(body, { 'content-type': 'text/csv' });
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('too_large');
    expect(error.message).toContain(`${MAX_BYTES} bytes`);
    expect(response.headers.get('connection')).toBe('close');
  });

  it('stops a streamed body (no Content-Length) as it goes over the limit', async () => {
    // 12 lines of 10 kB: over the byte limit, under the row limit.
    const chunks = Array.from({ length: 13 }, (_, i) =>
      Buffer.from(i === 0 ? rows(5) : `${'y'.repeat(10_000)}@acme.test\n`),
    );
    const response = await post(Readable.toWeb(Readable.from(chunks)) as ReadableStream, {
      'content-type': 'text/csv',
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain('MAX_UPLOAD_BYTES');
  });

  it('counts the file of a multipart form against the same limit', async () => {
    const form = new FormData();
    form.append('file', new Blob([rows(15), 'z'.repeat(MAX_BYTES)]), 'big.csv');
    const response = await post(form, {});
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('too_large');
  });

  it('refuses more than MAX_UPLOAD_ROWS rows (the header is no row)', async () => {
    const response = await post(rows(MAX_ROWS + 1, 1), { 'content-type': 'text/csv' });
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('too_large');
    expect(error.message).toContain(`${MAX_ROWS} rows`);
  });

  it('takes exactly MAX_UPLOAD_ROWS rows, with or without a final line break', async (context) => {
    context.task.meta.accepted = true;
    for (const body of [rows(MAX_ROWS, 1), rows(MAX_ROWS, 1).trimEnd()]) {
      const response = await post(body, { 'content-type': 'text/csv' });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
        204,
      );
    }
  });
});

describe('what is not a CSV upload', () => {
  it('answers 415 unsupported_media_type naming the accepted types', async () => {
    const response = await post('{"email": "a@b.test"}', { 'content-type': 'application/json' });
    expect(response.status).toBe(415);
    const error = await errorOf(response);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('text/csv');
    expect(error.message).toContain('multipart/form-data');
  });

  it('answers 415 for a request without a body or type', async () => {
    const response = await api.call('/v1/lists', { key: ACME_KEY, method: 'POST' });
    expect(response.status).toBe(415);
  });

  it('answers 400 empty_file for an empty body', async () => {
    const response = await post('', { 'content-type': 'text/csv' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('empty_file');
  });

  it('answers 400 not_csv for a PDF, saying what to do', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), Buffer.alloc(200, 7)]);
    const response = await post(pdf, { 'content-type': 'text/csv' });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('not_csv');
    expect(error.message).toContain('PDF');
  });

  it('answers 400 when the email column asked for does not exist', async () => {
    const response = await post(rows(3), { 'content-type': 'text/csv' }, '?column=mail');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain('mail');
  });

  it('answers 400 column_has_no_addresses for a column with no addresses, naming the one with', async () => {
    const csv = 'Name,Email,Notes\nAnn,ann@acme.test,call back\nBob,bob@acme.test,VIP\n';
    const response = await post(csv, { 'content-type': 'text/csv' }, '?column=Notes');
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('column_has_no_addresses');
    expect(error.message).toContain('Columns that look like they hold addresses: 2 "Email".');
  });

  it('answers 400 missing_file for a form without a "file" field', async () => {
    const form = new FormData();
    form.append('upload', new Blob([rows(3)]), 'x.csv');
    const response = await post(form, {});
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('missing_file');
  });

  it('answers 400 invalid_request for a bad query value', async () => {
    const response = await post(rows(3), { 'content-type': 'text/csv' }, '?include_risky=maybe');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_request');
  });
});

describe('.xlsx workbooks refused', () => {
  it('answers 413 for a sheet over MAX_UPLOAD_ROWS', async () => {
    const xlsx = await makeWorkbook({
      name: 'S',
      rows: [['email'], ...Array.from({ length: MAX_ROWS + 1 }, (_, i) => [`u${i}@acme.test`])],
    });
    const response = await post(xlsx, { 'content-type': XLSX_MEDIA_TYPE });
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('too_large');
    expect(error.message).toContain(`${MAX_ROWS} rows`);
  });

  it('answers 413 for a workbook over MAX_UPLOAD_BYTES, streamed without a length', async () => {
    const xlsx = await makeWorkbook({ name: 'S', rows: [['email'], ['a@acme.test']] });
    const padding = Buffer.alloc(MAX_BYTES, 0x20);
    const response = await post(Readable.toWeb(Readable.from([xlsx, padding])) as ReadableStream, {
      'content-type': XLSX_MEDIA_TYPE,
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain('MAX_UPLOAD_BYTES');
  });

  it('answers 400 workbook_unreadable for a damaged workbook, in a form too', async () => {
    const xlsx = await makeWorkbook({ name: 'S', rows: [['email'], ['a@acme.test']] });
    const form = new FormData();
    form.append('file', new Blob([xlsx.subarray(0, xlsx.length - 200)]), 'broken.xlsx');
    const response = await post(form, {});
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('workbook_unreadable');
  });

  it('answers 400 column_has_no_addresses for a workbook column with none', async () => {
    const xlsx = await makeWorkbook({
      name: 'S',
      rows: [
        ['Name', 'Email'],
        ['Ann', 'ann@acme.test'],
        ['Bob', 'bob@acme.test'],
      ],
    });
    const response = await post(xlsx, { 'content-type': XLSX_MEDIA_TYPE }, '?column=Name');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('column_has_no_addresses');
  });
});

describe('webhook_url', () => {
  it('is refused when it is not a URL the webhook sender may call', async () => {
    const response = await post(
      rows(3),
      { 'content-type': 'text/csv' },
      `?webhook_url=${encodeURIComponent('http://10.1.2.3/hook')}`,
    );
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_webhook_url');
    expect(error.message).toContain('10.1.2.3');
  });

  it('is stored with the list when allowed', async (context) => {
    context.task.meta.accepted = true;
    const url = 'http://127.0.0.1:9999/hook?token=s3cret';
    const response = await post(
      rows(3),
      { 'content-type': 'text/csv' },
      `?webhook_url=${encodeURIComponent(url)}`,
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect((await api.harness.rt.lists.get(id))?.webhookUrl).toBe(url);
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
  });
});

describe('DELETE while a worker holds a job of the list', () => {
  it('answers 409 list_busy and removes nothing; 204 once the job is done', async () => {
    const response = await post(rows(3), { 'content-type': 'text/csv' });
    const { id } = (await response.json()) as { id: string };
    const { rt } = api.harness;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let taken = () => {};
    const started = new Promise<void>((resolve) => {
      taken = resolve;
    });
    // Stands in for an ingest worker in the middle of the list.
    const worker = new Worker(
      QUEUES.ingest,
      async (job) => {
        if (job.data.listId !== id) return;
        taken();
        await held;
      },
      { connection: rt.redis, prefix: rt.bullPrefix },
    );
    try {
      await started;
      const busy = await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' });
      expect(busy.status).toBe(409);
      expect((await errorOf(busy)).code).toBe('list_busy');
      expect(await rt.lists.get(id)).not.toBeNull();
      expect(await rt.storage.list(`lists/${id}/`)).toEqual([`lists/${id}/input.csv`]);
      release();
      await new Promise<void>((resolve) => worker.once('completed', () => resolve()));
    } finally {
      release();
      await worker.close();
    }
    const deleted = await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' });
    expect(deleted.status).toBe(204);
  });
});

declare module 'vitest' {
  interface TaskMeta {
    accepted?: boolean;
  }
}
