/** What the upload and preview readers share: chunks as bytes, and our errors as the API's. */
import { isListcleanError } from '../../errors.ts';
import { apiError } from '../errors.ts';
import { tooLarge } from './counter.ts';

export function asBuffer(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
}

/**
 * Our own errors (the sniffer's refusals: empty, not CSV, no email column, a damaged workbook)
 * as the API's — their catalogued status, the client's to fix; 413 closes the connection.
 */
export function clientErrors<T>(work: () => T): T {
  const answer = (error: unknown): never => {
    if (!isListcleanError(error)) throw error;
    if (error.code === 'too_large') throw tooLarge(error.message);
    throw apiError(error.code, error.message);
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(answer) : result) as T;
  } catch (error) {
    return answer(error);
  }
}
