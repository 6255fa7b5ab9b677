/**
 * The operator's key (ADMIN_KEY), for the dashboard and GET /v1/doctor: `Authorization: Bearer
 * <ADMIN_KEY>` for scripts, or HTTP Basic with ADMIN_KEY as the password (any user name) so a
 * browser prompts for it. Compared as SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from './key-ring.ts';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The secret a request presents: a Bearer token, or a Basic password. */
function presented(header: string | undefined): string | null {
  const bearer = bearerToken(header);
  if (bearer !== null) return bearer;
  const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : decoded.slice(colon + 1);
}

/** Whether an Authorization header carries `adminKey`; never true for an empty key. */
export function adminKeyCheck(adminKey: string): (header: string | undefined) => boolean {
  const expected = sha256(adminKey);
  return (header) => {
    if (adminKey === '') return false;
    const secret = presented(header);
    return secret !== null && timingSafeEqual(sha256(secret), expected);
  };
}
