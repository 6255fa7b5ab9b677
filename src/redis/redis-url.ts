/**
 * REDIS_URL: one server (`redis://[user:pass@]host:port[/db]`, `rediss://` for TLS) or a Redis
 * Cluster (`redis-cluster://[user:pass@]host:port[,host:port…]`, `rediss-cluster://` for TLS),
 * where the listed nodes are seeds: ioredis discovers the rest of the cluster from them.
 */

export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      tls: boolean;
    };

const CLUSTER = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

/** Null when the text is neither form. */
export function parseRedisUrl(text: string): RedisTarget | null {
  const value = text.trim();
  const cluster = CLUSTER.exec(value);
  if (cluster) {
    const nodes = (cluster[4] ?? '').split(',').map((node) => {
      const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(node.trim());
      return m ? { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2]) } : null;
    });
    if (nodes.some((node) => node === null || node.port < 1 || node.port > 65535)) return null;
    return {
      kind: 'cluster',
      nodes: nodes as Array<{ host: string; port: number }>,
      ...(cluster[2] ? { username: decodeURIComponent(cluster[2]) } : {}),
      ...(cluster[3] !== undefined ? { password: decodeURIComponent(cluster[3]) } : {}),
      tls: cluster[1] === 'rediss',
    };
  }
  try {
    const url = new URL(value);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return null;
    if (!url.hostname) return null;
    return { kind: 'single', url: value };
  } catch {
    return null;
  }
}

/**
 * Never print a password from REDIS_URL: everything between `user:` and the last `@` before the
 * hosts goes (a password may hold `/`, `@` or `:` unencoded); userinfo without a `:` may itself
 * be a password (older clients read it so), so all of it goes.
 */
export function redactRedisUrl(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (!scheme) return text;
  const rest = text.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at < 0) return text;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const kept = colon < 0 ? '***' : `${userinfo.slice(0, colon)}:***`;
  return `${scheme[0]}${kept}${rest.slice(at)}`;
}
