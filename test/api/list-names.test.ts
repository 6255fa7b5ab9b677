/**
 * List names have a limit: a multipart file name or `name=` over 255 characters is refused with
 * 400 name_too_long (nothing stored), and a download's Content-Disposition stays short whatever
 * name a list was stored with (lists from before the limit included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import {
  ACME_KEY,
  type ApiUnderTest,
  filesUnder,
  listKeysIn,
  NO_WORLD,
  startApi,
} from './helpers.ts';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD);
});

afterAll(async () => {
  await api?.close();
});

const CSV = 'email\nann@acme.test\nbob@acme.test\n';

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

function upload(body: RequestInit['body'], query = '', headers: Record<string, string> = {}) {
  return api.call(`/v1/lists${query}`, { key: ACME_KEY, method: 'POST', headers, body });
}

async function nothingStored(): Promise<void> {
  expect(await filesUnder(api.harness.storageDir)).toEqual([]);
  expect(await listKeysIn(api)).toEqual([]);
}

describe('list names', () => {
  it('refuses an 80 KB multipart file name with 400 name_too_long, storing nothing', async () => {
    const form = new FormData();
    form.append('file', new Blob([CSV]), `${'n'.repeat(80_000)}.csv`);
    const response = await upload(form);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('name_too_long');
    expect(error.message).toContain('255');
    expect(error.message).toContain('name=');
    await nothingStored();
  });

  it('refuses name= over 255 characters with 400 name_too_long', async () => {
    const response = await upload(CSV, `?name=${'ü'.repeat(256)}`, { 'content-type': 'text/csv' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('name_too_long');
    await nothingStored();
  });

  it('takes 255 characters (counted as characters, not bytes), and name= over a long file name', async () => {
    const name = `${'ü'.repeat(251)}.csv`;
    const plain = await upload(CSV, `?name=${encodeURIComponent(name)}`, {
      'content-type': 'text/csv',
    });
    expect(plain.status, await plain.clone().text()).toBe(202);
    const form = new FormData();
    form.append('file', new Blob([CSV]), `${'n'.repeat(5000)}.csv`);
    const named = await upload(form, '?name=short.csv');
    expect(named.status, await named.clone().text()).toBe(202);
    for (const response of [plain, named]) {
      const { id } = (await response.json()) as { id: string };
      const meta = (await (await api.call(`/v1/lists/${id}`, { key: ACME_KEY })).json()) as {
        name: string;
      };
      expect(meta.name).toBe(response === plain ? name : 'short.csv');
      expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
        204,
      );
    }
  });

  it('keeps Content-Disposition short for a list stored with an 80 KB name', async () => {
    const { rt } = api.harness;
    const id = 'old-list-with-a-long-name';
    const name = `${'Kunden März '.repeat(7000)}.csv`;
    await rt.lists.create({
      id,
      name,
      tenant: 'acme',
      options: { includeRisky: false },
      inputBytes: 1,
    });
    await rt.storage.put(storageKeys.output(id, 'cleaned.csv'), CSV);
    await rt.lists.advance(id, 'done');
    try {
      const response = await api.call(`/v1/lists/${id}/reports/cleaned`, { key: ACME_KEY });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(CSV);
      const disposition = response.headers.get('content-disposition') ?? '';
      expect(disposition.length).toBeGreaterThan(0);
      expect(disposition.length).toBeLessThan(1024);
      expect(disposition).toMatch(
        /^attachment; filename="Kunden M_rz Kunden M_rz .*-cleaned\.csv"; filename\*=UTF-8''Kunden%20M%C3%A4rz%20.*-cleaned\.csv$/,
      );
    } finally {
      expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
        204,
      );
    }
  });
});
