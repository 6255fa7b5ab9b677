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
import { type RoundContext, verifyDomainRound } from '../verify/domain-round.ts';
import type { AddressOutcome } from '../verify/outcome.ts';
import { finalOutcome, outcomeVerdict } from '../verify/outcome.ts';
import { greylistEgress, planRetries, type RetryPlan } from '../verify/retry-plan.ts';
import { chargeDomainBudget, readDomainBudget } from './domain-budget.ts';
import { aimdEgresses, egressAffinity, leaveForEgressMs, noteTakeOver } from './egress.ts';
import { shareWhenDraining } from './pool-split.ts';
import { roundRecorder, storeTranscripts, withoutLostTraces } from './traces.ts';
import type { LastOutcome, ProbeJobData } from './types.ts';
import { clearWaiting, noteWaiting, type WaitReason, wakeDomain } from './waiting.ts';

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

/** What an address got last, kept in the job for finalising it if time runs out. */
function toLast(outcome: AddressOutcome): LastOutcome {
  return {
    reason: outcome.reason,
    rule: outcome.rule,
    detail: outcome.detail,
    mxHost: outcome.mxHost,
    smtpCode: outcome.smtpCode,
    smtpEnhancedCode: outcome.smtpEnhancedCode,
    catchAll: outcome.catchAll,
    ...(outcome.signals ? { signals: outcome.signals } : {}),
    ...(outcome.egress ? { egress: outcome.egress } : {}),
    ...(outcome.trace ? { trace: outcome.trace } : {}),
  };
}

/** Why a job waits, for progress: the kind that holds most of its addresses back. */
function waitReason(plan: RetryPlan, outcomes: Map<string, AddressOutcome>): WaitReason {
  if (plan.greylisted > 0) return 'greylisted';
  const kinds = plan.again.map((address) => outcomes.get(address)?.retry?.kind);
  if (kinds.every((kind) => kind === 'throttled')) return 'throttled';
  return kinds.some((kind) => kind === 'transient') ? 'retrying' : 'deferred';
}

/**
 * Time ran out for these addresses (the list's deadline, or the domain's time budget): each is
 * final with the last outcome it got, or — never asked — `unknown / temporary_failure`. `why`
 * ends every detail, so a report says the verdict was not the server's last word.
 */
function finalsWhenTimeRanOut(
  addresses: readonly string[],
  last: Record<string, LastOutcome> | undefined,
  fallback: LastOutcome | null,
  domain: string,
  why: string,
): Map<string, AddressOutcome> {
  const finals = new Map<string, AddressOutcome>();
  for (const address of addresses) {
    const known = last?.[address] ?? fallback;
    finals.set(
      address,
      known
        ? { ...known, detail: `${known.detail ?? known.reason}; ${why}`, retry: null }
        : finalOutcome(
            'temporary_failure',
            'deadline-unverified',
            `not verified: ${why} while ${domain} still waited for its turn`,
          ),
    );
  }
  return finals;
}

async function recordFinals(
  rt: Runtime,
  data: ProbeJobData,
  outcomes: Map<string, AddressOutcome>,
): Promise<Array<readonly [string, CachedVerdict]>> {
  const now = new Date();
  const finals = [...outcomes].map(
    ([address, outcome]) => [address, outcomeVerdict(outcome, now)] as const,
  );
  if (finals.length > 0) {
    await rt.results.setMany(data.listId, data.runId, finals);
    await rt.cache.set(finals.map(([a, v]) => [a, v]));
  }
  return finals;
}

/** Finalises a whole job without a round (its time ran out before it got one). */
async function finishUnprobed(
  rt: Runtime,
  data: ProbeJobData,
  fallback: LastOutcome | null,
  why: string,
): Promise<number> {
  const outcomes = finalsWhenTimeRanOut(data.addresses, data.last, fallback, data.domain, why);
  await recordFinals(rt, data, outcomes);
  await rt.metrics.recordRound({
    provider: null,
    sessions: 0,
    replyCodes: {},
    statuses: countBy([...outcomes.values()].map((o) => REASON_STATUS[o.reason])),
  });
  return outcomes.size;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
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
  const jobId = job.id ?? '';
  // Running now: no longer waiting.
  await clearWaiting(rt, data.listId, data.runId, jobId);
  const deadlineAt = await rt.lists.deadlineOf(data.listId);
  // A greylisting retry leaves from the egress that was greylisted: left for a worker that has
  // it (still waiting for greylisting, no attempt spent), taken over once none has.
  const affinity = await egressAffinity(rt, data.egress);
  if (affinity === 'elsewhere' && (deadlineAt === null || Date.now() < deadlineAt)) {
    rt.log.debug(
      { listId: data.listId, jobId, egress: data.egress },
      'leaving a greylisting retry to a worker that has its egress',
    );
    return putOff(job, token, rt, data, leaveForEgressMs(), 'greylisted', deadlineAt);
  }
  const takenOverFrom = affinity === 'gone' ? data.egress : undefined;
  if (takenOverFrom) {
    rt.log.info(
      { listId: data.listId, jobId, egress: takenOverFrom },
      `taking over a greylisting retry: no live worker has egress ${takenOverFrom} any more; greylisting starts again`,
    );
    data.egress = undefined;
  }
  if (data.greylistedNow > 0) {
    // These addresses are being retried now: no longer "waiting for greylisting".
    await rt.lists.increment(data.listId, 'greylisted', -data.greylistedNow);
    data.greylistedNow = 0;
    await job.updateData(data);
  }
  if (deadlineAt !== null && Date.now() >= deadlineAt) {
    return finishUnprobed(rt, data, null, 'final at the list’s deadline');
  }
  const budgetMs = rt.config.DOMAIN_TIME_BUDGET;
  if (budgetMs > 0) {
    const budget = await readDomainBudget(rt, data.listId, data.runId, data.domain);
    if (budget.spentMs >= budgetMs) {
      return finishUnprobed(
        rt,
        data,
        budget.last,
        `gave up on ${data.domain} after ${seconds(budget.spentMs)} of sessions that verified nothing`,
      );
    }
  }
  if (pool) data = await shareWhenDraining(job, pool, data);
  const disposable = addressFlags('x', data.domain).disposable;
  const started = Date.now();
  // A traced list records every session of the round; stored below, before any verdict names one.
  const traced = data.trace ? roundRecorder(jobId, data.listId, data.runId, started) : null;
  const trace = traced ? { trace: traced.recorder } : {};
  // A greylisting retry repeats the greylisted round's sender, whatever this worker's MAIL_FROM.
  const roundContext = withMailFrom(pool ? rt.poolRound : rt.round, data.mailFrom);
  let round: Awaited<ReturnType<typeof verifyDomainRound>>;
  try {
    round = pool
      ? await verifyDomainRound(data.domain, data.addresses, roundContext, {
          disposable,
          maxParallelSessions: 1,
          egress: data.egress,
          ...trace,
          ...(data.lockstep ? { lockstep: true } : {}),
        })
      : await verifyDomainRound(data.domain, data.addresses, roundContext, {
          disposable,
          egress: data.egress,
          ...trace,
          ...(data.lockstep ? { lockstep: true } : {}),
        });
    if (takenOverFrom) round = { ...round, outcomes: noteTakeOver(round.outcomes, takenOverFrom) };
  } catch (error) {
    if (error instanceof ThrottledError) {
      await rt.metrics.recordThrottleWait(error.provider);
      return putOff(job, token, rt, data, error.retryInMs, 'throttled', deadlineAt);
    }
    throw error;
  }
  const elapsedMs = Date.now() - started;
  if (traced && traced.finished.length > 0) {
    const lost = await storeTranscripts(rt, data.listId, data.runId, traced.finished);
    round = { ...round, outcomes: withoutLostTraces(round.outcomes, lost) };
  }

  const plan = planRetries(
    round.outcomes,
    { waits: data.waits, transientTries: data.transientTries },
    rt.retry,
    round.pipeliningBroke,
  );
  const finals = await recordFinals(rt, data, plan.finals);
  await rt.metrics.recordRound({
    provider: round.provider,
    sessions: round.sessions,
    replyCodes: countBy(
      [...round.outcomes.values()].flatMap((o) => (o.smtpCode ? [String(o.smtpCode)] : [])),
    ),
    statuses: countBy([...plan.finals.values()].map((o) => REASON_STATUS[o.reason])),
  });
  if (round.provider && (plan.rateLimited || round.sessions > 0)) {
    // Each egress has the provider's budgets of its own: the ones that heard the answers learn.
    for (const egress of aimdEgresses(round.outcomes, plan.rateLimited)) {
      if (plan.rateLimited) await rt.gate.penalise(round.provider, egress);
      else await rt.gate.reward(round.provider, egress);
    }
  }
  if (round.breaker) {
    const blocked = [...plan.finals.values()].filter((o) => o.reason === 'blocked').length;
    await rt.lists.noteBlocked(data.listId, data.runId, round.breaker.state, blocked);
    if (round.breaker.opened) await rt.metrics.recordBreakerTrip(round.breaker.state.provider);
  }

  // A round with sessions and not one reply (timeouts, drops, a tarpit) is charged to the
  // domain's budget, by every job of the domain alike.
  let budgetLeft = true;
  const answered = [...round.outcomes.values()].some((o) => o.smtpCode !== null);
  const sample = round.outcomes.values().next().value;
  if (budgetMs > 0 && round.sessions > 0 && !answered && sample) {
    const spent = await chargeDomainBudget(
      rt,
      data.listId,
      data.runId,
      data.domain,
      elapsedMs,
      toLast(sample),
    );
    budgetLeft = spent < budgetMs;
    // The budget just ran out: the domain's other jobs only finalise now; wake them.
    if (!budgetLeft) await wakeDomain(rt, data.listId, data.runId, data.domain);
    if (!budgetLeft && plan.again.length > 0) {
      const last = Object.fromEntries(
        plan.again.map((a) => [a, toLast(round.outcomes.get(a) ?? sample)]),
      );
      const outcomes = finalsWhenTimeRanOut(
        plan.again,
        last,
        null,
        data.domain,
        `gave up on ${data.domain} after ${seconds(spent)} of sessions that verified nothing`,
      );
      return finals.length + (await recordFinals(rt, data, outcomes)).length;
    }
  }
  if (plan.again.length === 0) return finals.length;

  const last: Record<string, LastOutcome> = {};
  for (const address of plan.again) {
    const outcome = round.outcomes.get(address);
    const earlier = data.last?.[address];
    // Never asked this round (throttled): what it got before says more.
    if (outcome && !(outcome.retry?.kind === 'throttled' && earlier))
      last[address] = toLast(outcome);
    else if (earlier) last[address] = earlier;
  }
  await rt.lists.increment(data.listId, 'greylisted', plan.greylisted);
  await rt.metrics.recordGreylistRetries(plan.greylisted);
  return (
    finals.length +
    (await putOff(
      job,
      token,
      rt,
      {
        ...data,
        addresses: plan.again,
        waits: plan.next.waits,
        transientTries: plan.next.transientTries,
        ...(plan.next.lockstep || data.lockstep ? { lockstep: true as const } : {}),
        greylistedNow: plan.greylisted,
        last,
        // The retry must leave from the egress the server greylisted.
        egress: greylistEgress(plan.again, round.outcomes) ?? data.egress,
        mailFrom: roundContext.smtp.mailFrom,
      },
      plan.delayMs,
      waitReason(plan, round.outcomes),
      deadlineAt,
    ))
  );
}

/** The round context with `mailFrom` as the envelope sender (unchanged without one). */
function withMailFrom(context: RoundContext, mailFrom: string | undefined): RoundContext {
  if (!mailFrom || mailFrom === context.smtp.mailFrom) return context;
  return { ...context, smtp: { ...context.smtp, mailFrom } };
}

/**
 * Puts the job off for `delayMs`, but never past the list's deadline: it wakes then at the
 * latest and finalises what still waits. Past the deadline already, it finalises now. The wait
 * is written down for progress. Returns the addresses finalised (a job put off throws).
 */
async function putOff(
  job: Job<ProbeJobData>,
  token: string | undefined,
  rt: Runtime,
  data: ProbeJobData,
  delayMs: number,
  reason: WaitReason,
  deadlineAt: number | null,
): Promise<number> {
  const now = Date.now();
  if (deadlineAt !== null && now >= deadlineAt) {
    return finishUnprobed(rt, data, null, 'final at the list’s deadline');
  }
  const until = Math.min(now + Math.max(1, delayMs), deadlineAt ?? Number.POSITIVE_INFINITY);
  await noteWaiting(rt, data.listId, data.runId, job.id ?? '', {
    queue: job.queueName,
    domain: data.domain,
    addresses: data.addresses.length,
    reason,
    until,
  });
  return requeue(job, token, data, until - now);
}
