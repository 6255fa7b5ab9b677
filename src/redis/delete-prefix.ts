/**
 * Removes every key of one listclean deployment prefix (its own keys and BullMQ's hash-tagged
 * ones) with SCAN + UNLINK, never FLUSHDB: other deployments and tests may share the database.
 */
import type { Redis } from 'ioredis';

export async function deletePrefix(redis: Redis, redisPrefix: string): Promise<number> {
  let deleted = 0;
  for (const match of [`{${redisPrefix}}*`, `${redisPrefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return deleted;
}
