/**
 * The Redis every test talks to: REDIS_URL from the environment, else the usual local one. Every
 * env a test hands to listclean (readEnv, createRuntime, runCli, a spawned worker) names it
 * explicitly, so nothing falls back to 127.0.0.1:6379 behind the variable's back, and `clean`
 * never starts a private redis-server (it only does when REDIS_URL is unset). Tests whose point
 * is a Redis that is down use explicit dead ports instead.
 */
import { createRedis, deletePrefix } from '../../src/redis/index.ts';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Deletes one listclean prefix's keys on the test Redis, or on `url` (never a flush); on a
 * Redis Cluster too (every master is scanned).
 */
export async function deleteTestPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = await createRedis(url);
  try {
    await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
