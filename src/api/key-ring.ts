/**
 * API keys → tenants, compared in constant time: both sides are hashed (so lengths never
 * differ) and every key is compared, match or not, so timing says nothing about which key or
 * how much of it was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKey {
  tenant: string;
  key: string;
}

export interface KeyMatch {
  tenant: string;
  /** sha256 of the key, hex: safe to use as a rate-limit bucket or in logs. */
  keyHash: string;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class KeyRing {
  readonly #entries: Array<{ tenant: string; digest: Buffer }>;

  constructor(keys: readonly ApiKey[]) {
    this.#entries = keys.map(({ tenant, key }) => ({ tenant, digest: sha256(key) }));
  }

  get size(): number {
    return this.#entries.length;
  }

  match(presented: string): KeyMatch | null {
    const digest = sha256(presented);
    let found: KeyMatch | null = null;
    for (const entry of this.#entries) {
      // No early exit: the loop costs the same whichever key (if any) matches.
      if (timingSafeEqual(digest, entry.digest) && found === null) {
        found = { tenant: entry.tenant, keyHash: digest.toString('hex') };
      }
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
