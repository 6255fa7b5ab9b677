/**
 * Opens the Redis connection every Redis-backed part shares (BullMQ included), and fails fast
 * with an actionable error when nothing answers, instead of ioredis retrying forever in silence.
 */
import { Redis } from 'ioredis';
import { ListcleanError } from '../errors.ts';

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

export async function createRedis(url: string, options: CreateRedisOptions = {}): Promise<Redis> {
  const timeoutMs = options.connectTimeoutMs ?? 3_000;
  let everReady = false;
  let lastError: Error | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    // BullMQ workers need commands to wait out a reconnection rather than fail.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: timeoutMs,
    connectionName: connectionNameFor(options.prefix),
    // Before the first success a failure is final: the check below reports it.
    retryStrategy: (times) => (everReady ? Math.min(times * 100, MAX_RECONNECT_DELAY_MS) : null),
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
      `Cannot reach Redis at ${redactUrl(url)}: ${why}. ` +
        'Start one with `redis-server` or set REDIS_URL',
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/** Redis connection names may not contain spaces; `listclean:` → `listclean`. */
function connectionNameFor(prefix: string | undefined): string | undefined {
  const name = prefix?.replace(/[^A-Za-z0-9_.:-]/g, '').replace(/:+$/, '');
  return name ? name : undefined;
}

/** Never print a password from REDIS_URL. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
