/**
 * What a list still waits for, and until when: every probe job that puts itself off (a
 * greylisting retry, a provider's throttle, a server to come back) writes one entry, and removes
 * it when it runs again. Progress (CLI, API) reads the run's entries to say why the list is not
 * done and when it will be, instead of guessing from a rate that is zero while it waits.
 */
import { Job } from 'bullmq';
import { listKeys } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';

/** Why addresses wait. */
export type WaitReason = 'greylisted' | 'throttled' | 'retrying' | 'deferred';

export interface WaitEntry {
  /** The probe queue the job waits in (`probe`, or a provider pool's). */
  queue?: string;
  domain: string;
  addresses: number;
  reason: WaitReason;
  /** When the job runs again (ms since the epoch). */
  until: number;
}

export interface WaitingSummary {
  /** Addresses waiting, by reason. */
  addresses: Record<WaitReason, number>;
  /** The latest time any of them runs again (ms since the epoch); null: nothing waits. */
  until: number | null;
  /** The domains with the most waiting addresses, most first (at most 5). */
  domains: Array<{ domain: string; addresses: number; reason: WaitReason; until: number }>;
}

/** Per-run bookkeeping lives as long as the run's results. */
const TTL_MS = 30 * 86_400_000;

export async function noteWaiting(
  rt: Runtime,
  listId: string,
  runId: string,
  jobId: string,
  entry: WaitEntry,
): Promise<void> {
  const key = listKeys(rt.prefix, listId).run(runId).waiting;
  await rt.redis.multi().hset(key, jobId, JSON.stringify(entry)).pexpire(key, TTL_MS).exec();
}

export async function clearWaiting(
  rt: Runtime,
  listId: string,
  runId: string,
  jobId: string,
): Promise<void> {
  await rt.redis.hdel(listKeys(rt.prefix, listId).run(runId).waiting, jobId);
}

export function summariseWaiting(entries: readonly WaitEntry[]): WaitingSummary {
  const addresses: Record<WaitReason, number> = {
    greylisted: 0,
    throttled: 0,
    retrying: 0,
    deferred: 0,
  };
  const byDomain = new Map<string, { addresses: number; reason: WaitReason; until: number }>();
  let until: number | null = null;
  for (const entry of entries) {
    addresses[entry.reason] += entry.addresses;
    until = Math.max(until ?? 0, entry.until);
    const known = byDomain.get(entry.domain);
    if (!known) {
      byDomain.set(entry.domain, { ...entry });
      continue;
    }
    // A domain's batches may wait for different things: name the one holding most addresses.
    if (entry.addresses > known.addresses) known.reason = entry.reason;
    known.addresses += entry.addresses;
    known.until = Math.max(known.until, entry.until);
  }
  const domains = [...byDomain]
    .map(([domain, d]) => ({ domain, ...d }))
    .sort((a, b) => b.addresses - a.addresses || a.domain.localeCompare(b.domain))
    .slice(0, 5);
  return { addresses, until, domains };
}

export async function readWaiting(
  rt: Runtime,
  listId: string,
  runId: string,
): Promise<WaitingSummary> {
  const raw = await rt.redis.hvals(listKeys(rt.prefix, listId).run(runId).waiting);
  return summariseWaiting(raw.map((value) => JSON.parse(value) as WaitEntry));
}

/**
 * Wakes every waiting job of `domain` in the run now, instead of at its retry time: once the
 * domain's time budget is spent they only finalise, and nothing should wait for that.
 */
export async function wakeDomain(
  rt: Runtime,
  listId: string,
  runId: string,
  domain: string,
): Promise<number> {
  const all = await rt.redis.hgetall(listKeys(rt.prefix, listId).run(runId).waiting);
  let woken = 0;
  for (const [jobId, raw] of Object.entries(all)) {
    const entry = JSON.parse(raw) as WaitEntry;
    if (entry.domain !== domain) continue;
    const queue =
      entry.queue === undefined || entry.queue === rt.queues.probe.name
        ? rt.queues.probe
        : rt.pools.find((pool) => pool.bull.name === entry.queue)?.bull;
    const job = queue ? await Job.fromId(queue, jobId) : undefined;
    // Not delayed any more (it is running, or done): nothing to wake.
    if (job && (await job.isDelayed())) {
      await job.promote().catch(() => undefined);
      woken += 1;
    }
  }
  return woken;
}
