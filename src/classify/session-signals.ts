/** Replies the SMTP session itself must act on, read with the classifier's own wording. */
import type { SmtpReply } from '../smtp/reply.ts';
import { normaliseText, parseEnhanced } from './evidence.ts';
import { TOO_MANY_RECIPIENTS } from './patterns.ts';

/**
 * "Too many recipients" (`452 4.5.3`, `552 Too many recipients`, …): the transaction is full,
 * the rest of the batch needs a new session; it says nothing about the address that got it.
 */
export function isTooManyRecipients(reply: SmtpReply): boolean {
  if (reply.code < 400 || reply.code >= 600) return false;
  const e = parseEnhanced(reply.enhanced);
  if (e?.subject === 5 && e.detail === 3) return true;
  return TOO_MANY_RECIPIENTS.test(normaliseText(reply.text));
}
