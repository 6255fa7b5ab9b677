/**
 * Real-Redis fixtures: a random key prefix per test file (the server is shared: we never flush,
 * we delete our own keys) and connections that are all closed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, type RedisClient, scanTargets } from '../../src/redis/index.ts';
import { REDIS_URL } from '../helpers/redis-url.ts';

export { REDIS_URL };

export interface RedisFixture {
  prefix: string;
  /** A new connection, as a separate worker process would have. */
  connect(): Promise<RedisClient>;
  /** Deletes the prefix's keys and closes every connection opened. */
  close(): Promise<void>;
}

export function redisFixture(): RedisFixture {
  const prefix = `lctest:${randomBytes(6).toString('hex')}:`;
  const clients: RedisClient[] = [];
  return {
    prefix,
    async connect() {
      const client = await createRedis(REDIS_URL, { prefix });
      clients.push(client);
      return client;
    },
    async close() {
      const cleaner = await createRedis(REDIS_URL);
      try {
        // Every master of a cluster; keys one by one (a multi-key UNLINK must stay in one slot).
        for (const node of scanTargets(cleaner)) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            await Promise.all(keys.map((key) => node.unlink(key)));
            cursor = next;
          } while (cursor !== '0');
        }
      } finally {
        await Promise.all([cleaner, ...clients].map(quit));
      }
    },
  };
}

/** QUIT lets pending commands (a fire-and-forget release) finish; a closed client is skipped. */
async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  await client.quit().catch(() => client.disconnect());
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
