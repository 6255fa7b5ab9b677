/**
 * The mail server the doctor opens port 25 towards (DOCTOR_PROBE_HOST): a name resolved through
 * the doctor's DNS (so through DNS_SERVERS when set), or an address as given.
 */
import net from 'node:net';
import { type Answer, type DnsLookups, describeAnswer } from './dns.ts';

export interface ProbeHost {
  host: string;
  /** Its IPv4 addresses, then its IPv6 ones; empty when it does not resolve. */
  addresses: string[];
  /** Why there are no addresses. */
  problem: string | null;
}

export async function resolveProbeHost(
  host: string,
  dns: Pick<DnsLookups, 'a' | 'aaaa'>,
): Promise<ProbeHost> {
  if (net.isIP(host) !== 0) return { host, addresses: [host], problem: null };
  const [v4, v6] = await Promise.all([dns.a(host), dns.aaaa(host)]);
  const addresses = [...valuesOf(v4), ...valuesOf(v6)];
  if (addresses.length > 0) return { host, addresses, problem: null };
  const problem =
    v4.kind === 'error' || v6.kind === 'error'
      ? `its lookup failed: ${describeAnswer(v4.kind === 'error' ? v4 : v6)}`
      : `it has no A or AAAA record (${describeAnswer(v4)})`;
  return { host, addresses: [], problem };
}

/** The probe address to use from an egress of that family (null: any, IPv4 first). */
export function probeAddress(probe: ProbeHost, family: 4 | 6 | null): string | null {
  const fits = probe.addresses.filter((ip) => family === null || net.isIP(ip) === family);
  return fits[0] ?? null;
}

function valuesOf(answer: Answer<string>): string[] {
  return answer.kind === 'ok' ? answer.values : [];
}
