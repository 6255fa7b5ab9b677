/**
 * File storage keeps no empty folders: an upload refused while it streamed into storage (over
 * the byte or the row limit, plain or multipart) and a deleted list leave nothing under the
 * storage root but the top-level `lists/` folder, not even an empty `lists/<id>/`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageKeys } from '../../src/pipeline/names.ts';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi } from './helpers.ts';

/** Over the 64 KiB sniff sample, so the refusal comes while the body flows into storage. */
const MAX_BYTES = 100_000;
const MAX_ROWS = 3_000;

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD, {
    MAX_UPLOAD_BYTES: String(MAX_BYTES),
    MAX_UPLOAD_ROWS: String(MAX_ROWS),
  });
});

afterAll(async () => {
  await api?.close();
});

/** Every entry under the storage root, folders included, as relative paths. */
async function entriesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
}

/** What may stay: nothing, or the top-level folder every list lives in. */
async function expectNoListFolders(): Promise<void> {
  const left = await entriesUnder(api.harness.storageDir);
  expect(left.filter((entry) => entry !== 'lists')).toEqual([]);
}

function rows(count: number): string {
  const lines = ['email'];
  for (let i = 0; i < count; i += 1) lines.push(`user${String(i).padStart(6, '0')}@acme.test`);
  return `${lines.join('\n')}\n`;
}

/**
 * The body in 16 KB chunks, 20 ms apart: the server reads its sniff sample from the first ones,
 * so a limit is crossed on the way into storage, never in one big first read.
 */
function streamed(text: string): ReadableStream {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      if (at > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(bytes.subarray(at, at + 16_384)));
      at += 16_384;
    },
  });
}

function post(body: RequestInit['body'], headers: Record<string, string>) {
  return api.call('/v1/lists', {
    key: ACME_KEY,
    method: 'POST',
    headers,
    body,
    ...({ duplex: 'half' } as object),
  });
}

describe('no empty folders in file storage', () => {
  it('after an upload refused over MAX_UPLOAD_BYTES on its way into storage', async () => {
    const body = `${rows(2_000)}${'y'.repeat(70_000)}@acme.test\n`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BYTES);
    const response = await post(streamed(body), { 'content-type': 'text/csv' });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('too_large');
    await expectNoListFolders();
  });

  it('after an upload refused over MAX_UPLOAD_ROWS, plain and multipart', async () => {
    // 4,000 rows of 21 bytes: under the byte limit, over the row limit past the sniff sample.
    const body = rows(4_000);
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024);
    const plain = await post(streamed(body), { 'content-type': 'text/csv' });
    expect(plain.status).toBe(413);
    await expectNoListFolders();
    const form = new FormData();
    form.append('file', new Blob([body]), 'rows.csv');
    const multipart = await post(form, {});
    expect(multipart.status).toBe(413);
    await expectNoListFolders();
  });

  it('after a list with reports of several runs is deleted', async () => {
    const response = await post(rows(5), { 'content-type': 'text/csv' });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const { storage } = api.harness.rt;
    await storage.put(storageKeys.output(id, 'cleaned.csv'), 'email\n');
    await storage.put(storageKeys.runOutput(id, 'r1', 'changes.csv'), 'email\n');
    expect(await entriesUnder(api.harness.storageDir)).toContain(
      path.join('lists', id, 'runs', 'r1'),
    );
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
    await expectNoListFolders();
  });
});
