/**
 * The provider key that groups domains into probe pools (DESIGN §1): thousands of company
 * domains share Google's or Microsoft's MX hosts, and those providers throttle per sending IP,
 * so the pool is the MX host's registrable domain, not the recipient's domain.
 */
import net from 'node:net';
import { getDomain } from 'tldts';

/**
 * `aspmx.l.google.com` → `google.com`, `mx1.mail.protection.outlook.com` → `outlook.com`.
 * Only ICANN suffixes count (tldts' default): with private suffixes `*.amazonaws.com` hosts would
 * each become their own provider although one company throttles them all.
 */
export function providerKey(mxHost: string): string {
  const host = mxHost.trim().toLowerCase().replace(/\.$/, '');
  const literal = host.replace(/^\[(.*)\]$/, '$1');
  // An IP literal is one machine: its own pool. Its "last two labels" would lump strangers.
  if (net.isIP(literal) !== 0) return literal;
  return getDomain(host) ?? host.split('.').slice(-2).join('.');
}

/**
 * The brand names people know for the big mail providers, by their MX hosts' registrable domain;
 * any other MX is named by that domain (`mx_provider` in results, issue 12).
 */
const BRANDS: Record<string, string> = {
  'google.com': 'google',
  'googlemail.com': 'google',
  'outlook.com': 'microsoft',
  'hotmail.com': 'microsoft',
  'yahoodns.net': 'yahoo',
  'icloud.com': 'apple',
  'me.com': 'apple',
  'zoho.com': 'zoho',
  'zoho.eu': 'zoho',
  'protonmail.ch': 'proton',
  'yandex.net': 'yandex',
  'yandex.ru': 'yandex',
  'mail.ru': 'mail.ru',
  'gmx.net': 'gmx',
  'web.de': 'web.de',
  'aol.com': 'aol',
  'fastmail.com': 'fastmail',
  'messagingengine.com': 'fastmail',
  'pphosted.com': 'proofpoint',
  'mimecast.com': 'mimecast',
  'barracudanetworks.com': 'barracuda',
  'secureserver.net': 'godaddy',
  'ovh.net': 'ovh',
  'qq.com': 'tencent',
  '163.com': 'netease',
  'naver.com': 'naver',
};

/**
 * The providers' own MX domains — the ones metrics may name (METRICS_PROVIDERS' default): a
 * label such as `google.com` says nothing about whose mail a list holds, while a company's own
 * MX domain would name the company.
 */
export const BIG_MAIL_PROVIDERS = Object.keys(BRANDS);

/** `aspmx.l.google.com` → `google`; `mx.example-hoster.net` → `example-hoster.net`. */
export function mailProvider(mxHost: string | null): string | null {
  if (!mxHost) return null;
  const key = providerKey(mxHost);
  return BRANDS[key] ?? key;
}
