/**
 * Short-lived signed download links, so a browser can fetch a report by navigating to it (a
 * download, report.html in a tab, an S3 redirect) without the API key ever being in a URL:
 *
 *   /v1/lists/<id>/reports/<kind>?partial=true&expires=<unix seconds>&sig=<base64url>
 *   /v1/lists/<id>/runs/<run>/reports/<kind>?expires=…&sig=…
 *
 * sig = HMAC-SHA256(secret, JSON ["v1", tenant, list, run or "", kind, partial, expires]), where
 * secret = HMAC-SHA256(key = an API key of the tenant, message = "listclean-download-v1") — as
 * webhook secrets are derived (src/webhook/signature.ts), so every API process with the same
 * API_KEYS signs and checks alike with no shared state. A link is signed with the tenant's first
 * key and accepted with any of its keys (rotation), for LINK_TTL_SECONDS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { apiError } from './errors.ts';
import type { ApiKey } from './key-ring.ts';

export const LINK_TTL_SECONDS = 60;
const SECRET_CONTEXT = 'listclean-download-v1';
/**
 * 32 bytes of HMAC in base64url, canonical: the 43rd character carries 4 bits and 2 unused ones
 * that must be zero. Decoders ignore them, so without this check four spellings of one
 * signature would all pass.
 */
const SIG_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** What a link opens: one report of a list (or of one of its runs). */
export interface LinkTarget {
  list: string;
  kind: string;
  /** A run's reports; null: the list's latest. */
  run: string | null;
  partial: boolean;
}

export interface SignedLink {
  /** Path and query, relative to the API's origin. */
  url: string;
  expiresAt: Date;
}

function mac(apiKey: string, tenant: string, target: LinkTarget, expires: number): Buffer {
  const secret = createHmac('sha256', apiKey).update(SECRET_CONTEXT).digest();
  const message = JSON.stringify([
    'v1',
    tenant,
    target.list,
    target.run ?? '',
    target.kind,
    target.partial,
    expires,
  ]);
  return createHmac('sha256', secret).update(message).digest();
}

function tenantKeys(keys: readonly ApiKey[], tenant: string): string[] {
  return keys.filter((k) => k.tenant === tenant).map((k) => k.key);
}

export function signLink(
  keys: readonly ApiKey[],
  tenant: string,
  target: LinkTarget,
  now = Date.now(),
): SignedLink {
  const [key] = tenantKeys(keys, tenant);
  if (key === undefined) throw new Error(`tenant ${tenant} has no API key to sign with`);
  const expires = Math.floor(now / 1000) + LINK_TTL_SECONDS;
  const sig = mac(key, tenant, target, expires).toString('base64url');
  const list = encodeURIComponent(target.list);
  const kind = encodeURIComponent(target.kind);
  const path =
    target.run === null
      ? `/v1/lists/${list}/reports/${kind}`
      : `/v1/lists/${list}/runs/${encodeURIComponent(target.run)}/reports/${kind}`;
  const query = new URLSearchParams();
  if (target.partial) query.set('partial', 'true');
  query.set('expires', String(expires));
  query.set('sig', sig);
  return { url: `${path}?${query}`, expiresAt: new Date(expires * 1000) };
}

export type LinkCheck = 'ok' | 'expired' | 'invalid';

/** Checks a link's expiry, then its signature against every key of the tenant, in constant time. */
export function checkLink(
  keys: readonly ApiKey[],
  tenant: string,
  target: LinkTarget,
  expires: string,
  sig: string,
  now = Date.now(),
): LinkCheck {
  if (!/^\d{1,12}$/.test(expires) || !SIG_PATTERN.test(sig)) return 'invalid';
  const at = Number(expires);
  if (at * 1000 <= now) return 'expired';
  // A link that claims to live longer than any we sign was not made here.
  if (at * 1000 > now + (LINK_TTL_SECONDS + 5) * 1000) return 'invalid';
  const given = Buffer.from(sig, 'base64url');
  let valid = false;
  for (const key of tenantKeys(keys, tenant)) {
    const expected = mac(key, tenant, target, at);
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid ? 'ok' : 'invalid';
}

/** A signed link's parameters: present only when `sig` is; null otherwise. */
function linkParams(request: FastifyRequest): { expires: string; sig: string } | null {
  const query = request.query as Record<string, unknown>;
  if (query.sig === undefined) return null;
  const { expires, sig } = query;
  return {
    expires: typeof expires === 'string' ? expires : '',
    sig: typeof sig === 'string' ? sig : '',
  };
}

const INVALID =
  'This download link is not valid: it does not match its list, report or key (or the list is ' +
  'gone). Ask for a new one with POST …/link, or send "Authorization: Bearer <API key>".';
const EXPIRED =
  `This download link has expired (links live ${LINK_TTL_SECONDS} s). Ask for a new one ` +
  'with POST …/link, or send "Authorization: Bearer <API key>".';

/**
 * For the routes that accept a signed link instead of a key (`config.signedLinks`): when the
 * request has no valid key but carries `sig`, check the link and authenticate it as the list's
 * tenant. A link to a list that does not exist answers like a bad signature, so links reveal
 * nothing about other tenants' ids.
 */
export async function acceptSignedLink(request: FastifyRequest): Promise<void> {
  if (request.tenant !== null || request.routeOptions.config?.signedLinks !== true) return;
  const link = linkParams(request);
  if (link === null) return;
  const params = request.params as Record<string, unknown>;
  const query = request.query as Record<string, unknown>;
  const list = typeof params.id === 'string' ? params.id : '';
  const target: LinkTarget = {
    list,
    kind: typeof params.kind === 'string' ? params.kind : '',
    run: typeof params.run === 'string' ? params.run : null,
    partial: query.partial === 'true',
  };
  const meta = list === '' ? null : await request.server.rt.lists.get(list);
  const keys = request.server.rt.config.API_KEYS;
  // Checked even for a list that is not there, so both take as long.
  const check = checkLink(keys, meta?.tenant ?? '', target, link.expires, link.sig);
  if (check === 'expired') throw apiError('link_expired', EXPIRED);
  if (check !== 'ok' || meta === null) throw apiError('link_invalid', INVALID);
  request.tenant = meta.tenant;
}
