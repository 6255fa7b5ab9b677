/**
 * What the pipeline needs besides the network: Redis (queues, throttles, results; BullMQ needs
 * `maxmemory-policy noeviction`), the verdict cache's Redis when it is apart, storage (read and
 * write), and the provider policy file.
 */
import { randomUUID } from 'node:crypto';
import type { RawConfig } from '../../config/env.ts';
import { egressesOf } from '../../egress/config.ts';
import { checkPolicyEgresses } from '../../policy/policy.ts';
import { probePools } from '../../policy/pools.ts';
import type { RedisClient } from '../../redis/connect.ts';
import type { Storage } from '../../storage/index.ts';
import { policyFromConfig } from '../../verify/context.ts';
import { type Finding, fail, pass, warn } from '../types.ts';

function infoField(info: string, field: string): string | null {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
}

/** PING, then the version and eviction policy from INFO. */
export async function redisCheck(client: RedisClient, role: 'queues' | 'cache'): Promise<Finding> {
  const started = performance.now();
  const pong = await client.ping();
  const ms = Math.round(performance.now() - started);
  const info = `${await client.info('server')}\n${await client.info('memory')}`;
  const version = infoField(info, 'redis_version') ?? '?';
  const policy = infoField(info, 'maxmemory_policy') ?? '?';
  const evidence = `${pong} in ${ms} ms; Redis ${version}, maxmemory-policy ${policy}`;
  if (role === 'queues' && policy !== 'noeviction' && policy !== '?') {
    return warn(
      `${evidence}: an evicting Redis can drop queued jobs and results`,
      'set maxmemory-policy noeviction on this Redis (BullMQ needs it); put the verdict cache in REDIS_CACHE_URL, which may evict',
    );
  }
  return pass(evidence);
}

/** A Redis that cannot be opened at all. */
export function redisUnreachable(message: string, role: 'queues' | 'cache'): Finding {
  return role === 'queues'
    ? fail(message, 'start Redis, or set REDIS_URL to one that answers')
    : warn(
        `${message}: every verdict cache lookup is a miss (slower, never wrong)`,
        'start the cache Redis, or unset REDIS_CACHE_URL to keep the cache in REDIS_URL',
      );
}

/** Writes, reads back and removes a small object at the storage's root. */
export async function storageCheck(storage: Storage): Promise<Finding> {
  const key = `doctor-probe-${randomUUID()}`;
  const started = performance.now();
  try {
    await storage.put(key, 'listclean doctor\n', { contentType: 'text/plain' });
    const stat = await storage.stat(key);
    if (stat === null) {
      return fail(
        `${storage.describe()}: an object written cannot be found again`,
        'check STORAGE_URL (and S3_ENDPOINT): is it one consistent store?',
      );
    }
  } catch (error) {
    return fail(
      `${storage.describe()}: ${(error as Error).message}`,
      'check STORAGE_URL, S3_ENDPOINT and the credentials: listclean must read and write there',
    );
  } finally {
    await storage.delete(key).catch(() => undefined);
  }
  const ms = Math.round(performance.now() - started);
  return pass(`wrote, found and removed a probe object in ${ms} ms`);
}

export async function policyCheck(
  config: Pick<
    RawConfig,
    | 'THROTTLE_POLICY'
    | 'SMTP_MAX_RCPTS_PER_SESSION'
    | 'SMTP_MAX_REJECTS_PER_SESSION'
    | 'SMTP_LOCAL_ADDRESSES'
    | 'SMTP_PROXIES'
  >,
): Promise<Finding> {
  try {
    const policy = await policyFromConfig(config);
    // As verification refuses it at start-up: an `egress:` this process does not have.
    checkPolicyEgresses(
      policy,
      egressesOf(config).map((egress) => egress.name),
      config.THROTTLE_POLICY || 'the policy',
    );
    const d = policy.defaults;
    const defaults = `${d.maxConcurrentSessions} sessions and ${d.connectionsPerMinute} connections/min per provider`;
    if (!config.THROTTLE_POLICY) return pass(`not set: built-in limits (${defaults})`);
    const pools = probePools(policy).length;
    return pass(
      `${policy.providers.length} provider rule(s), ${pools} pool(s); defaults ${defaults}`,
    );
  } catch (error) {
    return fail(
      (error as Error).message,
      'fix the file (the message names the field), or unset THROTTLE_POLICY for the built-in limits',
    );
  }
}
