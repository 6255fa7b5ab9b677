/**
 * The egresses a probe can leave from (issue 12): the host's own local addresses
 * (SMTP_LOCAL_ADDRESSES) and SOCKS5 proxies (SMTP_PROXIES). Providers throttle and greylist per
 * source IP, so an egress is the unit of every per-provider budget and of greylisting affinity.
 * With neither configured there is one egress: the host's default route (`default`).
 */
import net from 'node:net';

export interface SocksProxy {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export type Egress =
  /** A source address of this host; `name` is the address itself. */
  | { kind: 'local'; name: string; localAddress: string }
  /** The host's default route: no source address chosen. */
  | { kind: 'default'; name: 'default' }
  | { kind: 'socks5'; name: string; proxy: SocksProxy };

/** Names people can type in a policy file and read in a report. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

/**
 * `eu1=socks5://user:pass@10.0.0.5:1080` or `socks5://10.0.0.5:1080` (named `10.0.0.5:1080`).
 * Null when the entry is not that form.
 */
export function parseProxy(entry: string): { name: string; proxy: SocksProxy } | null {
  const at = entry.indexOf('=');
  const named = at > 0 && !entry.slice(0, at).includes('://');
  const name = named ? entry.slice(0, at).trim() : null;
  const text = (named ? entry.slice(at + 1) : entry).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'socks5:' && url.protocol !== 'socks5h:') return null;
  if (!url.hostname || !url.port || url.pathname.replace(/^\/$/, '') !== '') return null;
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const proxy: SocksProxy = {
    host,
    port,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
  const fallback = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  if (name !== null && !NAME.test(name)) return null;
  return { name: name ?? fallback, proxy };
}

/** Every egress of the configuration, locals first, in the order given. */
export function egressesOf(config: {
  SMTP_LOCAL_ADDRESSES: readonly string[];
  SMTP_PROXIES: ReadonlyArray<{ name: string; proxy: SocksProxy }>;
}): Egress[] {
  const egresses: Egress[] = [
    ...config.SMTP_LOCAL_ADDRESSES.map(
      (address): Egress => ({ kind: 'local', name: address, localAddress: address }),
    ),
    ...config.SMTP_PROXIES.map(({ name, proxy }): Egress => ({ kind: 'socks5', name, proxy })),
  ];
  return egresses.length > 0 ? egresses : [{ kind: 'default', name: 'default' }];
}

/** For logs and reports: a proxy's address without its credentials. */
export function describeEgress(egress: Egress): string {
  if (egress.kind === 'socks5') {
    return `${egress.name} (socks5 ${egress.proxy.host}:${egress.proxy.port})`;
  }
  return egress.kind === 'local' ? `${egress.name} (local address)` : 'the default route';
}
