/**
 * Reads everything the exposition shows from Redis and BullMQ, at scrape time. Kept apart from
 * prom-client so the numbers can be tested on their own.
 */
import type { JobState, Queue } from 'bullmq';
import { LIST_STATUSES } from '../pipeline/types.ts';
import type { RedisClient } from '../redis/connect.ts';
import { hgetEach } from '../redis/each-key.ts';
import { listKeys, metricKeys } from '../redis/keys.ts';
import { defineScripts, runScript } from '../redis/script.ts';
import { allQueues, type Runtime } from '../runtime/runtime.ts';
import { FOLD_TAIL } from './fold-tail.ts';
import { FIELD_SEPARATOR, OTHER } from './keys.ts';
import { foldProviders, foldReplies, type ReplyCount } from './top.ts';

/** Job states shown per queue (BullMQ's own names; a paused queue's jobs count as waiting). */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'waiting-children',
  'active',
  'delayed',
  'completed',
  'failed',
] as const satisfies readonly JobState[];

/** Compaction in Redis: past this many fields a hash keeps only its top providers. */
const FOLD_THRESHOLD = 10_000;
const FOLD_KEEP = 1_000;
/** Unfinished lists read per pipeline when summing their greylisted counts. */
const CHUNK = 500;

export interface MetricsSnapshot {
  /** List status → lists in it (every status present, zero included). */
  lists: Map<string, number>;
  /** Verdict status → addresses verified. */
  verified: Map<string, number>;
  sessions: Map<string, number>;
  replies: ReplyCount[];
  throttleWaits: Map<string, number>;
  /** provider → times its breaker was opened because it refused us. */
  breakerTrips: Map<string, number>;
  greylistRetries: number;
  /** Addresses of unfinished lists waiting for a greylisting retry now. */
  greylistPending: number;
  queues: Array<{ queue: string; state: string; value: number }>;
}

export interface SnapshotOptions {
  /** Providers beyond this many fold into `other` (default 200). */
  maxProviders?: number;
}

const defined = new WeakSet<RedisClient>();

export async function readSnapshot(
  rt: Runtime,
  options: SnapshotOptions = {},
): Promise<MetricsSnapshot> {
  const keys = metricKeys(rt.prefix);
  await foldTails(rt.redis, [
    [keys.sessions, false],
    [keys.throttleWaits, false],
    [keys.breakerTrips, false],
    [keys.replies, true],
  ]);
  const [sessions, replies, verified, waits, trips, greylist, index] = await Promise.all([
    rt.redis.hgetall(keys.sessions),
    rt.redis.hgetall(keys.replies),
    rt.redis.hgetall(keys.verified),
    rt.redis.hgetall(keys.throttleWaits),
    rt.redis.hgetall(keys.breakerTrips),
    rt.redis.hget(keys.greylistRetries, 'total'),
    rt.redis.hgetall(rt.lists.statusIndexKey()),
  ]);
  const limit = options.maxProviders;
  const [lists, greylistPending, queues] = await Promise.all([
    Promise.resolve(countStatuses(index)),
    sumGreylisted(rt, unfinished(index)),
    queueCounts(rt),
  ]);
  return {
    lists,
    verified: toCounts(verified),
    sessions: foldProviders(toCounts(sessions), limit),
    replies: foldReplies(toReplies(replies), limit),
    throttleWaits: foldProviders(toCounts(waits), limit),
    breakerTrips: foldProviders(toCounts(trips), limit),
    greylistRetries: Number(greylist ?? 0),
    greylistPending,
    queues,
  };
}

async function foldTails(redis: RedisClient, hashes: Array<[string, boolean]>): Promise<void> {
  if (!defined.has(redis)) {
    defineScripts(redis, [FOLD_TAIL]);
    defined.add(redis);
  }
  await Promise.all(
    hashes.map(([key, composite]) =>
      runScript(
        redis,
        FOLD_TAIL,
        [key],
        [FOLD_KEEP, FOLD_THRESHOLD, composite ? '1' : '0', FIELD_SEPARATOR, OTHER],
      ),
    ),
  );
}

function toCounts(hash: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [field, raw] of Object.entries(hash)) {
    const n = Number(raw);
    if (Number.isFinite(n)) out.set(field, n);
  }
  return out;
}

function toReplies(hash: Record<string, string>): ReplyCount[] {
  return [...toCounts(hash)].map(([field, value]) => {
    const at = field.indexOf(FIELD_SEPARATOR);
    return at < 0
      ? { code: OTHER, provider: field, value }
      : { code: field.slice(0, at), provider: field.slice(at + 1), value };
  });
}

function countStatuses(index: Record<string, string>): Map<string, number> {
  const out = new Map<string, number>(LIST_STATUSES.map((s) => [s, 0]));
  for (const status of Object.values(index)) out.set(status, (out.get(status) ?? 0) + 1);
  return out;
}

function unfinished(index: Record<string, string>): string[] {
  return Object.entries(index)
    .filter(([, status]) => status !== 'done' && status !== 'failed')
    .map(([id]) => id);
}

/**
 * Sum of the lists' `greylisted` counters, read field by field (each list in its own slot):
 * one field keeps a scrape from loading every unfinished list's summary.
 */
async function sumGreylisted(rt: Runtime, ids: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const keys = ids.slice(i, i + CHUNK).map((id) => listKeys(rt.prefix, id).meta);
    for (const value of await hgetEach(rt.redis, keys, 'greylisted')) {
      // The counter can dip below zero for a moment between a decrement and its increment.
      total += Math.max(0, Number(value ?? 0) || 0);
    }
  }
  return total;
}

async function queueCounts(rt: Runtime): Promise<MetricsSnapshot['queues']> {
  const all = new Map<string, Queue>();
  for (const queue of allQueues(rt)) {
    if (!all.has(queue.name)) all.set(queue.name, queue as Queue);
  }
  const counted = await Promise.all(
    [...all.values()].map(async (queue) => ({
      queue: queue.name,
      counts: await queue.getJobCounts(...JOB_STATES),
    })),
  );
  return counted.flatMap(({ queue, counts }) =>
    JOB_STATES.map((state) => ({ queue, state, value: counts[state] ?? 0 })),
  );
}
