/**
 * One key rule for both drivers, so a key that works on disk works on S3 and no key can name a
 * file outside the storage root.
 */
import { ListcleanError } from '../errors.ts';

/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** Names of the disk driver's in-flight temp files; reserved so no key can collide with one. */
export const TEMP_PREFIX = '.listclean-partial-';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse.
const CONTROL = /[\u0000-\u001f\u007f]/;

function problemWith(key: string): string | null {
  if (key === '') return 'it is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'it contains a control character';
  if (key.includes('\\')) return 'it contains a backslash';
  if (key.startsWith('/')) return 'it is absolute';
  for (const segment of key.split('/')) {
    if (segment === '') return 'it has an empty path segment';
    // '.' would name another object on disk than on S3 ('a/./b' is 'a/b' only on disk).
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (segment.startsWith(TEMP_PREFIX)) return `"${TEMP_PREFIX}" names are reserved`;
  }
  return null;
}

function badKey(kind: string, key: string, problem: string): ListcleanError {
  return new ListcleanError(
    'storage_bad_key',
    `Storage ${kind} ${JSON.stringify(key)} is refused: ${problem}. ` +
      'Use a relative path such as lists/<id>/input.csv.',
  );
}

export function isValidKey(key: string): boolean {
  return problemWith(key) === null;
}

/** The key itself, or `storage_bad_key` saying what is wrong with it. */
export function assertKey(key: string): string {
  const problem = problemWith(key);
  if (problem !== null) throw badKey('key', key, problem);
  return key;
}

/** A list prefix: '' (everything), a key, or a key followed by '/'. */
export function assertPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  const problem = problemWith(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  if (problem !== null) throw badKey('prefix', prefix, problem);
  return prefix;
}
