/**
 * A job whose list was deleted while it waited fails at once: no retry brings the list back.
 * Anything else (Redis away, …) is rethrown as it is, for BullMQ to retry.
 */
import { UnrecoverableError } from 'bullmq';
import { isListcleanError } from '../errors.ts';

export function failIfListGone(error: unknown): never {
  if (isListcleanError(error) && error.code === 'list_not_found') {
    throw new UnrecoverableError(`${error.message} [${error.code}]`);
  }
  throw error;
}
