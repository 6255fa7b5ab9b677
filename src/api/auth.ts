/**
 * API-key authentication in two steps. `identify` runs first on every request and only records
 * who is calling (so the rate limiter can bucket by key before anything is refused); `requireTenant`
 * then refuses unauthenticated requests inside /v1 — in preParsing, so no body is read first.
 */
import type { FastifyRequest } from 'fastify';
import { apiError } from './errors.ts';
import { bearerToken, type KeyRing } from './key-ring.ts';

export function identify(keys: KeyRing) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    request.sentCredentials = header !== undefined;
    const token = bearerToken(header);
    const match = token === null ? null : keys.match(token);
    request.tenant = match?.tenant ?? null;
    request.keyHash = match?.keyHash ?? null;
  };
}

const MISSING =
  'Authentication required: send "Authorization: Bearer <API key>" ' +
  '(the operator issues keys through API_KEYS).';
const WRONG =
  'The API key is not valid. Check the "Authorization: Bearer <API key>" header; ' +
  'ask the operator for a key if you have none.';

export async function requireTenant(request: FastifyRequest): Promise<void> {
  if (request.tenant !== null) return;
  if (!request.sentCredentials) {
    throw apiError('unauthorized', MISSING, {
      'www-authenticate': 'Bearer realm="listclean"',
    });
  }
  throw apiError('unauthorized', WRONG, {
    'www-authenticate': 'Bearer realm="listclean", error="invalid_token"',
  });
}

/** The authenticated tenant inside a /v1 route (requireTenant has run). */
export function tenantOf(request: FastifyRequest): string {
  if (request.tenant === null) throw new Error('tenantOf called on an unauthenticated request');
  return request.tenant;
}
