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
