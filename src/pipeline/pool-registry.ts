/**
 * Every provider pool queue a deployment has used, in a Redis set. When the policy drops a pool
 * (a rule removed, or set to `pool: false`) while lists are in flight, that queue still holds
 * their jobs and no pool worker would take them: workers find such queues at start-up and drain
 * them like the shared queue (the Redis session gate still holds every provider's limits). A
 * queue found empty leaves the set.
 */
import { type JobType, Queue } from 'bullmq';
import { poolRegistryKey } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';

const UNFINISHED: JobType[] = ['wait', 'prioritized', 'delayed', 'active', 'waiting-children'];

function registryKey(rt: Pick<Runtime, 'prefix'>): string {
  return poolRegistryKey(rt.prefix);
}

/** Records the policy's pool queues (before any job can be added to them). */
export async function registerPools(rt: Runtime): Promise<void> {
  if (rt.pools.length === 0) return;
  await rt.redis.sadd(registryKey(rt), ...rt.pools.map((pool) => pool.queue));
}

/** Pool queues the policy no longer names that still hold unfinished jobs. */
export async function orphanedPoolQueues(rt: Runtime): Promise<string[]> {
  const current = new Set(rt.pools.map((pool) => pool.queue));
  const orphans: string[] = [];
  for (const name of await rt.redis.smembers(registryKey(rt))) {
    if (current.has(name)) continue;
    const queue = new Queue(name, { connection: rt.redis, prefix: rt.bullPrefix });
    try {
      const counts = await queue.getJobCounts(...UNFINISHED);
      const unfinished = Object.values(counts).reduce((n, count) => n + count, 0);
      if (unfinished > 0) orphans.push(name);
      else await rt.redis.srem(registryKey(rt), name);
    } finally {
      await queue.close();
    }
  }
  return orphans;
}
