/**
 * The per-domain time budget: session time a domain may spend verifying nothing — banner and
 * command timeouts, dropped connections, a tarpit — summed over every batch of the domain in a
 * run, across all workers. Once spent, the domain's remaining addresses are final with the
 * last outcome its sessions gave (`unknown / timeout`, …) instead of being retried until the
 * list's deadline, so one dead or tarpitting domain costs minutes, not the whole list's wait.
 * Slow servers that do answer are not charged: every round that gets an answer is progress.
 */
import { listKeys } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { LastOutcome } from './types.ts';

const TTL_MS = 30 * 86_400_000;

export interface DomainBudget {
  /** Ms spent so far on rounds that verified nothing. */
  spentMs: number;
  /** The last such round's outcome, to finalise with. */
  last: LastOutcome | null;
}

export async function readDomainBudget(
  rt: Runtime,
  listId: string,
  runId: string,
  domain: string,
): Promise<DomainBudget> {
  const [spent, last] = await rt.redis.hmget(
    listKeys(rt.prefix, listId).run(runId).stalled,
    domain,
    `${domain}\n`,
  );
  return { spentMs: Number(spent ?? 0), last: last ? (JSON.parse(last) as LastOutcome) : null };
}

/** Charges a round that verified nothing; returns the domain's total. */
export async function chargeDomainBudget(
  rt: Runtime,
  listId: string,
  runId: string,
  domain: string,
  ms: number,
  last: LastOutcome,
): Promise<number> {
  const key = listKeys(rt.prefix, listId).run(runId).stalled;
  const results = await rt.redis
    .multi()
    .hincrby(key, domain, Math.max(0, Math.round(ms)))
    .hset(key, `${domain}\n`, JSON.stringify(last))
    .pexpire(key, TTL_MS)
    .exec();
  return Number(results?.[0]?.[1] ?? 0);
}
