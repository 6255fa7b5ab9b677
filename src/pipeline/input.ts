/** Reading a list's stored input: its layout (sniffed from the first bytes) and its rows. */
import {
  type CsvLayout,
  type CsvRow,
  readCsvRows,
  SNIFF_SAMPLE_BYTES,
  sniffCsv,
} from '../csv/index.ts';
import type { Storage } from '../storage/index.ts';
import { storageKeys } from './names.ts';

const SAMPLE_BYTES = SNIFF_SAMPLE_BYTES;

export async function readSample(storage: Storage, key: string): Promise<Buffer> {
  const stream = await storage.get(key);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= SAMPLE_BYTES) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, SAMPLE_BYTES);
}

export async function inputLayout(
  storage: Storage,
  listId: string,
  column?: string,
): Promise<CsvLayout> {
  return sniffCsv(await readSample(storage, storageKeys.input(listId)), { column });
}

/** Every data row of the stored input, in order: ingest and aggregate see the same rows. */
export async function* inputRows(
  storage: Storage,
  listId: string,
  layout: CsvLayout,
): AsyncIterable<CsvRow> {
  yield* readCsvRows(await storage.get(storageKeys.input(listId)), layout);
}

/** Groups an async iterable into arrays of `size`, so each group costs one Redis round trip. */
export async function* chunked<T>(source: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
