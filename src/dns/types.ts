/** What the DNS stage tells the SMTP stage about one domain (DESIGN §2.2). */

export interface MxHost {
  /** Host name of the exchange, lower-case, no trailing dot. */
  exchange: string;
  /** MX preference; lower is tried first. Implicit MX gets 0. */
  preference: number;
  /** Its A then AAAA addresses, as resolved through the configured DNS servers. */
  addresses: string[];
}

export type MxLookup =
  /** Hosts sorted by preference (ties in answer order); `implicit` when taken from A/AAAA (RFC 5321 §5.1). */
  | { kind: 'ok'; hosts: MxHost[]; implicit: boolean }
  /** NXDOMAIN. */
  | { kind: 'no_domain'; detail: string }
  /** Null MX (RFC 7505), or no MX and no A/AAAA, or MX hosts that all resolve to nothing. */
  | { kind: 'no_mail_server'; detail: string }
  /** SERVFAIL, REFUSED, timeouts: still failing after the retries. */
  | { kind: 'temporary'; detail: string };

export type TxtLookup =
  /** The name's TXT records, each one's strings joined (RFC 7208 §3.3). */
  | { kind: 'ok'; records: string[] }
  /** NXDOMAIN or no TXT record: the name publishes nothing. */
  | { kind: 'none' }
  /** SERVFAIL, REFUSED, timeouts: still failing after the retries. */
  | { kind: 'temporary'; detail: string };

export interface DnsOptions {
  /** `ip` or `ip:port` (IPv6 as `[::1]:53`). Empty or absent: the system resolver. When set, EVERY query goes there. */
  servers?: string[];
  /** Per-query timeout. */
  timeoutMs?: number;
  /** Attempts per query before a SERVFAIL/timeout counts as `temporary`. */
  tries?: number;
  /** Upper bound on how long any answer is cached, whatever its TTL says. */
  maxCacheTtlSeconds?: number;
  /** How long NXDOMAIN / no-data answers are cached (negative caching). */
  negativeCacheTtlSeconds?: number;
  /** Domains kept in the cache at most; the oldest entry goes first. */
  maxCacheEntries?: number;
}
