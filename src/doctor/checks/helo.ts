/**
 * HELO_NAME: a fully qualified name that resolves (A/AAAA) to the egress address, ideally the
 * name the address's PTR gives. Receivers compare the three; Postfix's
 * reject_unknown_helo_hostname refuses a name that does not resolve at all.
 */
import net from 'node:net';
import { type DnsLookups, describeAnswer } from '../dns.ts';
import { sameIp } from '../ip.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

export interface HeloInput {
  helo: string;
  /** The egress address, or null when it cannot be known. */
  ip: string | null;
  /** The address's PTR names (empty: none, or not known). */
  ptrNames: readonly string[];
  /** The egress, for a fix that cannot name its address. */
  egress: string;
}

export async function heloCheck(
  input: HeloInput,
  dns: Pick<DnsLookups, 'a' | 'aaaa'>,
): Promise<Finding> {
  const { helo, ip } = input;
  const suggestion = input.ptrNames[0];
  if (/^\[.*\]$/.test(helo)) {
    return warn(
      `HELO_NAME is the address literal ${helo}`,
      `set HELO_NAME to a host name${suggestion ? ` (${suggestion}, the PTR name)` : ''}: many receivers distrust literals`,
    );
  }
  if (!helo.includes('.')) {
    return fail(
      `HELO_NAME "${helo}" is not a fully qualified name (the default is this host's name)`,
      `set HELO_NAME to the name your address's PTR gives${suggestion ? ` (${suggestion})` : ', e.g. verify.example.com'}`,
    );
  }
  const [v4, v6] = await Promise.all([dns.a(helo), dns.aaaa(helo)]);
  const addresses = [v4, v6].flatMap((a) => (a.kind === 'ok' ? a.values : []));
  const record = ip !== null && net.isIPv6(ip) ? 'AAAA' : 'A';
  if (addresses.length === 0) {
    const broken = v4.kind === 'error' ? v4 : v6.kind === 'error' ? v6 : null;
    if (broken !== null) {
      return warn(
        `the lookup of HELO_NAME ${helo} failed: ${describeAnswer(broken)}`,
        'check DNS_SERVERS (or the system resolver), then run the doctor again',
      );
    }
    return fail(
      `HELO_NAME ${helo} does not resolve (${describeAnswer(v4)})`,
      `publish ${helo} ${record} ${ip ?? `<the address of ${input.egress}>`}`,
    );
  }
  const resolved = `${helo} → ${addresses.join(', ')}`;
  if (ip === null) {
    return warn(
      `${resolved}; not compared with the address of ${input.egress}, which cannot be told`,
      `set DOCTOR_EGRESS_ADDRESSES=${input.egress}=<its public address> to compare`,
    );
  }
  if (!addresses.some((a) => sameIp(a, ip))) {
    return warn(
      `${resolved}, not ${ip}`,
      suggestion
        ? `set HELO_NAME=${suggestion} (the PTR name of ${ip}), or point ${helo} at ${ip}`
        : `point ${helo} (${record}) at ${ip}, and the PTR of ${ip} at ${helo}`,
    );
  }
  if (input.ptrNames.length > 0 && !input.ptrNames.includes(helo.toLowerCase())) {
    return warn(
      `${resolved}, but the PTR of ${ip} is ${input.ptrNames.join(', ')}`,
      `set HELO_NAME=${suggestion}, or the PTR of ${ip} to ${helo}: receivers compare the two`,
    );
  }
  return pass(resolved);
}
