/**
 * Domain signals (issue 12): does the domain publish SPF, and what DMARC policy does it ask
 * receivers to apply? Two TXT questions per domain (the domain, `_dmarc.<domain>`), a third for
 * a subdomain without a record of its own (the organizational domain, RFC 7489 §6.6.3), asked
 * through the MX resolver — the same DNS servers, timeouts, retries and cache.
 *
 * They describe the domain's mail setup, never a verdict: a sender reads them next to it (a
 * domain with `p=reject` bounces spoofed mail; one with neither is often a parked domain).
 */
import { getDomain } from 'tldts';
import type { DmarcPolicy } from '../verdict/result.ts';
import type { TxtLookup } from './types.ts';

export interface DnsSignals {
  /** The domain publishes a `v=spf1` TXT record; null when DNS failed. */
  spf: boolean | null;
  /** Its DMARC policy (`absent` without one); null when DNS failed. */
  dmarc: DmarcPolicy | null;
}

export const UNKNOWN_SIGNALS: DnsSignals = { spf: null, dmarc: null };

/**
 * RFC 7208 §4.5: an SPF record begins with exactly the version section `v=spf1`, ended by a
 * space or the end of the record (`v=spf10` is not one). The ABNF's quoted string is
 * case-insensitive.
 */
export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(?: |$)/i.test(txt);
}

/** True when one of the domain's TXT records is SPF; null when the lookup failed. */
export function spfFrom(lookup: TxtLookup): boolean | null {
  if (lookup.kind === 'temporary') return null;
  return lookup.kind === 'ok' && lookup.records.some(isSpfRecord);
}

type Requested = Exclude<DmarcPolicy, 'absent'>;
const POLICIES: ReadonlySet<string> = new Set<Requested>(['none', 'quarantine', 'reject']);

export interface DmarcRecord {
  /** `p=`, when valid. */
  p: Requested | null;
  /** `sp=` (the policy for subdomains), when valid. */
  sp: Requested | null;
  /** An `sp=` tag that is there but not one of the three policies. */
  spInvalid: boolean;
  /** A `rua=` tag with something in it (RFC 7489 §6.6.3 step 6 reads it). */
  rua: boolean;
}

/**
 * RFC 7489 §6.3/§6.4: `v=DMARC1; p=reject; sp=none; rua=…`, tag-value pairs separated by `;`
 * with optional whitespace. Null when the text is not a DMARC record: it must start with the
 * `v` tag, whose value is exactly `DMARC1` (the ABNF spells it in hex, so case counts); other
 * tag names and the policy values are case-insensitive.
 */
export function parseDmarcRecord(txt: string): DmarcRecord | null {
  const tags = txt.split(';').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0
      ? { name: part.trim().toLowerCase(), value: '' }
      : { name: part.slice(0, eq).trim().toLowerCase(), value: part.slice(eq + 1).trim() };
  });
  const [version, ...rest] = tags;
  if (version?.name !== 'v' || version.value !== 'DMARC1') return null;
  // The first of a repeated tag counts.
  const tag = (name: string): string | undefined => rest.find((t) => t.name === name)?.value;
  const policy = (value: string | undefined): Requested | null => {
    const lower = value?.toLowerCase();
    return lower !== undefined && POLICIES.has(lower) ? (lower as Requested) : null;
  };
  const sp = tag('sp');
  return {
    p: policy(tag('p')),
    sp: policy(sp),
    spInvalid: sp !== undefined && policy(sp) === null,
    rua: (tag('rua') ?? '') !== '',
  };
}

/**
 * The policy a set of TXT records at `_dmarc.<name>` asks for (RFC 7489 §6.6.3): only records
 * starting with `v=DMARC1` count; none → `undefined` (look at the organizational domain); more
 * than one → `absent` (discovery ends, no policy applies). `forSubdomain`: the record was found
 * at the organizational domain for a subdomain, so `sp` counts before `p`. A record without a
 * valid policy applies `none` when it asks for reports (`rua`), else no policy (step 6).
 */
export function dmarcPolicyOf(
  records: readonly string[],
  forSubdomain = false,
): DmarcPolicy | undefined {
  const found = records.flatMap((txt) => {
    const record = parseDmarcRecord(txt);
    return record ? [record] : [];
  });
  if (found.length === 0) return undefined;
  const [record] = found;
  if (found.length > 1 || !record) return 'absent';
  const requested = forSubdomain && record.sp !== null ? record.sp : record.p;
  if (requested === null || record.spInvalid) return record.rua ? 'none' : 'absent';
  return requested;
}

/** The registrable domain (ICANN suffixes, as `providerKey`), when it differs from `domain`. */
export function organizationalDomain(domain: string): string | null {
  const org = getDomain(domain);
  return org && org !== domain ? org : null;
}

/**
 * SPF and DMARC of one domain; never rejects. A domain whose own TXT lookup failed gets null
 * for both: its zone does not answer, so an unanswered `_dmarc` would prove nothing either.
 */
export async function lookupDnsSignals(
  domain: string,
  resolveTxt: (name: string) => Promise<TxtLookup>,
): Promise<DnsSignals> {
  const [own, atDomain] = await Promise.all([resolveTxt(domain), resolveTxt(`_dmarc.${domain}`)]);
  if (own.kind === 'temporary') return UNKNOWN_SIGNALS;
  return { spf: spfFrom(own), dmarc: await dmarcOf(domain, atDomain, resolveTxt) };
}

async function dmarcOf(
  domain: string,
  atDomain: TxtLookup,
  resolveTxt: (name: string) => Promise<TxtLookup>,
): Promise<DmarcPolicy | null> {
  if (atDomain.kind === 'temporary') return null;
  const own = dmarcPolicyOf(atDomain.kind === 'ok' ? atDomain.records : []);
  if (own !== undefined) return own;
  const org = organizationalDomain(domain);
  if (org === null) return 'absent';
  const atOrg = await resolveTxt(`_dmarc.${org}`);
  if (atOrg.kind === 'temporary') return null;
  return dmarcPolicyOf(atOrg.kind === 'ok' ? atOrg.records : [], true) ?? 'absent';
}
