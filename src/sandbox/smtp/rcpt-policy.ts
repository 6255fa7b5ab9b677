/**
 * The answer to one `RCPT TO`, in the order a Postfix with postgrey checks it: relay access,
 * recipient policy, the greylist (which also hides whether a mailbox exists), then the mailbox.
 */

import type { ScenarioDomain, ScenarioHost } from '../scenario/scenario.ts';
import { reply } from './replies.ts';

export interface RcptQuery {
  /** The address inside the angle brackets, as sent. */
  address: string;
  local: string;
  /** Lower-case, without a trailing dot. */
  domain: string;
}

export function rcptReply(
  query: RcptQuery,
  /** The domain when this host serves it (one of its MX hosts), else undefined. */
  served: ScenarioDomain | undefined,
  host: ScenarioHost,
  /** Counts one greylist attempt for this triplet; true when it must be deferred. */
  greylistDefers: (rule: NonNullable<ScenarioDomain['greylist']>) => boolean,
): string {
  if (served === undefined) return reply.relayDenied(query.address);
  if (served.policyBlock) return reply.policyBlock;
  if (served.greylist !== undefined && greylistDefers(served.greylist)) {
    return reply.greylisted(query.address, query.domain);
  }
  const local = query.local.toLowerCase();
  const has = (list: string[] | undefined) => list?.some((l) => l.toLowerCase() === local) ?? false;
  const own = Object.entries(served.replies ?? {}).find(([l]) => l.toLowerCase() === local);
  if (own) return own[1];
  if (has(served.full)) return reply.mailboxFull;
  if (has(served.disabled)) return reply.mailboxDisabled;
  if (has(served.mailboxes) || served.catchAll || host.acceptAll) return reply.rcptOk;
  return served.unknownReply ?? reply.userUnknown(query.address);
}
