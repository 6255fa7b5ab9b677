/**
 * Scratch space of a bench run: a temp directory (the CSV, the policy file, one storage
 * directory per pipeline run) and Redis key prefixes unique to this run, so a shared Redis and
 * parallel runs never mix. Every prefix is deleted with deletePrefix after its run, never FLUSHDB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const RUN = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
let counter = 0;

export function prefixFor(label: string): string {
  counter += 1;
  return `lcbench-${RUN}-${counter}-${label.replace(/[^a-z0-9]+/gi, '')}`;
}

export interface BenchDirs {
  root: string;
  /** Where the list's CSV is written. */
  csv: string;
  /** A fresh storage directory (STORAGE_URL=file:…) under root. */
  storage(): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDirs(): Promise<BenchDirs> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'listclean-bench-'));
  return {
    root,
    csv: path.join(root, 'list.csv'),
    storage: () => mkdtemp(path.join(root, 'storage-')),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
