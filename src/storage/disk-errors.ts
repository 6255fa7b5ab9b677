import { isListcleanError, ListcleanError } from '../errors.ts';

/** Errno of a Node fs error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "key … does not exist" under the disk root. */
export function diskNotFound(root: string, key: string): ListcleanError {
  return new ListcleanError(
    'storage_not_found',
    `No object ${JSON.stringify(key)} in storage file:${root}.`,
  );
}

/**
 * An fs failure as a ListcleanError a user can act on: a key that collides with a folder is the
 * caller's problem, anything else (permissions, full disk, read-only mount) the operator's.
 */
export function diskFailure(root: string, key: string, action: string, error: unknown): unknown {
  const code = errnoOf(error);
  if (code === undefined || isListcleanError(error)) return error;
  if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new ListcleanError(
      'storage_bad_key',
      `Cannot ${action} ${JSON.stringify(key)} in storage file:${root}: ` +
        'the key or one of its parent folders collides with an existing object or folder.',
      { cause: error },
    );
  }
  return new ListcleanError(
    'storage_unavailable',
    `Cannot ${action} ${JSON.stringify(key)} in storage file:${root} (${code}). ` +
      'Check that STORAGE_URL names a directory this process can read and write, ' +
      'on a mounted filesystem with free space.',
    { cause: error },
  );
}
