/**
 * After a round: which addresses are final, which go again, and after how long. One policy for
 * the CLI (which sleeps) and the pipeline (which re-queues the job as delayed), so both retry
 * greylisting the same way: the next GREYLIST_RETRY_DELAYS step, or longer when the server said
 * "try again in N seconds"; connection failures a bounded number of times with backoff.
 */
import type { AddressOutcome } from './outcome.ts';

export interface RetryPolicy {
  greylistDelaysMs: number[];
  /** False: greylisted / deferred addresses are final at once. */
  waitForGreylist: boolean;
  transientRetries: number;
  transientBackoffMs: number;
}

export interface RetryState {
  /** Greylisting / rate-limit waits already spent. */
  waits: number;
  transientTries: number;
  /** The server broke the PIPELINING it advertised: later rounds go in lockstep. */
  lockstep?: boolean;
}

export interface RetryPlan {
  finals: Map<string, AddressOutcome>;
  /** Addresses to verify again after `delayMs`. */
  again: string[];
  delayMs: number;
  /** How many of `again` wait for greylisting (for progress). */
  greylisted: number;
  /** Some server asked us to slow down. */
  rateLimited: boolean;
  next: RetryState;
}

/**
 * `pipeliningBroke`: the round asked again in lockstep what a pipelined session left unanswered
 * (DomainRound.pipeliningBroke), so a transient failure of it has had one more try already — an
 * address is never asked more than 1 + `transientRetries` times for connection failures — and
 * the rounds after it go in lockstep.
 */
export function planRetries(
  outcomes: Map<string, AddressOutcome>,
  state: RetryState,
  policy: RetryPolicy,
  pipeliningBroke = false,
): RetryPlan {
  const extraTry = pipeliningBroke ? 1 : 0;
  const finals = new Map<string, AddressOutcome>();
  const again: string[] = [];
  let serverAskedMs = 0;
  let greylisted = 0;
  let rateLimited = false;
  const kinds = new Set<string>();
  for (const [address, outcome] of outcomes) {
    const retry = outcome.retry;
    if (retry?.slowDown) rateLimited = true;
    const canWait =
      retry === null
        ? false
        : retry.kind === 'throttled'
          ? true
          : retry.kind === 'transient'
            ? state.transientTries + extraTry < policy.transientRetries
            : policy.waitForGreylist && state.waits < policy.greylistDelaysMs.length;
    if (!retry || !canWait) {
      finals.set(address, outcome);
      continue;
    }
    kinds.add(retry.kind === 'throttled' || retry.kind === 'transient' ? retry.kind : 'wait');
    if (retry.kind === 'greylist' || retry.kind === 'catch_all_pending') greylisted += 1;
    serverAskedMs = Math.max(serverAskedMs, retry.afterMs ?? 0);
    again.push(address);
  }
  const lockstep = state.lockstep || pipeliningBroke ? { lockstep: true } : {};
  if (again.length === 0)
    return { finals, again, delayMs: 0, greylisted, rateLimited, next: { ...state, ...lockstep } };
  // A round spends one try of each budget it uses, so a transient failure retried alongside
  // greylisted addresses still gets no more than `transientRetries` extra rounds. Waiting for
  // the provider's gate (`throttled`) spends none: the addresses were never asked.
  const next: RetryState = {
    waits: state.waits + (kinds.has('wait') ? 1 : 0),
    transientTries: state.transientTries + (kinds.has('transient') ? 1 + extraTry : 0),
    ...lockstep,
  };
  const delayMs = kinds.has('wait')
    ? Math.max(policy.greylistDelaysMs[state.waits] ?? 0, serverAskedMs)
    : kinds.has('transient')
      ? Math.max(policy.transientBackoffMs * 2 ** state.transientTries, serverAskedMs)
      : serverAskedMs;
  return { finals, again, delayMs, greylisted, rateLimited, next };
}

/**
 * The egress a greylisting retry must leave from: the one whose session was greylisted (the
 * server keys its greylist on the client address). Undefined when no address going again waits
 * for greylisting.
 */
export function greylistEgress(
  again: readonly string[],
  outcomes: ReadonlyMap<string, AddressOutcome>,
): string | undefined {
  for (const address of again) {
    const outcome = outcomes.get(address);
    const kind = outcome?.retry?.kind;
    if ((kind === 'greylist' || kind === 'catch_all_pending') && outcome?.egress) {
      return outcome.egress;
    }
  }
  return undefined;
}
