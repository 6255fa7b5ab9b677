/**
 * Every error listclean raises on purpose carries a stable `code` from the catalog
 * (src/error-codes.ts; for scripts and the API's `{error: {code, message}}`) and a message that
 * tells the user what to do about it.
 */
import type { ErrorCode } from './error-codes.ts';

export class ListcleanError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListcleanError';
    this.code = code;
  }
}

export function isListcleanError(value: unknown): value is ListcleanError {
  return value instanceof ListcleanError;
}
