/**
 * Label values as recorded. Providers are registrable domains and reply codes three digits, but
 * both come from the outside world, so anything else is folded rather than trusted.
 */
import { OTHER } from './keys.ts';

/** Stands for a round that never learnt its provider (no MX, DNS failure). */
export const UNKNOWN_PROVIDER = 'unknown';

const PROVIDER = /^[a-z0-9._-]{1,253}$/;
const REPLY_CODE = /^[2-5][0-9][0-9]$/;

/**
 * `allowed`: the providers a label may name (METRICS_PROVIDERS). Anyone else's MX domain is
 * `other`: a scrape must not tell which companies' addresses the lists hold.
 */
export function providerLabel(
  provider: string | null | undefined,
  allowed?: ReadonlySet<string>,
): string {
  if (!provider) return UNKNOWN_PROVIDER;
  const v = provider.toLowerCase();
  if (!PROVIDER.test(v)) return OTHER;
  return allowed === undefined || allowed.has(v) ? v : OTHER;
}

/** A basic SMTP reply code, or `other` (there are at most 400 codes, so the label stays small). */
export function replyCodeLabel(code: string | number): string {
  const v = String(code).trim();
  return REPLY_CODE.test(v) ? v : OTHER;
}

/** Verdict statuses are ours, but the label must still be a short word. */
export function statusLabel(status: string): string {
  return /^[a-z_]{1,32}$/.test(status) ? status : OTHER;
}
