/** `STORAGE_URL` → the driver it names (DESIGN §5). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListcleanError } from '../errors.ts';
import { DiskStorage } from './disk-storage.ts';
import { isValidKey } from './keys.ts';
import { type S3Location, S3Storage } from './s3-storage.ts';
import type { Storage } from './storage.ts';

export interface StorageConfig {
  STORAGE_URL: string;
  S3_ENDPOINT: string;
  /** Where clients reach the same server (presigned URLs are signed for this host). */
  S3_PUBLIC_ENDPOINT?: string;
  AWS_REGION: string;
}

const FORMS = 'file:<directory> (e.g. file:./data) or s3://<bucket>[/<prefix>]';
/** S3's bucket naming rule (lower case, digits, dots, hyphens; 3–63 characters). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function invalid(url: string, problem: string): ListcleanError {
  return new ListcleanError('config_invalid', `STORAGE_URL "${url}" ${problem}; use ${FORMS}.`);
}

/** `file:./data` (relative to the working directory), `file:/abs/data` or `file:///abs/data`. */
export function parseDiskRoot(url: string): string {
  const rest = url.slice('file:'.length);
  if (rest === '') throw invalid(url, 'names no directory');
  if (!rest.startsWith('//')) return path.resolve(rest);
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw invalid(url, `is not a local file URL (${(error as Error).message})`);
  }
}

/** `s3://bucket` or `s3://bucket/some/prefix` (slashes around the prefix are optional). */
export function parseS3Location(url: string): S3Location {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (!BUCKET.test(bucket)) throw invalid(url, `has an invalid bucket name "${bucket}"`);
  if (prefix !== '' && !isValidKey(prefix)) throw invalid(url, `has an invalid prefix "${prefix}"`);
  return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
}

export function createStorage(config: StorageConfig): Storage {
  const url = config.STORAGE_URL.trim();
  if (url.startsWith('file:')) return new DiskStorage(parseDiskRoot(url));
  if (url.startsWith('s3://')) {
    return new S3Storage(parseS3Location(url), {
      endpoint: config.S3_ENDPOINT.trim(),
      publicEndpoint: config.S3_PUBLIC_ENDPOINT?.trim() ?? '',
      // The SDK refuses to sign without a region; S3-compatible servers accept any.
      region: config.AWS_REGION.trim() || 'us-east-1',
    });
  }
  throw invalid(url, 'is neither a file: nor an s3:// URL');
}
