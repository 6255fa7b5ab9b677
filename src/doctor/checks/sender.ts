/**
 * MAIL_FROM's domain: an MX, so bounces and complaints about our probes come back, and an SPF
 * policy that authorises the egress address (receivers check it at MAIL FROM, before RCPT).
 */
import net from 'node:net';
import { type DnsLookups, describeAnswer } from '../dns.ts';
import { checkHost, lookupSpfRecord } from '../spf/check-host.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

export function senderDomain(mailFrom: string): string {
  return mailFrom.slice(mailFrom.lastIndexOf('@') + 1).toLowerCase();
}

const REAL_MAILBOX = 'set MAIL_FROM to a real mailbox of a domain you own';

export async function mxCheck(
  domain: string,
  dns: Pick<DnsLookups, 'mx' | 'a' | 'aaaa'>,
): Promise<Finding> {
  if (!domain.includes('.')) {
    return fail(`"${domain}" is not a domain (MAIL_FROM unset: verify@HELO_NAME)`, REAL_MAILBOX);
  }
  const mx = await dns.mx(domain);
  if (mx.kind === 'error') {
    return warn(
      `the MX lookup of ${domain} failed: ${describeAnswer(mx)}`,
      'check DNS_SERVERS (or the system resolver), then run the doctor again',
    );
  }
  const hosts = mx.kind === 'ok' ? mx.values.filter((r) => r.exchange !== '') : [];
  if (mx.kind === 'ok' && hosts.length === 0) {
    return fail(
      `${domain} publishes a null MX (RFC 7505): it takes no mail, so bounces cannot come back`,
      `${REAL_MAILBOX}, or publish MX records for ${domain}`,
    );
  }
  if (hosts.length === 0) {
    if (mx.kind === 'none' && mx.code === 'ENOTFOUND') {
      return fail(`${domain} does not exist (NXDOMAIN)`, REAL_MAILBOX);
    }
    const own = await dns.a(domain);
    return own.kind === 'ok'
      ? warn(
          `${domain} has no MX record; mail to it goes to its A record (${own.values.join(', ')})`,
          `publish an MX record for ${domain} pointing at the server that takes its mail`,
        )
      : fail(
          `${domain} has no MX record and no address: bounces cannot come back`,
          `publish an MX record for ${domain}, or ${REAL_MAILBOX}`,
        );
  }
  hosts.sort((a, b) => a.priority - b.priority);
  const shown = hosts.slice(0, 3).map((h) => `${h.priority} ${h.exchange}`);
  if (hosts.length > 3) shown.push(`… ${hosts.length - 3} more`);
  return pass(`${domain} MX ${shown.join(', ')}`);
}

export interface SpfInput {
  domain: string;
  sender: string;
  helo: string;
  /** The egress address, or null when it cannot be known. */
  ip: string | null;
  egress: string;
}

export async function spfCheck(
  input: SpfInput,
  dns: Pick<DnsLookups, 'txt' | 'a' | 'aaaa' | 'mx' | 'ptr'>,
): Promise<Finding> {
  const { domain, ip } = input;
  if (!domain.includes('.')) {
    return fail(`"${domain}" is not a domain (MAIL_FROM unset: verify@HELO_NAME)`, REAL_MAILBOX);
  }
  const mechanism = ip === null ? 'ip4:<address>' : `${net.isIPv6(ip) ? 'ip6' : 'ip4'}:${ip}`;
  // Only said when the domain has no SPF record: there is nothing to add the mechanism to.
  const publish = `publish a TXT record at ${domain}: "v=spf1 ${mechanism} -all", with the mechanisms of whatever else sends mail as ${domain} before the -all`;
  if (ip === null) {
    const found = await lookupSpfRecord(dns, domain);
    if ('result' in found) return spfError(found.result, found.reason, domain);
    if (found.record === null) return fail(`${domain} has no SPF record`, publish);
    return warn(
      `${domain}: "${found.record}"; whether it authorises ${input.egress} cannot be told without its address`,
      `set DOCTOR_EGRESS_ADDRESSES=${input.egress}=<its public address> to check`,
    );
  }
  const outcome = await checkHost({ ip, domain, sender: input.sender, helo: input.helo }, dns);
  const record = outcome.record === null ? '' : ` ("${outcome.record}")`;
  switch (outcome.result) {
    case 'pass':
      return pass(`${ip} authorised: ${outcome.reason}${record}`);
    case 'none':
      return fail(`${outcome.reason}`, publish);
    case 'fail':
    case 'softfail':
      return fail(
        `${ip} not authorised (${outcome.result}): ${outcome.reason}${record}`,
        `add ${mechanism} to the SPF record of ${domain}, before its "all"`,
      );
    case 'neutral':
      return warn(
        `${ip} neither authorised nor refused (neutral): ${outcome.reason}${record}`,
        `add ${mechanism} to the SPF record of ${domain}`,
      );
    case 'permerror':
    case 'temperror':
      return spfError(outcome.result, `${outcome.reason}${record}`, domain);
  }
}

function spfError(result: 'permerror' | 'temperror', reason: string, domain: string): Finding {
  return result === 'permerror'
    ? fail(
        `the SPF policy of ${domain} is broken (permerror): ${reason}`,
        `fix the SPF record of ${domain}: receivers treat a broken policy like no policy, or worse`,
      )
    : warn(
        `the SPF policy of ${domain} could not be evaluated (temperror): ${reason}`,
        'check DNS_SERVERS (or the system resolver), then run the doctor again',
      );
}
