/**
 * Opens the Redis connection every Redis-backed part shares (BullMQ included) — one server or a
 * Redis Cluster, as REDIS_URL says (src/redis/redis-url.ts) — and fails fast with an actionable
 * error when nothing answers, instead of ioredis retrying forever in silence.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ListcleanError } from '../errors.ts';
import { parseRedisUrl, redactRedisUrl } from './redis-url.ts';

/** A client of either kind: both speak every command listclean sends. */
export type RedisClient = Redis | Cluster;

export interface CreateRedisOptions {
  /**
   * The key prefix the caller gives the stores; it also names the connection (`CLIENT LIST`).
   * It is not ioredis' `keyPrefix`: BullMQ refuses clients that have one.
   */
  prefix?: string;
  /** How long the first connection may take. */
  connectTimeoutMs?: number;
}

/** After the first connection, reconnect with a capped backoff for as long as it takes. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export async function createRedis(
  url: string,
  options: CreateRedisOptions = {},
): Promise<RedisClient> {
  const target = parseRedisUrl(url);
  if (!target) {
    throw new ListcleanError(
      'config_invalid',
      `REDIS_URL ${redactRedisUrl(url)} is neither redis://host:port nor redis-cluster://host:port[,…]`,
    );
  }
  const timeoutMs = options.connectTimeoutMs ?? 3_000;
  let everReady = false;
  let lastError: Error | undefined;
  const retry = (times: number) =>
    everReady ? Math.min(times * 100, MAX_RECONNECT_DELAY_MS) : null;
  const common: RedisOptions = {
    lazyConnect: true,
    // BullMQ workers need commands to wait out a reconnection rather than fail.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: timeoutMs,
    connectionName: connectionNameFor(options.prefix),
  };
  const client: RedisClient =
    target.kind === 'single'
      ? // Before the first success a failure is final: the check below reports it.
        new Redis(target.url, { ...common, retryStrategy: retry })
      : new Cluster(target.nodes, {
          lazyConnect: true,
          clusterRetryStrategy: retry,
          // Commands sent in the same tick go out together, grouped by node: what keeps the
          // per-key reads and writes that replace multi-key commands cheap (no CROSSSLOT).
          enableAutoPipelining: true,
          redisOptions: {
            ...common,
            ...(target.username ? { username: target.username } : {}),
            ...(target.password !== undefined ? { password: target.password } : {}),
            ...(target.tls ? { tls: {} } : {}),
          },
        });
  const onError = (error: Error): void => {
    lastError = error;
  };
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  const connecting = client.connect();
  // If the timer wins the race, the late rejection is already accounted for.
  connecting.catch(() => undefined);
  try {
    await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        // Covers a server that accepts the socket but never answers the ready check.
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    everReady = true;
    return client;
  } catch (error) {
    // Half-closes the socket; ioredis destroys it after its disconnectTimeout (2 s) if need be.
    client.disconnect();
    const why = (lastError ?? (error as Error)).message || String(error);
    throw new ListcleanError(
      'redis_unavailable',
      `Cannot reach Redis at ${redactRedisUrl(url)}: ${why}. ` +
        'Start one with `redis-server` or set REDIS_URL',
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/**
 * The verdict cache's own Redis (REDIS_CACHE_URL), which may evict and may be away: commands
 * fail at once instead of queueing while it is down (the cache reads that as a miss), and a
 * server that is not there at start-up delays nothing — the client keeps trying in the
 * background.
 */
export function openCacheRedis(url: string, prefix: string): RedisClient {
  const target = parseRedisUrl(url);
  if (!target) {
    throw new ListcleanError(
      'config_invalid',
      `REDIS_CACHE_URL ${redactRedisUrl(url)} is not a Redis URL`,
    );
  }
  const options: RedisOptions = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectionName: connectionNameFor(`${prefix}cache`),
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
  const client: RedisClient =
    target.kind === 'single'
      ? new Redis(target.url, options)
      : new Cluster(target.nodes, {
          enableAutoPipelining: true,
          enableOfflineQueue: false,
          redisOptions: {
            ...options,
            ...(target.username ? { username: target.username } : {}),
            ...(target.password !== undefined ? { password: target.password } : {}),
            ...(target.tls ? { tls: {} } : {}),
          },
        });
  return client;
}

/** The master nodes of a cluster, or the one server: where a SCAN must run. */
export function scanTargets(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Redis connection names may not contain spaces; `listclean:` → `listclean`. */
function connectionNameFor(prefix: string | undefined): string | undefined {
  const name = prefix?.replace(/[^A-Za-z0-9_.:-]/g, '').replace(/:+$/, '');
  return name ? name : undefined;
}
