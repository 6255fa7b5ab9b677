/**
 * A probe job and the egresses of the worker that runs it. Greylisting keys on the client
 * address, so a greylisted job is retried from the egress that was greylisted (recorded in the
 * job), whichever worker takes it: one that lacks that egress leaves the job for a moment (no
 * attempt spent) for one that has it, and only when no live worker has it any more (the egress
 * registry, src/egress/registry.ts) does a worker take it over from its own egress, the
 * greylisting starting again. Throttles learn per egress too: AIMD penalises or rewards the
 * provider's budget of the egresses the round's sessions left from.
 */
import { egressHasOwner } from '../egress/registry.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { AddressOutcome } from '../verify/outcome.ts';

export type EgressAffinity =
  /** No egress recorded, or the default route (never pinned): any worker, its stable pick. */
  | 'none'
  /** This worker has the egress: the retry leaves from it. */
  | 'here'
  /** Another live worker has it: leave the job to it. */
  | 'elsewhere'
  /** No live worker has it any more: take the job over from an egress of this worker. */
  | 'gone';

export async function egressAffinity(
  rt: Pick<Runtime, 'redis' | 'prefix' | 'round'>,
  egress: string | undefined,
): Promise<EgressAffinity> {
  if (!egress || egress === 'default') return 'none';
  if (rt.round.egresses.some((own) => own.name === egress)) return 'here';
  return (await egressHasOwner(rt.redis, rt.prefix, egress)) ? 'elsewhere' : 'gone';
}

/** How long a job is left for a worker that has its egress: about a second, jittered. */
export function leaveForEgressMs(): number {
  return 500 + Math.round(Math.random() * 500);
}

/**
 * A taken-over job's outcomes say why their egress changed: the server sees a new client, so
 * its greylisting starts again.
 */
export function noteTakeOver(
  outcomes: Map<string, AddressOutcome>,
  gone: string,
): Map<string, AddressOutcome> {
  const note = (egress: string) =>
    `retried from ${egress}: no live worker has ${gone} (the egress greylisted first) any more, so greylisting starts again`;
  return new Map(
    [...outcomes].map(([address, outcome]) => [
      address,
      outcome.egress && outcome.egress !== gone
        ? { ...outcome, detail: `${outcome.detail ?? outcome.reason}; ${note(outcome.egress)}` }
        : outcome,
    ]),
  );
}

/**
 * The egresses whose provider budget a round's answers speak for: with a complaint about our
 * rate, the egresses that heard it (penalise); otherwise every egress that had a session
 * (reward). `default` (the single-egress budget) when no answer names one.
 */
export function aimdEgresses(
  outcomes: ReadonlyMap<string, AddressOutcome>,
  rateLimited: boolean,
): string[] {
  const egresses = new Set<string>();
  for (const outcome of outcomes.values()) {
    if (!outcome.egress) continue;
    if (rateLimited && !outcome.retry?.slowDown) continue;
    egresses.add(outcome.egress);
  }
  return egresses.size > 0 ? [...egresses] : ['default'];
}
