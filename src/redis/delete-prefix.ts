/**
 * Removes every key of one listclean deployment prefix (its own keys and BullMQ's hash-tagged
 * ones) with SCAN + UNLINK, never FLUSHDB: other deployments and tests may share the database.
 * On a Redis Cluster every master is scanned, and keys are unlinked one by one (a multi-key
 * UNLINK must stay within one slot).
 */
import { type RedisClient, scanTargets } from './connect.ts';

export async function deletePrefix(redis: RedisClient, redisPrefix: string): Promise<number> {
  let deleted = 0;
  for (const node of scanTargets(redis)) {
    for (const match of [`{${redisPrefix}}*`, `{${redisPrefix}:*`, `${redisPrefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        const counts = await Promise.all(keys.map((key) => node.unlink(key)));
        deleted += counts.reduce((a, b) => a + b, 0);
        cursor = next;
      } while (cursor !== '0');
    }
  }
  return deleted;
}
