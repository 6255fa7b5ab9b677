/** Address forms the doctor's DNS names are built from. */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** `2001:db8::1` → `2.0.0.1.0.d.b.8.0.0…0.1`: 32 dot-separated nibbles (RFC 7208 §7.3). */
export function nibbles(address: ipaddr.IPv6): string {
  return address
    .toByteArray()
    .flatMap((byte) => [byte >> 4, byte & 15])
    .map((n) => n.toString(16))
    .join('.');
}

/**
 * The labels of an address, least significant first: `203.0.113.5` → `5.113.0.203`; IPv6 by
 * nibbles. What reverse DNS (`in-addr.arpa`, `ip6.arpa`) and DNS blocklists put before a zone.
 */
export function reversedLabels(ip: string): string {
  return net.isIPv6(ip)
    ? nibbles(ipaddr.IPv6.parse(ip)).split('.').reverse().join('.')
    : ip.split('.').reverse().join('.');
}

/** `2001:db8::1` and `2001:0db8:0:0::1` are one address; so are `::ffff:1.2.3.4` and `1.2.3.4`. */
export function sameIp(a: string, b: string): boolean {
  if (!ipaddr.isValid(a) || !ipaddr.isValid(b)) return false;
  return ipaddr.process(a).toNormalizedString() === ipaddr.process(b).toNormalizedString();
}
