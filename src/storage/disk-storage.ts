/**
 * `STORAGE_URL=file:<dir>`: objects are files under one root directory. Writes land in a temp
 * file beside the target and are renamed into place, so a reader (or a crash) never sees half
 * an object under its final name.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { diskFailure, diskNotFound, errnoOf } from './disk-errors.ts';
import { assertKey, assertPrefix, isValidKey, TEMP_PREFIX } from './keys.ts';
import { measureBody } from './measured-body.ts';
import type { Storage, StorageBody } from './storage.ts';

/** Errnos that mean "no such object": a missing file, or a file where a folder was expected. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

export class DiskStorage implements Storage {
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  async put(key: string, body: StorageBody): Promise<{ bytes: number }> {
    const target = this.#pathOf(key);
    const folder = path.dirname(target);
    const temp = path.join(folder, `${TEMP_PREFIX}${randomUUID()}`);
    const measured = measureBody(body);
    try {
      await mkdir(folder, { recursive: true });
      // flush: fsync before close, so the rename below never publishes unwritten data.
      await pipeline(measured.stream, createWriteStream(temp, { flags: 'wx', flush: true }));
      await rename(temp, target);
      await syncFolder(folder);
    } catch (error) {
      measured.abandon();
      // Best effort: the temp file may never have been created (mkdir failed), and the caller
      // needs the original error, not one about cleaning up.
      await rm(temp, { force: true }).catch(() => undefined);
      // A refused upload's folder would otherwise stay behind, empty, for ever.
      await this.#pruneEmpty(folder);
      throw measured.sourceFailure()?.error ?? diskFailure(this.#root, key, 'write', error);
    }
    return { bytes: measured.bytes() };
  }

  async get(key: string): Promise<Readable> {
    const file = this.#pathOf(key);
    let handle: FileHandle | undefined;
    try {
      handle = await open(file, 'r');
      // Opening a folder succeeds on Linux; it is not an object.
      if ((await handle.stat()).isFile()) return handle.createReadStream();
    } catch (error) {
      await handle?.close();
      if (ABSENT.has(errnoOf(error) ?? '')) throw diskNotFound(this.#root, key);
      throw diskFailure(this.#root, key, 'read', error);
    }
    await handle.close();
    throw diskNotFound(this.#root, key);
  }

  async stat(key: string): Promise<{ bytes: number } | null> {
    const file = this.#pathOf(key);
    try {
      const info = await stat(file);
      return info.isFile() ? { bytes: info.size } : null;
    } catch (error) {
      if (ABSENT.has(errnoOf(error) ?? '')) return null;
      throw diskFailure(this.#root, key, 'stat', error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    // Only the folder the prefix fully names can hold matches; its partial last segment filters.
    const folderKey = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
    const keys: string[] = [];
    await this.#walk(folderKey, prefix, keys);
    return keys.filter(isValidKey).sort();
  }

  async delete(key: string): Promise<void> {
    const file = this.#pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      // EISDIR: the key names a folder, which is no object either.
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errnoOf(error) ?? '')) return;
      throw diskFailure(this.#root, key, 'delete', error);
    }
    // Deleting a list's last object leaves no empty folders (lists/<id>/runs/<run>/) behind.
    await this.#pruneEmpty(path.dirname(file));
  }

  async presignedGetUrl(key: string): Promise<string | null> {
    assertKey(key);
    return null;
  }

  describe(): string {
    return `file:${this.#root}`;
  }

  async close(): Promise<void> {}

  #pathOf(key: string): string {
    return path.join(this.#root, assertKey(key));
  }

  /**
   * Removes `folder` and then its parents while they are empty, stopping at the first that is
   * not (or is gone) and never touching the root or a folder right under it (`lists/`), which a
   * concurrent put may be creating a child in. Best effort: it never fails the operation.
   */
  async #pruneEmpty(folder: string): Promise<void> {
    for (let current = folder; ; current = path.dirname(current)) {
      const relative = path.relative(this.#root, current);
      if (relative === '' || relative.startsWith('..') || !relative.includes(path.sep)) return;
      try {
        await rmdir(current);
      } catch {
        return;
      }
    }
  }

  async #walk(folderKey: string, prefix: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(this.#root, folderKey), { withFileTypes: true });
    } catch (error) {
      if (ABSENT.has(errnoOf(error) ?? '')) return;
      throw diskFailure(this.#root, prefix, 'list', error);
    }
    for (const entry of entries) {
      const key = folderKey === '' ? entry.name : `${folderKey}/${entry.name}`;
      if (entry.name.startsWith(TEMP_PREFIX) || !key.startsWith(prefix)) continue;
      if (entry.isDirectory()) await this.#walk(key, prefix, out);
      else if (entry.isFile()) out.push(key);
    }
  }
}

/** fsync the folder so the rename itself survives a power loss. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
