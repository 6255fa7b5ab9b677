/**
 * by-status.zip: the per-status CSVs in one download, streamed from their files into the
 * archive (yazl reads each file as it goes; nothing is held whole). Entries carry one fixed time,
 * the report's, so the same report zips to the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** The file on disk. */
  path: string;
  /** Its name in the archive. */
  name: string;
}

export async function writeZip(target: string, entries: readonly ZipEntry[], mtime: Date) {
  const zip = new ZipFile();
  for (const entry of entries) zip.addFile(entry.path, entry.name, { mtime, mode: 0o100644 });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target));
}
