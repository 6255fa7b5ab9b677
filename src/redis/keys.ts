/**
 * The Redis key layout, in one place. Every key starts with the caller's prefix (`listclean:`).
 * Keys that one Lua script or MULTI touches together share a Cluster hash tag (`{…}`), so they
 * land in one slot; keys touched alone carry none, so they spread over the cluster.
 */

export interface GateKeys {
  /** Sorted set: lease id → expiry (ms since the epoch, Redis clock). */
  leases: string;
  /** Hash: `tokens`, `updated_at` (ms) of the connection-rate token bucket. */
  bucket: string;
  /** Hash: `factor` (AIMD multiplier, absent = 1.0), `penalised_at` (ms). */
  factor: string;
}

export function gateKeys(prefix: string, provider: string): GateKeys {
  const tag = `${prefix}{gate:${provider}}`;
  return { leases: `${tag}:leases`, bucket: `${tag}:bucket`, factor: `${tag}:factor` };
}

/** String `1` / `0`: is the domain catch-all. */
export function catchAllKey(prefix: string, domain: string): string {
  return `${prefix}catch-all:${domain}`;
}

/** String: the local part every process probes the domain with. */
export function catchAllProbeKey(prefix: string, domain: string): string {
  return `${prefix}catch-all-probe:${domain}`;
}

/** String: the compact verdict of one normalised address, TTL by verdict kind. */
export function verdictKey(prefix: string, address: string): string {
  return `${prefix}verdict:${address}`;
}

/**
 * Hash: normalised address → compact verdict for one list. Tagged by list id so the pipeline's
 * other per-list keys can join it in one MULTI or script.
 */
export function listResultsKey(prefix: string, listId: string): string {
  return `${prefix}list:{${listId}}:results`;
}

/** String (JSON `BreakerState`, TTL = cool-down): the provider refuses us; do not probe it. */
export function breakerKey(prefix: string, provider: string): string {
  return `${prefix}breaker:${provider}`;
}

/**
 * Hash for one run of a list: provider → the breaker state that refused us (JSON), and
 * `<provider>\n` → how many of the list's addresses it left `unknown / blocked`.
 */
export function listBlockedKey(prefix: string, listId: string, runId: string): string {
  return `${prefix}list:${listId}:blocked:${runId}`;
}
