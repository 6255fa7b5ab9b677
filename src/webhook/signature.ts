/**
 * Webhook signatures. Each delivery carries
 *   X-Listclean-Timestamp: <unix seconds>
 *   X-Listclean-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>[,v1=…]
 * where a tenant's secret is derived from an API key it already holds:
 *   secret = hex(HMAC-SHA256(key = <API key>, message = "listclean-webhook-v1"))
 * (the 64-character hex string itself is the HMAC key of the signature). A tenant with several
 * API keys gets one `v1=` per key, so a receiver keeps verifying while keys are rotated.
 * The timestamp is signed too, so a captured delivery cannot be replayed after the tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SECRET_CONTEXT = 'listclean-webhook-v1';
export const SIGNATURE_VERSION = 'v1';

export function webhookSecret(apiKey: string): string {
  return createHmac('sha256', apiKey).update(SECRET_CONTEXT).digest('hex');
}

/** One `v1=<hex>` entry. */
export function signWebhook(body: string, timestamp: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/**
 * For receivers (and tests): true if `signature` (the header, possibly several comma-separated
 * `v1=` entries) holds a valid signature of `body` at `timestamp` made with `secret`, and the
 * timestamp is within `toleranceSeconds` of now. `body` must be the raw bytes as received.
 */
export function verifyWebhookSignature(
  body: string | Buffer,
  timestamp: string | number,
  signature: string,
  secret: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const ts = typeof timestamp === 'number' ? timestamp : parseTimestamp(timestamp);
  if (!Number.isSafeInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(
    signWebhook(typeof body === 'string' ? body : body.toString('utf8'), ts, secret),
  );
  return signature.split(',').some((entry) => {
    const given = Buffer.from(entry.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Digits only: `1.7e9` or ` 17…` would parse as numbers but are not what we send. */
function parseTimestamp(raw: string): number {
  return /^\d{1,12}$/.test(raw) ? Number(raw) : Number.NaN;
}
