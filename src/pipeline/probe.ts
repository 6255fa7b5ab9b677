/**
 * The probe job: one verification round for a batch of addresses at one domain. Final verdicts
 * go to the list's results and the shared cache; what must wait (greylisting, a provider asking
 * us to slow down, a throttle that is full) goes back to the queue as a delayed job, so waiting
 * never holds a worker slot and a throttled provider never blocks the others.
 */
import { DelayedError, type Job } from 'bullmq';
import { addressFlags } from '../address/index.ts';
import type { CachedVerdict } from '../redis/index.ts';
import type { PoolQueue, Runtime } from '../runtime/runtime.ts';
import { ThrottledError } from '../throttle/index.ts';
import { REASON_STATUS } from '../verdict/types.ts';
import { verifyDomainRound } from '../verify/domain-round.ts';
import type { AddressOutcome } from '../verify/outcome.ts';
import { planRetries } from '../verify/retry-plan.ts';
import { shareWhenDraining } from './pool-split.ts';
import type { ProbeJobData } from './types.ts';

async function requeue(
  job: Job<ProbeJobData>,
  token: string | undefined,
  data: ProbeJobData,
  delayMs: number,
): Promise<never> {
  await job.updateData(data);
  await job.moveToDelayed(Date.now() + Math.max(1, delayMs), token);
  throw new DelayedError();
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function outcomeToCached(outcome: AddressOutcome, checkedAt: Date): CachedVerdict {
  return {
    reason: outcome.reason,
    catchAll: outcome.catchAll,
    mxHost: outcome.mxHost,
    smtpCode: outcome.smtpCode,
    smtpEnhancedCode: outcome.smtpEnhancedCode,
    detail: outcome.detail,
    checkedAt,
    rule: outcome.rule,
  };
}

/**
 * `pool`: the provider pool the job runs in, or null for the shared queue. A pool job's slot is
 * one of the provider's sessions, so it opens them one after another and waits patiently for
 * the gate.
 */
export async function runProbe(
  job: Job<ProbeJobData>,
  token: string | undefined,
  rt: Runtime,
  pool: PoolQueue | null,
): Promise<number> {
  let data = { ...job.data };
  if (data.greylistedNow > 0) {
    // These addresses are being retried now: no longer "waiting for greylisting".
    await rt.lists.increment(data.listId, 'greylisted', -data.greylistedNow);
    data.greylistedNow = 0;
    await job.updateData(data);
  }
  if (pool) data = await shareWhenDraining(job, pool, data);
  const disposable = addressFlags('x', data.domain).disposable;
  let round: Awaited<ReturnType<typeof verifyDomainRound>>;
  try {
    round = pool
      ? await verifyDomainRound(data.domain, data.addresses, rt.poolRound, {
          disposable,
          maxParallelSessions: 1,
        })
      : await verifyDomainRound(data.domain, data.addresses, rt.round, { disposable });
  } catch (error) {
    if (error instanceof ThrottledError) {
      await rt.metrics.recordThrottleWait(error.provider);
      return requeue(job, token, data, error.retryInMs);
    }
    throw error;
  }

  const plan = planRetries(
    round.outcomes,
    { waits: data.waits, transientTries: data.transientTries },
    rt.retry,
  );
  const now = new Date();
  const finals = [...plan.finals].map(
    ([address, outcome]) => [address, outcomeToCached(outcome, now)] as const,
  );
  if (finals.length > 0) {
    await rt.results.setMany(data.listId, data.runId, finals);
    await rt.cache.set(finals.map(([a, v]) => [a, v]));
  }
  await rt.metrics.recordRound({
    provider: round.provider,
    sessions: round.sessions,
    replyCodes: countBy(
      [...round.outcomes.values()].flatMap((o) => (o.smtpCode ? [String(o.smtpCode)] : [])),
    ),
    statuses: countBy([...plan.finals.values()].map((o) => REASON_STATUS[o.reason])),
  });
  if (round.provider) {
    if (plan.rateLimited) await rt.gate.penalise(round.provider);
    else if (round.sessions > 0) await rt.gate.reward(round.provider);
  }
  if (round.breaker) {
    const blocked = [...plan.finals.values()].filter((o) => o.reason === 'blocked').length;
    await rt.lists.noteBlocked(data.listId, data.runId, round.breaker.state, blocked);
    if (round.breaker.opened) await rt.metrics.recordBreakerTrip(round.breaker.state.provider);
  }
  if (plan.again.length === 0) return finals.length;
  await rt.lists.increment(data.listId, 'greylisted', plan.greylisted);
  await rt.metrics.recordGreylistRetries(plan.greylisted);
  return requeue(
    job,
    token,
    {
      ...data,
      addresses: plan.again,
      waits: plan.next.waits,
      transientTries: plan.next.transientTries,
      greylistedNow: plan.greylisted,
    },
    plan.delayMs,
  );
}
