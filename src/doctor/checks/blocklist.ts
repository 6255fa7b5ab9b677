/**
 * An egress address on a DNS blocklist: an A record in 127.0.0.0/8 at the address's reversed
 * octets (IPv6: nibbles) under the list's zone means listed (RFC 5782), NXDOMAIN means not.
 * Spamhaus answers 127.255.255.x instead when it refuses the question — asked through a public
 * resolver, too often, or malformed — which says nothing about the address.
 */
import { type DnsLookups, describeAnswer } from '../dns.ts';
import { reversedLabels } from '../ip.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

/** Spamhaus's return codes for a refused query. */
const REFUSALS: Record<string, string> = {
  '127.255.255.252': 'the query name is malformed',
  '127.255.255.254': 'queries through public or open resolvers are refused',
  '127.255.255.255': 'too many queries from this resolver',
};

/** `203.0.113.5`, `zen.spamhaus.org` → `5.113.0.203.zen.spamhaus.org`. */
export function blocklistName(ip: string, zone: string): string {
  return `${reversedLabels(ip)}.${zone}`;
}

export async function blocklistCheck(
  ip: string,
  zone: string,
  dns: Pick<DnsLookups, 'a' | 'txt'>,
): Promise<Finding> {
  const name = blocklistName(ip, zone);
  const [answer, reasons] = await Promise.all([dns.a(name), dns.txt(name)]);
  if (answer.kind === 'none')
    return pass(`${ip} is not listed (${name}: ${describeAnswer(answer)})`);
  if (answer.kind === 'error') {
    return warn(
      `could not ask ${zone}: ${describeAnswer(answer)}`,
      'check DNS_SERVERS (or the system resolver); some lists refuse resolvers that ask too much',
    );
  }
  const refused = answer.values.filter((a) => a.startsWith('127.255.255.'));
  if (refused.length > 0 && refused.length === answer.values.length) {
    const why = refused
      .map((a) => `${a}: ${REFUSALS[a] ?? 'the list refused the query'}`)
      .join('; ');
    return warn(
      `${zone} refused the query (${why}); whether ${ip} is listed is unknown`,
      `ask ${zone} through a resolver of your own (DNS_SERVERS), not a public one; Spamhaus also offers a free key zone (DQS) for that`,
    );
  }
  const listed = answer.values.filter((a) => a.startsWith('127.') && !a.startsWith('127.255.255.'));
  if (listed.length === 0) {
    return warn(
      `${zone} answered ${answer.values.join(', ')}, not a 127.0.0.x listing code: the resolver may rewrite unknown names`,
      'use a resolver that returns NXDOMAIN as it is (DNS_SERVERS)',
    );
  }
  const why = reasons.kind === 'ok' && reasons.values.length > 0 ? `: "${reasons.values[0]}"` : '';
  return fail(
    `${ip} is listed on ${zone} (${listed.join(', ')})${why}`,
    `find out why on ${zone}'s site and ask for removal once the cause is fixed; until then probe from another address`,
  );
}
