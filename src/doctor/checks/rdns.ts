/**
 * Reverse DNS of an egress address (PTR) and whether it is forward-confirmed: the PTR name
 * resolves back to the address. Gmail, Microsoft and most Postfix set-ups refuse or distrust a
 * client without both.
 */
import net from 'node:net';
import { type DnsLookups, describeAnswer } from '../dns.ts';
import { sameIp } from '../ip.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

export interface PtrOutcome {
  finding: Finding;
  /** The PTR names, when there are any. */
  names: string[];
}

/** `name` when it is a usable host name for the fix ("set reverse DNS to …"). */
function wanted(helo: string): string {
  return /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(helo) ? helo : 'your sending host name';
}

export async function ptrCheck(
  ip: string,
  helo: string,
  dns: Pick<DnsLookups, 'ptr'>,
): Promise<PtrOutcome> {
  const answer = await dns.ptr(ip);
  if (answer.kind === 'ok' && answer.values.length > 0) {
    const names = [...new Set(answer.values)];
    if (names.length > 1) {
      return {
        names,
        finding: warn(
          `${ip} → ${names.join(', ')}: ${names.length} PTR records`,
          `keep one PTR record (receivers may read any of them): ${wanted(helo)}`,
        ),
      };
    }
    return { names, finding: pass(`${ip} → ${names[0]}`) };
  }
  if (answer.kind === 'error') {
    return {
      names: [],
      finding: warn(
        `the PTR lookup of ${ip} failed: ${describeAnswer(answer)}`,
        'check DNS_SERVERS (or the system resolver), then run the doctor again',
      ),
    };
  }
  return {
    names: [],
    finding: fail(
      `no PTR record for ${ip} (${describeAnswer(answer)})`,
      `ask whoever runs ${ip} (your hosting provider) to set its reverse DNS to ${wanted(helo)}`,
    ),
  };
}

export async function fcrdnsCheck(
  ip: string,
  names: readonly string[],
  dns: Pick<DnsLookups, 'a' | 'aaaa'>,
): Promise<Finding> {
  const v6 = net.isIPv6(ip);
  const answers = await Promise.all(
    names.map(async (name) => ({ name, answer: await (v6 ? dns.aaaa(name) : dns.a(name)) })),
  );
  const confirmed = answers.find(
    ({ answer }) => answer.kind === 'ok' && answer.values.some((a) => sameIp(a, ip)),
  );
  if (confirmed) return pass(`${confirmed.name} → ${ip}`);
  const failed = answers.find(({ answer }) => answer.kind === 'error');
  if (failed) {
    return warn(
      `the ${v6 ? 'AAAA' : 'A'} lookup of ${failed.name} failed: ${describeAnswer(failed.answer)}`,
      'check DNS_SERVERS (or the system resolver), then run the doctor again',
    );
  }
  const seen = answers
    .map(({ name, answer }) =>
      answer.kind === 'ok'
        ? `${name} → ${answer.values.join(', ')}`
        : `${name} does not resolve (${describeAnswer(answer)})`,
    )
    .join('; ');
  const first = names[0] ?? '?';
  return fail(
    `not forward-confirmed: ${seen}, not ${ip}`,
    `publish ${first} ${v6 ? 'AAAA' : 'A'} ${ip}, so the PTR name resolves back to the address`,
  );
}
