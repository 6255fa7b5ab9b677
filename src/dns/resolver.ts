/**
 * The MX stage (DESIGN §2.2; RFC 5321 §5.1, RFC 7505) on Node's c-ares resolver. A private
 * `Resolver` with `setServers` is what guarantees that, once DNS_SERVERS is set, every query,
 * the A/AAAA of the MX hosts included, goes there and never to the system resolver. The same
 * resolver answers the TXT questions of the domain signals (SPF, DMARC; src/dns/signals.ts).
 */
import type { MxRecord, RecordWithTtl } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ListcleanError } from '../errors.ts';
import { TtlCache } from './cache.ts';
import { parseDnsServer } from './servers.ts';
import type { DnsOptions, MxHost, MxLookup, TxtLookup } from './types.ts';

const DEFAULTS = {
  timeoutMs: 2000,
  tries: 2,
  maxCacheTtlSeconds: 300,
  negativeCacheTtlSeconds: 60,
  maxCacheEntries: 100_000,
};

/**
 * c-ares already retries each query `tries` times back to back; one more round after a pause
 * rides out a resolver that is briefly overloaded or restarting.
 */
const OUTER_RETRIES = 1;
const RETRY_BACKOFF_MS = 250;

/** Failures worth asking again, with the words a user reads in the verdict's detail. */
const RETRYABLE: Record<string, string> = {
  ESERVFAIL: 'the DNS server reported a server failure',
  ETIMEOUT: 'no DNS answer before the timeout',
  ECONNREFUSED: 'the DNS server could not be reached',
  EREFUSED: 'the DNS server refused the query',
};

/** Answers that settle the question: no such name, no such record, or no valid name at all. */
const DEFINITIVE = new Set(['ENOTFOUND', 'ENODATA', 'EBADNAME']);

/**
 * Only the first hosts are ever tried (Postfix's smtp_mx_address_limit is 5) and each costs two
 * queries, so a domain that lists hundreds of MX hosts cannot make us flood the resolver.
 */
const MAX_MX_HOSTS = 10;

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

/** A lookup and how long it may be reused; 0 means not at all. */
interface Resolved {
  lookup: MxLookup;
  ttlSeconds: number;
}

interface HostAddresses {
  addresses: string[];
  /** The smallest TTL among `addresses`. */
  ttlSeconds: number;
  /** A lookup that failed for now (code), so the answer is incomplete. */
  failure: string | undefined;
}

export class MxResolver {
  readonly #resolver: Resolver;
  readonly #cache: TtlCache<MxLookup>;
  readonly #inFlight = new Map<string, Promise<MxLookup>>();
  readonly #txtCache: TtlCache<TxtLookup>;
  readonly #txtInFlight = new Map<string, Promise<TxtLookup>>();
  readonly #maxTtlSeconds: number;
  readonly #negativeTtlSeconds: number;

  constructor(options: DnsOptions = {}) {
    const timeoutMs = option(options, 'timeoutMs', 1);
    const tries = option(options, 'tries', 1);
    this.#maxTtlSeconds = option(options, 'maxCacheTtlSeconds', 0);
    this.#negativeTtlSeconds = Math.min(
      option(options, 'negativeCacheTtlSeconds', 0),
      this.#maxTtlSeconds,
    );
    this.#cache = new TtlCache(option(options, 'maxCacheEntries', 0));
    this.#txtCache = new TtlCache(option(options, 'maxCacheEntries', 0));
    this.#resolver = new Resolver({ timeout: timeoutMs, tries });
    const servers = (options.servers ?? []).map(parseDnsServer);
    if (servers.length > 0) this.#resolver.setServers(servers);
  }

  /** Never rejects: every DNS outcome is a `MxLookup`. */
  resolveMx(domain: string): Promise<MxLookup> {
    const name = normaliseName(domain);
    const cached = this.#cache.get(name);
    if (cached !== undefined) return Promise.resolve(structuredClone(cached));
    let pending = this.#inFlight.get(name);
    if (pending === undefined) {
      pending = this.#lookup(name)
        .then(({ lookup, ttlSeconds }) => {
          if (lookup.kind !== 'temporary') this.#cache.set(name, lookup, ttlSeconds);
          return lookup;
        })
        .finally(() => this.#inFlight.delete(name));
      this.#inFlight.set(name, pending);
    }
    // Each caller gets its own copy, so one caller reordering hosts cannot touch the cache.
    return pending.then((lookup) => structuredClone(lookup));
  }

  /**
   * The TXT records of a name; never rejects. c-ares does not expose TXT TTLs either: records
   * are cached `maxCacheTtlSeconds`, "none" `negativeCacheTtlSeconds`, failures never.
   */
  resolveTxt(name: string): Promise<TxtLookup> {
    const key = normaliseName(name);
    const cached = this.#txtCache.get(key);
    if (cached !== undefined) return Promise.resolve(structuredClone(cached));
    let pending = this.#txtInFlight.get(key);
    if (pending === undefined) {
      pending = this.#lookupTxt(key)
        .then((lookup) => {
          const ttl =
            lookup.kind === 'ok'
              ? this.#maxTtlSeconds
              : lookup.kind === 'none'
                ? this.#negativeTtlSeconds
                : 0;
          this.#txtCache.set(key, lookup, ttl);
          return lookup;
        })
        .finally(() => this.#txtInFlight.delete(key));
      this.#txtInFlight.set(key, pending);
    }
    return pending.then((lookup) => structuredClone(lookup));
  }

  async #lookupTxt(name: string): Promise<TxtLookup> {
    if (name === '') return { kind: 'none' };
    const txt = await this.#query(() => this.#resolver.resolveTxt(name));
    if (txt.ok) return { kind: 'ok', records: txt.value.map((strings) => strings.join('')) };
    if (DEFINITIVE.has(txt.code)) return { kind: 'none' };
    return { kind: 'temporary', detail: `TXT lookup for ${name} failed: ${describe(txt.code)}` };
  }

  async #lookup(domain: string): Promise<Resolved> {
    if (domain === '') return this.#negative('no_domain', 'the domain name is empty');
    const mx = await this.#query(() => this.#resolver.resolveMx(domain));
    if (mx.ok) return this.#fromMxRecords(domain, mx.value);
    switch (mx.code) {
      case 'ENODATA':
        return this.#implicitMx(domain);
      case 'ENOTFOUND':
        return this.#negative('no_domain', `${domain} does not exist (NXDOMAIN)`);
      case 'EBADNAME':
        return this.#negative('no_domain', `${domain} is not a valid domain name`);
      default:
        return temporary(`MX lookup for ${domain} failed: ${describe(mx.code)}`);
    }
  }

  async #fromMxRecords(domain: string, records: MxRecord[]): Promise<Resolved> {
    const exchanges = records
      .map((record) => ({ exchange: normaliseName(record.exchange), preference: record.priority }))
      // c-ares renders `MX 0 .` as ''. Next to real MX records it is a misconfiguration: ignore it.
      .filter((record) => record.exchange !== '');
    if (exchanges.length === 0) {
      return this.#negative(
        'no_mail_server',
        `${domain} publishes a null MX (RFC 7505): it accepts no mail`,
      );
    }
    // Array#sort is stable, so equal preferences keep the order of the answer.
    exchanges.sort((a, b) => a.preference - b.preference);
    const candidates = exchanges
      .filter(
        (record, index) => exchanges.findIndex((r) => r.exchange === record.exchange) === index,
      )
      .slice(0, MAX_MX_HOSTS);

    const resolved = await Promise.all(
      candidates.map(async (record) => ({
        ...record,
        ...(await this.#addresses(record.exchange)),
      })),
    );
    const reachable = resolved.filter((host) => host.addresses.length > 0);
    const failures = resolved.flatMap((host) =>
      host.failure === undefined ? [] : [`${host.exchange}: ${describe(host.failure)}`],
    );
    if (reachable.length === 0) {
      if (failures.length > 0) {
        return temporary(
          `the MX hosts of ${domain} could not be resolved (${failures.join('; ')})`,
        );
      }
      return this.#negative(
        'no_mail_server',
        `no MX host of ${domain} has an A/AAAA address ` +
          `(${candidates.map((record) => record.exchange).join(', ')})`,
      );
    }
    const hosts: MxHost[] = reachable.map(({ exchange, preference, addresses }) => ({
      exchange,
      preference,
      addresses,
    }));
    return {
      lookup: { kind: 'ok', hosts, implicit: false },
      ttlSeconds: this.#positiveTtl(reachable, failures.length > 0),
    };
  }

  /** RFC 5321 §5.1: no MX records, so the domain itself is the mail server, preference 0. */
  async #implicitMx(domain: string): Promise<Resolved> {
    const own = await this.#addresses(domain);
    if (own.addresses.length === 0) {
      if (own.failure !== undefined) {
        return temporary(`A/AAAA lookup for ${domain} failed: ${describe(own.failure)}`);
      }
      return this.#negative(
        'no_mail_server',
        `${domain} has no MX record and no A/AAAA address (RFC 5321 §5.1)`,
      );
    }
    const host: MxHost = { exchange: domain, preference: 0, addresses: own.addresses };
    return {
      lookup: { kind: 'ok', hosts: [host], implicit: true },
      ttlSeconds: this.#positiveTtl([own], own.failure !== undefined),
    };
  }

  /** A then AAAA of one name, in parallel, each with its TTL. */
  async #addresses(name: string): Promise<HostAddresses> {
    const outcomes = await Promise.all([
      this.#query(() => this.#resolver.resolve4(name, { ttl: true })),
      this.#query(() => this.#resolver.resolve6(name, { ttl: true })),
    ]);
    const records: RecordWithTtl[] = [];
    let failure: string | undefined;
    for (const outcome of outcomes) {
      if (outcome.ok) records.push(...outcome.value);
      else if (!DEFINITIVE.has(outcome.code)) failure ??= outcome.code;
    }
    return {
      addresses: records.map((record) => record.address),
      ttlSeconds: Math.min(...records.map((record) => record.ttl)),
      failure,
    };
  }

  /**
   * c-ares does not expose the TTL of MX records, so an MX result lives as long as its shortest
   * A/AAAA TTL, at most `maxCacheTtlSeconds`: the addresses are what the SMTP stage connects
   * to, and MX sets change far less often than the addresses behind them. An answer missing a
   * host to a transient failure is not cached, or that host would stay lost for the whole TTL.
   */
  #positiveTtl(hosts: HostAddresses[], incomplete: boolean): number {
    if (incomplete) return 0;
    return Math.min(this.#maxTtlSeconds, ...hosts.map((host) => host.ttlSeconds));
  }

  #negative(kind: 'no_domain' | 'no_mail_server', detail: string): Resolved {
    return { lookup: { kind, detail }, ttlSeconds: this.#negativeTtlSeconds };
  }

  async #query<T>(run: () => Promise<T>): Promise<Outcome<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return { ok: true, value: await run() };
      } catch (error) {
        const code = dnsErrorCode(error);
        if (!(code in RETRYABLE) || attempt >= OUTER_RETRIES) return { ok: false, code };
        await delay(RETRY_BACKOFF_MS);
      }
    }
  }
}

function temporary(detail: string): Resolved {
  return { lookup: { kind: 'temporary', detail }, ttlSeconds: 0 };
}

function describe(code: string): string {
  const reason = RETRYABLE[code];
  return reason === undefined ? code : `${code}, ${reason}, after retries`;
}

function dnsErrorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'EUNKNOWN';
}

function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** A numeric option, its default when absent; `config_invalid` when out of range. */
function option(
  options: DnsOptions,
  key: 'timeoutMs' | 'tries' | 'maxCacheTtlSeconds' | 'negativeCacheTtlSeconds' | 'maxCacheEntries',
  minimum: number,
): number {
  const value = options[key] ?? DEFAULTS[key];
  // c-ares takes whole milliseconds and whole tries; whole seconds and entries keep it simple.
  if (!Number.isInteger(value) || value < minimum) {
    throw new ListcleanError(
      'config_invalid',
      `DNS option ${key} is ${value}; it must be a whole number of at least ${minimum}.`,
    );
  }
  return value;
}
