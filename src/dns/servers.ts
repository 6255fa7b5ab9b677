/**
 * `DNS_SERVERS` parsing (DESIGN §5). Validated here, not left to `Resolver#setServers`: Node
 * wraps port 99999 around to 34463 and aborts the whole process on port 0.
 */
import net from 'node:net';
import { ListcleanError } from '../errors.ts';

const FORMAT_HINT = 'use an IP address, ip:port, or [ipv6]:port, e.g. 127.0.0.1:5353 or [::1]:53';

/**
 * `1.2.3.4, 1.2.3.4:5353, [::1]:53, ::1` → the same entries, trimmed, in the form c-ares'
 * `setServers` takes. A blank spec is `[]`: the system resolver.
 */
export function parseDnsServers(spec: string): string[] {
  if (spec.trim() === '') return [];
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    // A trailing or doubled comma is a typo, not a server.
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    throw new ListcleanError(
      'config_invalid',
      `DNS_SERVERS "${spec}" lists no server; ${FORMAT_HINT}.`,
    );
  }
  return entries.map(parseDnsServer);
}

/** One server entry, canonical for `setServers`; throws `config_invalid` naming the entry. */
export function parseDnsServer(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) {
    const [, ip = '', port] = bracketed;
    requireIp(entry, ip, 6);
    return port === undefined ? ip : `[${ip}]:${parsePort(entry, port)}`;
  }
  // More than one colon and no brackets: a bare IPv6 address, which cannot carry a port.
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) {
    requireIp(entry, entry, 6);
    return entry;
  }
  const [ip = '', port] = entry.split(':');
  requireIp(entry, ip, 4);
  return port === undefined ? ip : `${ip}:${parsePort(entry, port)}`;
}

function requireIp(entry: string, ip: string, version: 4 | 6): void {
  if (net.isIP(ip) !== version) {
    throw new ListcleanError(
      'config_invalid',
      `DNS server "${entry}" is not an IPv${version} address (host names cannot be used ` +
        `to find the DNS server itself); ${FORMAT_HINT}.`,
    );
  }
  // Node drops a zone index (`%eth0`) without a word, which would send queries elsewhere.
  if (ip.includes('%')) {
    throw new ListcleanError(
      'config_invalid',
      `DNS server "${entry}" has a zone index, which the resolver ignores; use a global or ` +
        'loopback address.',
    );
  }
}

function parsePort(entry: string, port: string): number {
  const value = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(value >= 1 && value <= 65535)) {
    throw new ListcleanError(
      'config_invalid',
      `DNS server "${entry}" has port "${port}"; a port is a number from 1 to 65535.`,
    );
  }
  return value;
}
