/**
 * The behaviour every Storage driver owes its callers, as one suite each driver's test file
 * runs against its own instance. Each test works under a fresh key namespace, so tests sharing
 * one store never see each other's objects.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { ListcleanError } from '../../src/errors.ts';
import type { Storage } from '../../src/storage/index.ts';
import { bufferOf, generatedBody, sha256, sha256Of, textOf } from './bodies.ts';

export interface ContractTarget {
  /** The driver under test; called inside tests, after the file's setup ran. */
  storage(): Storage;
  /** Whether presignedGetUrl gives a URL (S3) or null (disk). */
  presigns: boolean;
}

const MB = 1024 * 1024;

export const BAD_KEYS = [
  '',
  '/etc/passwd',
  '../escape.txt',
  'lists/../../escape.txt',
  'lists/..',
  'lists\\x.csv',
  'lists/\0.csv',
  'lists/\n.csv',
  'lists//x.csv',
  './x.csv',
  'lists/x/',
  'lists/.listclean-partial-1',
  'x'.repeat(1025),
];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ListcleanError);
  return (error as ListcleanError).code;
}

export function storageContract(target: ContractTarget): void {
  const space = (): string => `t/${randomUUID()}`;

  it('round-trips a string as UTF-8', async () => {
    const key = `${space()}/notes.txt`;
    const text = 'email,name\nanna@example.com,Änna Müller ✉\n';
    const storage = target.storage();
    expect(await storage.put(key, text, { contentType: 'text/csv' })).toEqual({
      bytes: Buffer.byteLength(text),
    });
    expect(await textOf(await storage.get(key))).toBe(text);
  });

  it('round-trips a Buffer holding every byte value', async () => {
    const key = `${space()}/bytes.bin`;
    const data = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const storage = target.storage();
    expect(await storage.put(key, data)).toEqual({ bytes: 512 });
    expect((await bufferOf(await storage.get(key))).equals(data)).toBe(true);
  });

  it('round-trips a stream, string chunks included', async () => {
    const key = `${space()}/lists/input.csv`;
    const storage = target.storage();
    const chunks = ['email\n', Buffer.from('a@example.com\n'), 'b@example.com\n'];
    expect(await storage.put(key, Readable.from(chunks))).toEqual({ bytes: 34 });
    expect(await textOf(await storage.get(key))).toBe('email\na@example.com\nb@example.com\n');
  });

  it('stores an empty body', async () => {
    const key = `${space()}/empty.csv`;
    const storage = target.storage();
    expect(await storage.put(key, '')).toEqual({ bytes: 0 });
    expect(await storage.stat(key)).toEqual({ bytes: 0 });
    expect(await textOf(await storage.get(key))).toBe('');
  });

  it('replaces an existing object', async () => {
    const key = `${space()}/summary.json`;
    const storage = target.storage();
    await storage.put(key, 'first version, longer');
    await storage.put(key, 'second');
    expect(await textOf(await storage.get(key))).toBe('second');
    expect(await storage.stat(key)).toEqual({ bytes: 6 });
  });

  it('streams a 20 MB body in and out unchanged', async () => {
    const key = `${space()}/big.csv`;
    const storage = target.storage();
    const body = generatedBody(20 * MB);
    expect(await storage.put(key, body.stream)).toEqual({ bytes: 20 * MB });
    expect(await storage.stat(key)).toEqual({ bytes: 20 * MB });
    expect(await sha256Of(await storage.get(key))).toBe(body.sha256());
  });

  it('stats an object, and answers null for an absent one', async () => {
    const ns = space();
    const storage = target.storage();
    await storage.put(`${ns}/a/report.csv`, 'x'.repeat(1234));
    expect(await storage.stat(`${ns}/a/report.csv`)).toEqual({ bytes: 1234 });
    expect(await storage.stat(`${ns}/a/absent.csv`)).toBeNull();
    // A "folder" is no object.
    expect(await storage.stat(`${ns}/a`)).toBeNull();
  });

  it('lists keys by prefix, recursively and sorted', async () => {
    const ns = space();
    const storage = target.storage();
    for (const name of ['b.txt', 'a/2/deep.csv', 'ab.txt', 'a/1.csv', 'c/x.csv']) {
      await storage.put(`${ns}/${name}`, name);
    }
    expect(await storage.list(`${ns}/a/`)).toEqual([`${ns}/a/1.csv`, `${ns}/a/2/deep.csv`]);
    // A plain string prefix, as on S3: "a" also matches "ab.txt".
    expect(await storage.list(`${ns}/a`)).toEqual([
      `${ns}/a/1.csv`,
      `${ns}/a/2/deep.csv`,
      `${ns}/ab.txt`,
    ]);
    expect(await storage.list(`${ns}/`)).toEqual(
      ['a/1.csv', 'a/2/deep.csv', 'ab.txt', 'b.txt', 'c/x.csv'].map((name) => `${ns}/${name}`),
    );
    expect(await storage.list(`${ns}/nothing/`)).toEqual([]);
    expect(await storage.list(`${space()}/`)).toEqual([]);
  });

  it('deletes an object; deleting an absent one is fine', async () => {
    const ns = space();
    const storage = target.storage();
    await storage.put(`${ns}/a.csv`, 'a');
    await storage.put(`${ns}/b.csv`, 'b');
    await storage.delete(`${ns}/a.csv`);
    expect(await storage.stat(`${ns}/a.csv`)).toBeNull();
    expect(await storage.list(`${ns}/`)).toEqual([`${ns}/b.csv`]);
    await expect(storage.delete(`${ns}/a.csv`)).resolves.toBeUndefined();
    await expect(storage.delete(`${ns}/never/was.csv`)).resolves.toBeUndefined();
  });

  it('rejects get of an absent key with storage_not_found', async () => {
    const ns = space();
    const storage = target.storage();
    expect(await codeOf(storage.get(`${ns}/absent.csv`))).toBe('storage_not_found');
    await storage.put(`${ns}/dir/file.csv`, 'x');
    expect(await codeOf(storage.get(`${ns}/dir`))).toBe('storage_not_found');
    expect(await codeOf(storage.get(`${ns}/dir/file.csv/more`))).toBe('storage_not_found');
  });

  it('rejects keys that could escape the root, before touching anything', async () => {
    const storage = target.storage();
    for (const key of BAD_KEYS) {
      expect(await codeOf(storage.put(key, 'x')), key).toBe('storage_bad_key');
      expect(await codeOf(storage.get(key)), key).toBe('storage_bad_key');
      expect(await codeOf(storage.stat(key)), key).toBe('storage_bad_key');
      expect(await codeOf(storage.delete(key)), key).toBe('storage_bad_key');
      expect(await codeOf(storage.presignedGetUrl(key, { expiresSeconds: 60 })), key).toBe(
        'storage_bad_key',
      );
    }
    for (const prefix of ['/', '../', 'lists/../..', 'a\\b', 'a//']) {
      expect(await codeOf(storage.list(prefix)), prefix).toBe('storage_bad_key');
    }
  });

  it('leaves no object when the body fails mid-way, and keeps the previous one', async () => {
    const ns = space();
    const storage = target.storage();
    await storage.put(`${ns}/kept.csv`, 'previous report');
    // Past one S3 part, so a multipart upload is under way when the source breaks.
    for (const key of [`${ns}/new.csv`, `${ns}/kept.csv`]) {
      const broken = generatedBody(20 * MB, { failAfter: 10 * MB });
      const error = await storage.put(key, broken.stream).catch((reason: unknown) => reason);
      // The caller's own error, not disguised as a storage failure.
      expect(error).not.toBeInstanceOf(ListcleanError);
      expect((error as Error).message).toBe('source broke');
    }
    expect(await storage.stat(`${ns}/new.csv`)).toBeNull();
    expect(await codeOf(storage.get(`${ns}/new.csv`))).toBe('storage_not_found');
    expect(await textOf(await storage.get(`${ns}/kept.csv`))).toBe('previous report');
    expect(await storage.list(`${ns}/`)).toEqual([`${ns}/kept.csv`]);
  });

  it('gives a presigned download URL only where the store can serve one', async () => {
    const key = `${space()}/lists/report.csv`;
    const storage = target.storage();
    const data = Buffer.from('email,status\nanna@example.com,deliverable\n');
    await storage.put(key, data, { contentType: 'application/octet-stream' });
    const url = await storage.presignedGetUrl(key, {
      expiresSeconds: 300,
      downloadName: 'Kunden März "Q1".csv',
      contentType: 'text/csv; charset=utf-8',
    });
    if (!target.presigns) {
      expect(url).toBeNull();
      return;
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const response = await fetch(url as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="Kunden M_rz _Q1_.csv"; ' +
        "filename*=UTF-8''Kunden%20M%C3%A4rz%20%22Q1%22.csv",
    );
    expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(data));
  });
}
