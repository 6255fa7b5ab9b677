/**
 * Whether a domain sits under a real, public top-level domain. Names under reserved or private
 * TLDs (`.test`, `.internal`, a company's `.corp`) are deliberate, never typos of public ones.
 */
import { getPublicSuffix, parse } from 'tldts';

/** RFC 2606, RFC 6761, RFC 6762, RFC 9476, ICANN's .internal and common intranet names. */
const RESERVED_TLDS = new Set([
  'alt',
  'corp',
  'example',
  'home',
  'internal',
  'intranet',
  'invalid',
  'lan',
  'local',
  'localdomain',
  'localhost',
  'onion',
  'private',
  'test',
]);

export function hasPublicTld(domain: string): boolean {
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (RESERVED_TLDS.has(tld) || domain === 'home.arpa' || domain.endsWith('.home.arpa')) {
    return false;
  }
  // Without the private section, an ICANN match means the TLD itself is in the Public Suffix
  // List; unknown TLDs only match the implicit `*` rule, which tldts reports as not ICANN.
  const parsed = parse(domain, { allowPrivateDomains: false, extractHostname: false });
  return parsed.isIcann === true && parsed.isIp !== true;
}

/** The label left of the public suffix: `gmail` for `gmail.com`, `yahoo` for `yahoo.co.uk`. */
export function registrableLabel(domain: string): string {
  const parsed = parse(domain, { allowPrivateDomains: false, extractHostname: false });
  return parsed.domainWithoutSuffix ?? '';
}

/**
 * Whether `domain` is itself a public suffix (`com`, `co.uk`, `edu.pl`): a name under which
 * anyone can register, so no list entry may speak for all of its subdomains.
 */
export function isPublicSuffix(domain: string): boolean {
  return getPublicSuffix(domain, { allowPrivateDomains: false, extractHostname: false }) === domain;
}
