/**
 * What a failed list says about why: to its owner (API, CLI, webhook), who may be anyone with
 * an API key. A reason about their file (not CSV, no email column) is theirs to read; one about
 * our infrastructure (storage endpoints, paths, Redis) stays in the worker log, and they get a
 * code and where to look instead.
 */
import type { ErrorCode } from '../error-codes.ts';
import { isListcleanError } from '../errors.ts';

export interface ListFailure {
  /** Safe to show whoever owns the list. */
  error: string;
  errorCode: ErrorCode;
}

/** Codes whose messages name servers, buckets or paths. */
const INFRASTRUCTURE = new Set<ErrorCode>([
  'storage_unavailable',
  'storage_not_found',
  'storage_bad_key',
  'redis_unavailable',
  'report_missing',
  'report_closed',
  'report_row_too_wide',
  'report_stream_closed',
]);

export function listFailure(error: unknown): ListFailure {
  if (isListcleanError(error) && !INFRASTRUCTURE.has(error.code)) {
    return { error: error.message, errorCode: error.code };
  }
  if (isListcleanError(error)) {
    return {
      error: `processing stopped on an infrastructure error (${error.code}); the operator’s worker log has the details`,
      errorCode: error.code,
    };
  }
  return {
    error: 'processing stopped on an unexpected error; the operator’s worker log has the details',
    errorCode: 'internal_error',
  };
}
