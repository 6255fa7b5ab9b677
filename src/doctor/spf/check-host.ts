/**
 * RFC 7208's check_host(): does `domain`'s SPF policy authorise `ip` to send for `sender`? A
 * small evaluator over any resolver (the doctor's, or a fake in tests): ip4/ip6 with prefix
 * lengths, a, mx, ptr, exists, include (recursive), redirect=, the four qualifiers and macros;
 * at most 10 DNS-querying terms and 2 void lookups per evaluation (§4.6.4), more than 10 MX or
 * PTR names per term is an error, and `exp=` is never fetched (only the result matters here).
 *
 * Not a library from npm: the one kept well (mailauth) needs Node ≥ 22.19 and brings undici 8, a
 * second commander and nodemailer; the others are unmaintained.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Answer, DnsLookups } from '../dns.ts';
import { expandDomainSpec, type MacroContext } from './macro.ts';
import {
  type Directive,
  isSpfRecord,
  type Mechanism,
  parseSpfRecord,
  type Qualifier,
  SpfSyntaxError,
} from './record.ts';

export type SpfResult =
  | 'pass'
  | 'fail'
  | 'softfail'
  | 'neutral'
  | 'none'
  | 'permerror'
  | 'temperror';

export interface SpfOutcome {
  result: SpfResult;
  /** Why, for a person: the term that matched and where, or what went wrong. */
  reason: string;
  /** The SPF record of the domain asked about, when it has one. */
  record: string | null;
  /** DNS-querying terms evaluated (include, a, mx, ptr, exists, redirect). */
  lookups: number;
}

export interface CheckHostInput {
  ip: string;
  /** The domain whose policy is asked: MAIL FROM's domain. */
  domain: string;
  /** The MAIL FROM address. */
  sender: string;
  helo: string;
}

export type SpfLookups = Pick<DnsLookups, 'a' | 'aaaa' | 'txt' | 'mx' | 'ptr'>;

/** §4.6.4. */
export const MAX_DNS_TERMS = 10;
export const MAX_VOID_LOOKUPS = 2;
const MAX_NAMES_PER_TERM = 10;

const QUALIFIED: Record<Qualifier, SpfResult> = {
  '+': 'pass',
  '-': 'fail',
  '~': 'softfail',
  '?': 'neutral',
};

/** An error result that ends the whole evaluation (§4.6.4, §5.2). */
class Stop extends Error {
  constructor(
    readonly result: 'permerror' | 'temperror',
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface State {
  dns: SpfLookups;
  input: CheckHostInput;
  client: ipaddr.IPv4 | ipaddr.IPv6;
  lookups: number;
  voids: number;
}

interface Evaluated {
  result: SpfResult;
  reason: string;
  record: string | null;
}

/** Never throws; every problem is one of the SPF results. */
export async function checkHost(input: CheckHostInput, dns: SpfLookups): Promise<SpfOutcome> {
  if (net.isIP(input.ip) === 0) {
    return {
      result: 'permerror',
      reason: `${input.ip} is not an IP address`,
      record: null,
      lookups: 0,
    };
  }
  const state: State = { dns, input, client: ipaddr.process(input.ip), lookups: 0, voids: 0 };
  const domain = input.domain.toLowerCase().replace(/\.$/, '');
  let top: string | null = null;
  try {
    const outcome = await evaluate(state, domain, (record) => {
      top ??= record;
    });
    return { ...outcome, record: top, lookups: state.lookups };
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { result: error.result, reason: error.reason, record: top, lookups: state.lookups };
  }
}

/**
 * The domain's SPF record: null when it has none (NXDOMAIN, no TXT, no `v=spf1`); `Stop` when
 * DNS fails (temperror) or it has several (permerror, §4.5).
 */
export async function findSpfRecord(
  dns: Pick<SpfLookups, 'txt'>,
  domain: string,
): Promise<string | null> {
  const answer = await dns.txt(domain);
  if (answer.kind === 'none') return null;
  if (answer.kind === 'error') {
    throw new Stop('temperror', `the TXT lookup of ${domain} failed (${answer.code})`);
  }
  const records = answer.values.filter(isSpfRecord);
  if (records.length > 1) {
    throw new Stop(
      'permerror',
      `${domain} publishes ${records.length} SPF records; it must have one`,
    );
  }
  return records[0] ?? null;
}

/** `findSpfRecord` for callers that want no exceptions. */
export async function lookupSpfRecord(
  dns: Pick<SpfLookups, 'txt'>,
  domain: string,
): Promise<{ record: string | null } | { result: 'permerror' | 'temperror'; reason: string }> {
  try {
    return { record: await findSpfRecord(dns, domain) };
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return { result: error.result, reason: error.reason };
  }
}

async function evaluate(
  state: State,
  domain: string,
  seen: (record: string) => void,
): Promise<Evaluated> {
  if (!isDomainName(domain)) {
    return { result: 'none', reason: `"${domain}" is not a domain name`, record: null };
  }
  const text = await findSpfRecord(state.dns, domain);
  if (text === null) return { result: 'none', reason: `${domain} has no SPF record`, record: null };
  seen(text);
  let record: ReturnType<typeof parseSpfRecord>;
  try {
    record = parseSpfRecord(text);
  } catch (error) {
    if (!(error instanceof SpfSyntaxError)) throw error;
    throw new Stop('permerror', `the SPF record of ${domain} is invalid: ${error.message}`);
  }
  for (const directive of record.directives) {
    if (await matches(state, domain, directive)) {
      return {
        result: QUALIFIED[directive.qualifier],
        reason: `"${directive.term}" matched in the SPF record of ${domain}`,
        record: text,
      };
    }
  }
  if (record.redirect !== null) {
    countLookup(state);
    const target = expand(state, record.redirect, domain);
    const next = await evaluate(state, target, () => undefined);
    if (next.result === 'none') {
      throw new Stop(
        'permerror',
        `redirect=${target} in the SPF record of ${domain}: ${next.reason}`,
      );
    }
    return { ...next, reason: `redirect=${target}: ${next.reason}`, record: text };
  }
  return {
    result: 'neutral',
    reason: `no term of the SPF record of ${domain} matched (neutral by default)`,
    record: text,
  };
}

async function matches(state: State, domain: string, directive: Directive): Promise<boolean> {
  const mechanism: Mechanism = directive.mechanism;
  switch (mechanism.kind) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6':
      return inNetwork(state.client, mechanism.address, mechanism.prefix);
    case 'a': {
      countLookup(state);
      const target = mechanism.domain === null ? domain : expand(state, mechanism.domain, domain);
      const addresses = await addressesOf(state, target, directive.term, true);
      return addresses.some((address) =>
        inNetwork(state.client, address, prefixFor(state, mechanism)),
      );
    }
    case 'mx': {
      countLookup(state);
      const target = mechanism.domain === null ? domain : expand(state, mechanism.domain, domain);
      const mx = await state.dns.mx(target);
      const hosts = recordsOf(state, mx, target, directive.term).map((r) => r.exchange);
      if (hosts.length > MAX_NAMES_PER_TERM) {
        throw new Stop('permerror', `"${directive.term}": ${target} has more than 10 MX hosts`);
      }
      for (const host of hosts) {
        // Null MX (`MX 0 .`) names no host.
        if (host === '') continue;
        const addresses = await addressesOf(state, host, directive.term, false);
        if (addresses.some((a) => inNetwork(state.client, a, prefixFor(state, mechanism)))) {
          return true;
        }
      }
      return false;
    }
    case 'ptr': {
      countLookup(state);
      const target = mechanism.domain === null ? domain : expand(state, mechanism.domain, domain);
      return ptrMatches(state, target);
    }
    case 'include': {
      countLookup(state);
      const target = expand(state, mechanism.domain, domain);
      const included = await evaluate(state, target, () => undefined);
      if (included.result === 'none') {
        throw new Stop('permerror', `"${directive.term}": ${included.reason}`);
      }
      return included.result === 'pass';
    }
    case 'exists': {
      countLookup(state);
      const target = expand(state, mechanism.domain, domain);
      // Always A, whatever the client's family (§5.7).
      const answer = await state.dns.a(target);
      return recordsOf(state, answer, target, directive.term).length > 0;
    }
  }
}

/** §5.5: validated PTR names of the client that are `target` or end in `.target`. */
async function ptrMatches(state: State, target: string): Promise<boolean> {
  const answer = await state.dns.ptr(state.input.ip);
  // A failing PTR lookup just does not match.
  if (answer.kind !== 'ok') return false;
  for (const name of answer.values.slice(0, MAX_NAMES_PER_TERM)) {
    if (name !== target && !name.endsWith(`.${target}`)) continue;
    const forward = state.client.kind() === 'ipv4' ? state.dns.a(name) : state.dns.aaaa(name);
    const addresses = await forward;
    if (addresses.kind !== 'ok') continue;
    if (addresses.values.some((a) => sameAddress(state.client, a))) return true;
  }
  return false;
}

/** The client family's addresses of a name; `countVoid` for the term's own lookup. */
async function addressesOf(
  state: State,
  name: string,
  term: string,
  countVoid: boolean,
): Promise<string[]> {
  const answer = await (state.client.kind() === 'ipv4' ? state.dns.a(name) : state.dns.aaaa(name));
  // An MX host's own addresses are not the term's lookup: finding none is no void lookup.
  if (!countVoid && answer.kind !== 'error') return answer.kind === 'ok' ? answer.values : [];
  return recordsOf(state, answer, name, term);
}

function recordsOf<T>(state: State, answer: Answer<T>, name: string, term: string): T[] {
  if (answer.kind === 'error') {
    throw new Stop('temperror', `"${term}": the lookup of ${name} failed (${answer.code})`);
  }
  const values = answer.kind === 'ok' ? answer.values : [];
  if (values.length === 0) {
    state.voids += 1;
    if (state.voids > MAX_VOID_LOOKUPS) {
      throw new Stop(
        'permerror',
        `more than ${MAX_VOID_LOOKUPS} lookups found nothing (the last: ${name}, in "${term}")`,
      );
    }
  }
  return values;
}

function countLookup(state: State): void {
  state.lookups += 1;
  if (state.lookups > MAX_DNS_TERMS) {
    throw new Stop('permerror', `the policy needs more than ${MAX_DNS_TERMS} DNS lookups`);
  }
}

function expand(state: State, spec: string, domain: string): string {
  const ctx: MacroContext = {
    sender: state.input.sender,
    domain,
    ip: state.input.ip,
    helo: state.input.helo,
  };
  try {
    return expandDomainSpec(spec, ctx).toLowerCase();
  } catch (error) {
    if (!(error instanceof SpfSyntaxError)) throw error;
    throw new Stop('permerror', error.message);
  }
}

function prefixFor(state: State, mechanism: { cidr4: number; cidr6: number }): number {
  return state.client.kind() === 'ipv4' ? mechanism.cidr4 : mechanism.cidr6;
}

/** Whether `client` is in `network/prefix`; never across address families. */
export function inNetwork(
  client: ipaddr.IPv4 | ipaddr.IPv6,
  network: string,
  prefix: number,
): boolean {
  if (!ipaddr.isValid(network)) return false;
  const range = ipaddr.parse(network);
  if (range.kind() !== client.kind()) return false;
  return client.kind() === 'ipv4'
    ? (client as ipaddr.IPv4).match(range as ipaddr.IPv4, prefix)
    : (client as ipaddr.IPv6).match(range as ipaddr.IPv6, prefix);
}

function sameAddress(client: ipaddr.IPv4 | ipaddr.IPv6, other: string): boolean {
  return inNetwork(client, other, client.kind() === 'ipv4' ? 32 : 128);
}

/** §4.3: a multi-label name of valid labels (a trailing dot aside). */
function isDomainName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0 && label.length <= 63);
}
