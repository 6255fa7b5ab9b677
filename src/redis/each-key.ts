/**
 * The same read on many keys that may sit in different Cluster slots: one pipeline on a single
 * server; on a cluster one command per key, which ioredis auto-pipelines by node (a pipeline
 * must not span slots there).
 */
import { Cluster } from 'ioredis';
import type { RedisClient } from './connect.ts';

export async function hgetEach(
  client: RedisClient,
  keys: readonly string[],
  field: string,
): Promise<Array<string | null>> {
  if (client instanceof Cluster) return Promise.all(keys.map((key) => client.hget(key, field)));
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.hget(key, field);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return (value as string | null) ?? null;
  });
}
