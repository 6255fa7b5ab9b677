/**
 * What a run costs Redis, from INFO: memory (`used_memory`) and commands (`commandstats`, which
 * counts every EVALSHA and also each command the script runs). Redis is shared, so other
 * clients' traffic during a run shows up too; the bench says so next to the numbers.
 */
import type { RedisClient } from '../src/redis/index.ts';

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
