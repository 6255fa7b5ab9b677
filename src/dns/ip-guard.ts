/**
 * Which MX addresses listclean may connect to (DESIGN §2.3). A hostile domain can point its MX
 * at 127.0.0.1, a cloud metadata service or an internal host; only public unicast is fair game.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export type IpClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'linkLocal'
  | 'carrierGradeNat'
  | 'multicast'
  | 'unspecified'
  | 'uniqueLocal'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  /** Anything else special-purpose: 240/4, 192.0.0/24, deprecated or unallocated v6, … */
  | 'reserved'
  | 'invalid';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Ranges ipaddr.js folds into `reserved`, named apart so a refusal says why. */
const NAMED_RANGES: Array<{ name: IpClass; cidrs: Cidr[] }> = [
  {
    // RFC 5737, RFC 3849, RFC 9637.
    name: 'documentation',
    cidrs: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20'].map(
      (cidr) => ipaddr.parseCIDR(cidr),
    ),
  },
  {
    // RFC 2544, RFC 5180.
    name: 'benchmarking',
    cidrs: ['198.18.0.0/15', '2001:2::/48'].map((cidr) => ipaddr.parseCIDR(cidr)),
  },
];

/** RFC 4291 §2.4: global unicast is 2000::/3; everything else in v6 is special or unallocated. */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * Classifies an address literal. Only canonical literals (what `net.isIP` accepts) are read:
 * `127.1`, `0x7f.0.0.1` or `2130706433` are `invalid`, never public, even though a resolver
 * library might expand them to loopback. Never throws.
 */
export function classifyIp(ip: string): IpClass {
  if (typeof ip !== 'string' || net.isIP(ip) === 0) return 'invalid';
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return 'invalid';
  }
  return address.kind() === 'ipv4'
    ? classifyV4(address as ipaddr.IPv4)
    : classifyV6(address as ipaddr.IPv6);
}

/** True only for addresses listclean may open an SMTP connection to without ALLOW_PRIVATE_MX. */
export function isPublicIp(ip: string): boolean {
  return classifyIp(ip) === 'public';
}

function classifyV4(address: ipaddr.IPv4): IpClass {
  const named = namedRange(address);
  if (named !== undefined) return named;
  const range = address.range();
  switch (range) {
    case 'unicast':
      return 'public';
    case 'loopback':
    case 'private':
    case 'linkLocal':
    case 'carrierGradeNat':
    case 'multicast':
    case 'unspecified':
    case 'broadcast':
      return range;
    default:
      // reserved, as112, amt and whatever ipaddr.js adds later: not a mail server's address.
      return 'reserved';
  }
}

function classifyV6(address: ipaddr.IPv6): IpClass {
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return embedded.find((v4) => v4 !== 'public') ?? 'public';
  const named = namedRange(address);
  if (named !== undefined) return named;
  const range = address.range();
  switch (range) {
    case 'unicast':
      return address.match(IPV6_GLOBAL_UNICAST) ? 'public' : 'reserved';
    case 'loopback':
    case 'linkLocal':
    case 'multicast':
    case 'unspecified':
    case 'uniqueLocal':
      return range;
    default:
      return 'reserved';
  }
}

/**
 * The classes of the IPv4 addresses a v6 address carries, judged as those IPv4 addresses since
 * that is where the packets end up; undefined when it carries none.
 */
function embeddedIpv4(address: ipaddr.IPv6): IpClass[] | undefined {
  const p = address.parts;
  const v4 = (high: number, low: number): IpClass =>
    classifyV4(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]));
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d (RFC 4291)
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return [v4(p[6] ?? 0, p[7] ?? 0)];
    case 'rfc6052': {
      // 64:ff9b::a.b.c.d is NAT64 to the public internet; 64:ff9b:1::/48 is a local-use prefix.
      const wellKnown = p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0;
      return wellKnown ? [v4(p[6] ?? 0, p[7] ?? 0)] : ['reserved'];
    }
    case '6to4': // 2002:AABB:CCDD::/48 (RFC 3056)
      return [v4(p[1] ?? 0, p[2] ?? 0)];
    case 'teredo': // 2001:0:server:flags:port:client, client bits inverted (RFC 4380)
      return [v4(p[2] ?? 0, p[3] ?? 0), v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff)];
    default:
      return undefined;
  }
}

function namedRange(address: ipaddr.IPv4 | ipaddr.IPv6): IpClass | undefined {
  for (const { name, cidrs } of NAMED_RANGES) {
    for (const cidr of cidrs) {
      if (cidr[0].kind() === address.kind() && address.match(cidr)) return name;
    }
  }
  return undefined;
}
