import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ListcleanError } from '../../src/errors.ts';
import { createStorage, type Storage } from '../../src/storage/index.ts';
import { generatedBody, textOf } from './bodies.ts';
import { BAD_KEYS, storageContract } from './storage-contract.ts';

const MB = 1024 * 1024;

let sandbox: string;
let root: string;
let storage: Storage;

beforeAll(async () => {
  // The root sits one level down, so a key that escaped it would show up in `sandbox`.
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'listclean-disk-'));
  root = path.join(sandbox, 'data');
  storage = createStorage({ STORAGE_URL: `file:${root}`, S3_ENDPOINT: '', AWS_REGION: '' });
});

afterAll(async () => {
  await storage.close();
  await rm(sandbox, { recursive: true, force: true });
});

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('disk storage: the Storage contract', () => {
  storageContract({ storage: () => storage, presigns: false });
});

describe('disk storage', () => {
  it('describes itself by its absolute root', () => {
    expect(storage.describe()).toBe(`file:${root}`);
  });

  it('keeps each key as a file under the root', async () => {
    await storage.put('layout/lists/abc/input.csv', 'email\n');
    expect(await filesUnder(path.join(root, 'layout'))).toEqual([
      path.join('lists', 'abc', 'input.csv'),
    ]);
  });

  it('never writes outside the root, whatever the key', async () => {
    for (const key of BAD_KEYS) await storage.put(key, 'x').catch(() => undefined);
    expect(await readdir(sandbox)).toEqual(['data']);
  });

  it('writes through a temp file: a failed put leaves no partial file at all', async () => {
    const folder = path.join(root, 'atomic');
    await storage.put('atomic/report.csv', 'complete report');
    const source = new PassThrough();
    const putting = storage.put('atomic/cleaned.csv', source);
    source.write(Buffer.alloc(MB, 'a'));
    // Half the body is on disk, under a temp name only.
    await vi.waitFor(async () => {
      const names = await readdir(folder);
      const partial = names.find((name) => name.startsWith('.listclean-partial-'));
      expect(partial).toBeDefined();
      expect((await stat(path.join(folder, partial as string))).size).toBeGreaterThan(0);
      expect(names).not.toContain('cleaned.csv');
    });
    source.destroy(new Error('source broke'));
    await expect(putting).rejects.toThrow('source broke');
    expect(await readdir(folder)).toEqual(['report.csv']);

    const broken = generatedBody(8 * MB, { failAfter: 4 * MB });
    await expect(storage.put('atomic/report.csv', broken.stream)).rejects.toThrow('source broke');
    expect(await readdir(folder)).toEqual(['report.csv']);
    expect(await textOf(await storage.get('atomic/report.csv'))).toBe('complete report');
  });

  it('does not list another writer’s in-flight temp file', async () => {
    await storage.put('inflight/a.csv', 'a');
    await writeFile(path.join(root, 'inflight', '.listclean-partial-123'), 'half');
    expect(await storage.list('inflight/')).toEqual(['inflight/a.csv']);
  });

  it('refuses a key whose parent "folder" is an object, as storage_bad_key', async () => {
    await storage.put('clash/file', 'x');
    const error = await storage.put('clash/file/child.csv', 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListcleanError);
    expect((error as ListcleanError).code).toBe('storage_bad_key');
    expect((error as Error).message).toContain('collides');
  });

  it('treats a folder as no object', async () => {
    await mkdir(path.join(root, 'folders', 'empty'), { recursive: true });
    await expect(storage.delete('folders/empty')).resolves.toBeUndefined();
    expect(await storage.stat('folders/empty')).toBeNull();
  });

  it('works before its root exists, creating it on the first put', async () => {
    const fresh = path.join(sandbox, 'later', 'data');
    const late = createStorage({ STORAGE_URL: `file:${fresh}`, S3_ENDPOINT: '', AWS_REGION: '' });
    expect(await late.list('')).toEqual([]);
    expect(await late.stat('a.csv')).toBeNull();
    await late.put('lists/1/input.csv', 'x');
    expect(await late.list('')).toEqual(['lists/1/input.csv']);
    await late.close();
  });
});
