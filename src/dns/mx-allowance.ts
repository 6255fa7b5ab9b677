/**
 * ALLOW_PRIVATE_MX: which non-public MX addresses may still be connected to. `0` none (the
 * default), `1` all, or a list of CIDR ranges (`127.0.0.0/8` for a loopback sandbox) so a test
 * world on loopback never also opens the door to 10/8 or the cloud metadata address.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { isPublicIp } from './ip-guard.ts';

export type MxAllowance = { kind: 'none' } | { kind: 'all' } | { kind: 'ranges'; ranges: string[] };

export function parseMxAllowance(raw: string): MxAllowance | null {
  const v = raw.trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return { kind: 'none' };
  if (['1', 'true', 'yes', 'on'].includes(v)) return { kind: 'all' };
  const ranges = v
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return ranges.every((range) => ipaddr.isValidCIDR(range)) ? { kind: 'ranges', ranges } : null;
}

/** True if listclean may open a connection to `ip` under this allowance. */
export function mayConnect(ip: string, allowance: MxAllowance): boolean {
  // Only canonical literals: `127.1` or `0x7f.0.0.1` would be read differently by others.
  if (net.isIP(ip) === 0) return false;
  if (isPublicIp(ip)) return true;
  if (allowance.kind === 'all') return true;
  if (allowance.kind === 'none') return false;
  // `::ffff:127.0.0.1` is matched as the IPv4 address it carries.
  const address = ipaddr.process(ip);
  return allowance.ranges.some((range) => {
    const [network, bits] = ipaddr.parseCIDR(range);
    return address.kind() === network.kind() && address.match([network, bits] as never);
  });
}
