/**
 * The doctor's DNS: c-ares with DNS_SERVERS (when set, every question goes there, as for
 * verification — DESIGN §2.2), each answer told apart as records, "no such name or record", or
 * a failure, and asked once per run. `cancel` stops whatever is still in flight when the run's
 * time is up, so a dead resolver cannot keep the process alive.
 */
import { Resolver } from 'node:dns/promises';
import { parseDnsServer } from '../dns/servers.ts';
import { reversedLabels } from './ip.ts';

export type Answer<T> =
  | { kind: 'ok'; values: T[] }
  /** NXDOMAIN (`ENOTFOUND`) or NODATA (`ENODATA`): a definite "there is none". */
  | { kind: 'none'; code: string }
  /** SERVFAIL, REFUSED, timeouts, unreachable servers: nothing is known. */
  | { kind: 'error'; code: string };

export interface MxAnswer {
  exchange: string;
  priority: number;
}

/** The lookups the checks and the SPF evaluator need. */
export interface DnsLookups {
  a(name: string): Promise<Answer<string>>;
  aaaa(name: string): Promise<Answer<string>>;
  /** Each TXT record with its strings joined (RFC 7208 §3.3). */
  txt(name: string): Promise<Answer<string>>;
  mx(name: string): Promise<Answer<MxAnswer>>;
  /** PTR names of an address (lower case, no trailing dot). */
  ptr(ip: string): Promise<Answer<string>>;
}

const NONE = new Set(['ENOTFOUND', 'ENODATA']);

const WORDS: Record<string, string> = {
  ENOTFOUND: 'no such name (NXDOMAIN)',
  ENODATA: 'no record of that type (NODATA)',
  ESERVFAIL: 'the DNS server reported a server failure (SERVFAIL)',
  ETIMEOUT: 'no DNS answer before the timeout',
  ECONNREFUSED: 'the DNS server could not be reached',
  EREFUSED: 'the DNS server refused the query',
  ECANCELLED: 'the run ended before an answer came',
  EBADNAME: 'not a valid DNS name',
};

/** `ETIMEOUT` → words a person reads in evidence. */
export function describeDnsCode(code: string): string {
  const words = WORDS[code];
  if (words === undefined) return code;
  return NONE.has(code) ? words : `${words} (${code})`;
}

/** What any answer that is not records says, for evidence. */
export function describeAnswer(answer: Answer<unknown>): string {
  return answer.kind === 'ok' ? 'records' : describeDnsCode(answer.code);
}

export class DoctorDns implements DnsLookups {
  readonly #resolver: Resolver;
  readonly #asked = new Map<string, Promise<Answer<unknown>>>();
  /** Every question asked, as `TYPE name`: what the doctor sent where. */
  readonly questions: string[] = [];
  /** Where the questions go, for evidence: the DNS_SERVERS entries, or `the system resolver`. */
  readonly servers: string;

  constructor(options: { servers: readonly string[]; timeoutMs: number }) {
    // c-ares wants whole milliseconds of at least 1.
    this.#resolver = new Resolver({
      timeout: Math.max(1, Math.round(options.timeoutMs)),
      tries: 2,
    });
    const servers = options.servers.map(parseDnsServer);
    if (servers.length > 0) this.#resolver.setServers(servers);
    this.servers = servers.length > 0 ? servers.join(', ') : 'the system resolver';
  }

  a(name: string): Promise<Answer<string>> {
    return this.#ask('A', name, (n) => this.#resolver.resolve4(n));
  }

  aaaa(name: string): Promise<Answer<string>> {
    return this.#ask('AAAA', name, (n) => this.#resolver.resolve6(n));
  }

  txt(name: string): Promise<Answer<string>> {
    return this.#ask('TXT', name, async (n) =>
      (await this.#resolver.resolveTxt(n)).map((chunks) => chunks.join('')),
    );
  }

  mx(name: string): Promise<Answer<MxAnswer>> {
    return this.#ask('MX', name, async (n) =>
      (await this.#resolver.resolveMx(n)).map((record) => ({
        exchange: normaliseName(record.exchange),
        priority: record.priority,
      })),
    );
  }

  ptr(ip: string): Promise<Answer<string>> {
    // A PTR question for the arpa name: `reverse()` would read /etc/hosts first.
    return this.#ask('PTR', reverseName(ip), async (n) =>
      (await this.#resolver.resolvePtr(n)).map(normaliseName),
    );
  }

  /** Ends every query still waiting: they answer `ECANCELLED`. */
  cancel(): void {
    this.#resolver.cancel();
  }

  #ask<T>(type: string, name: string, run: (name: string) => Promise<T[]>): Promise<Answer<T>> {
    const key = `${type} ${normaliseName(name)}`;
    let pending = this.#asked.get(key) as Promise<Answer<T>> | undefined;
    if (pending === undefined) {
      this.questions.push(key);
      // Through a promise: c-ares throws at once for some bad input (a PTR of a non-address).
      pending = Promise.resolve(normaliseName(name))
        .then(run)
        .then(
          (values): Answer<T> => ({ kind: 'ok', values }),
          (error: unknown): Answer<T> => {
            const code = errorCode(error);
            return NONE.has(code) ? { kind: 'none', code } : { kind: 'error', code };
          },
        );
      this.#asked.set(key, pending);
    }
    return pending;
  }
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'EUNKNOWN';
}

/** `203.0.113.5` → `5.113.0.203.in-addr.arpa`; IPv6 by nibbles under `ip6.arpa`. */
export function reverseName(ip: string): string {
  return `${reversedLabels(ip)}.${ip.includes(':') ? 'ip6' : 'in-addr'}.arpa`;
}

export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
