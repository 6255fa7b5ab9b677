/**
 * What a run costs Redis, from INFO: memory (`used_memory`) and commands (`commandstats`, which
 * counts every EVALSHA and also each command the script runs). Redis is shared, so other
 * clients' traffic during a run shows up too; the bench says so next to the numbers. And, exact,
 * MEMORY USAGE of a run's own keys by kind.
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../src/redis/index.ts';

export interface RedisSnapshot {
  usedMemory: number;
  /** Calls per command name, scripts' inner calls included. */
  calls: Record<string, number>;
}

export async function redisSnapshot(redis: RedisClient): Promise<RedisSnapshot> {
  const [memory, commands] = await Promise.all([redis.info('memory'), redis.info('commandstats')]);
  const calls: Record<string, number> = {};
  for (const match of commands.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[match[1] as string] = Number(match[2]);
  }
  return {
    usedMemory: Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? 0),
    calls,
  };
}

export async function usedMemory(redis: RedisClient): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
}

export interface CommandDelta {
  /** Every call, scripts' inner calls included, INFO itself left out. */
  total: number;
  /** Calls per command, most first. */
  byCommand: Array<[string, number]>;
}

/** Commands between two snapshots, without the INFO calls of the measurement itself. */
export function commandDelta(before: RedisSnapshot, after: RedisSnapshot): CommandDelta {
  const byCommand: Array<[string, number]> = [];
  for (const [name, calls] of Object.entries(after.calls)) {
    const delta = calls - (before.calls[name] ?? 0);
    if (delta > 0 && name !== 'info') byCommand.push([name, delta]);
  }
  byCommand.sort((a, b) => b[1] - a[1]);
  return { total: byCommand.reduce((sum, [, n]) => sum + n, 0), byCommand };
}

export interface KeyMemory {
  /** The global verdict cache: one key per address. */
  verdictCache: number;
  /** The list's results hash (and other list keys). */
  list: number;
  /** BullMQ: jobs (completed ones are kept a day), queues, events. */
  bullmq: number;
  /** Catch-all answers, session gates, metrics. */
  other: number;
}

/** MEMORY USAGE of every key of a run, by kind. */
export async function prefixMemory(redis: Redis, prefix: string): Promise<KeyMemory> {
  const memory: KeyMemory = { verdictCache: 0, list: 0, bullmq: 0, other: 0 };
  const kindOf = (key: string): keyof KeyMemory =>
    key.startsWith(`{${prefix}}`)
      ? 'bullmq'
      : key.startsWith(`${prefix}:verdict:`)
        ? 'verdictCache'
        : key.startsWith(`${prefix}:list`)
          ? 'list'
          : 'other';
  for (const match of [`{${prefix}}*`, `${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      const answers = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        memory[kindOf(key)] += Number(answers[i]?.[1] ?? 0);
      });
      cursor = next;
    } while (cursor !== '0');
  }
  return memory;
}
