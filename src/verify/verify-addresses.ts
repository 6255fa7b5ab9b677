/**
 * `listclean verify` and `POST /v1/verify`: addresses in, one result per address out, each
 * reported as soon as its verdict is final (or in input order, on request). Addresses of one
 * domain share sessions; domains run concurrently (bounded) so one slow or hostile server never
 * delays the others. Greylisted addresses are retried in process after GREYLIST_RETRY_DELAYS,
 * with the same MAIL FROM and source address.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { addressFlags, parseAddress } from '../address/index.ts';
import { formatDuration } from '../config/duration.ts';
import type { CachedVerdict } from '../redis/compact-verdict.ts';
import type { TraceRecorder } from '../smtp/transcript.ts';
import { ThrottledError } from '../throttle/throttled-error.ts';
import { type AddressResult, buildResult, syntaxResult } from '../verdict/result.ts';
import { type DomainRound, type RoundContext, verifyDomainRound } from './domain-round.ts';
import { type AddressOutcome, outcomeVerdict } from './outcome.ts';
import { greylistEgress, planRetries, type RetryPolicy, type RetryState } from './retry-plan.ts';

/** Where a result came from: the address's syntax, the verdict cache, or a probe just now. */
export type ResultSource = 'syntax' | 'cache' | 'probe';

/** Addresses of one domain that go again after a wait (greylisting, rate limits, …). */
export interface RetryNotice {
  domain: string;
  /** Normalised addresses. */
  addresses: string[];
  /** When the next round starts. */
  retryAt: Date;
  /** This round's outcome of each of them: why it waits (`retry.kind`) and the server's words. */
  outcomes: ReadonlyMap<string, AddressOutcome>;
}

export interface VerifyRunOptions extends RetryPolicy {
  /** Domains verified at once. */
  concurrency: number;
  /**
   * Called once per input as soon as its verdict is final (completion order), or with `ordered`
   * as soon as it and every earlier input are final (input order).
   */
  onResult?: (result: AddressResult, index: number, source: ResultSource) => void;
  /** Report in input order instead of completion order. */
  ordered?: boolean;
  /**
   * Verdicts known already (the verdict cache), by normalised address: those are reported at
   * once and not probed. A lookup that fails is treated as no answer.
   */
  cached?: (addresses: readonly string[]) => Promise<ReadonlyMap<string, CachedVerdict>>;
  /** Told whenever addresses are put aside for a later round. */
  onRetry?: (notice: RetryNotice) => void;
  /** Human progress (greylisting waits). */
  onProgress?: (message: string) => void;
  /**
   * Stops the run: no new round starts, waits end at once, nothing more is reported, and the
   * returned promise rejects with the signal's reason. A round in flight runs to its end (its
   * sessions are bounded by the SMTP timeouts) but its answers are dropped.
   */
  signal?: AbortSignal;
  /** Records every SMTP session's transcript (`--trace`); results name theirs in `trace`. */
  trace?: TraceRecorder;
}

/**
 * Connection failures and timeouts when someone waits for the answer (`listclean verify`,
 * `POST /v1/verify`): one more try, 2 s later. Lists retry them later and more patiently.
 */
export const INTERACTIVE_TRANSIENT_RETRY = {
  transientRetries: 1,
  transientBackoffMs: 2000,
} as const satisfies Partial<RetryPolicy>;

export async function verifyAddresses(
  inputs: readonly string[],
  ctx: RoundContext,
  options: VerifyRunOptions,
): Promise<AddressResult[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const results: Array<AddressResult | undefined> = new Array(inputs.length);
  const sources: ResultSource[] = new Array(inputs.length);
  let emitted = 0;
  const settle = (index: number, result: AddressResult, source: ResultSource) => {
    if (signal?.aborted) return;
    results[index] = result;
    sources[index] = source;
    if (!options.ordered) {
      options.onResult?.(result, index, source);
      return;
    }
    while (emitted < inputs.length && results[emitted]) {
      options.onResult?.(results[emitted] as AddressResult, emitted, sources[emitted] ?? source);
      emitted += 1;
    }
  };

  // Parse, then group unique normalised addresses by domain, remembering every input index.
  const byDomain = new Map<string, Map<string, number[]>>();
  const parsed = inputs.map((input) => parseAddress(input));
  parsed.forEach((p, index) => {
    const input = inputs[index] ?? '';
    if (!p.ok) {
      settle(index, syntaxResult(input, p), 'syntax');
      return;
    }
    const group = byDomain.get(p.domain) ?? new Map<string, number[]>();
    byDomain.set(p.domain, group);
    group.set(p.normalized, [...(group.get(p.normalized) ?? []), index]);
  });

  const report = (
    group: Map<string, number[]>,
    normalized: string,
    verdict: CachedVerdict,
    source: ResultSource,
  ) => {
    for (const index of group.get(normalized) ?? []) {
      const p = parsed[index];
      if (!p?.ok) continue;
      settle(
        index,
        buildResult({
          email: inputs[index] ?? '',
          normalized,
          flags: addressFlags(p.local, p.domain),
          ...verdict,
        }),
        source,
      );
    }
  };

  if (options.cached && byDomain.size > 0) {
    const known = await options
      .cached([...byDomain.values()].flatMap((group) => [...group.keys()]))
      .catch(() => new Map<string, CachedVerdict>());
    signal?.throwIfAborted();
    for (const [domain, group] of byDomain) {
      for (const [normalized, verdict] of known) {
        if (!group.has(normalized)) continue;
        report(group, normalized, verdict, 'cache');
        group.delete(normalized);
      }
      if (group.size === 0) byDomain.delete(domain);
    }
  }

  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(
    [...byDomain].map(([domain, group]) =>
      limit(async () => {
        signal?.throwIfAborted();
        await verifyDomainWithRetries(domain, [...group.keys()], ctx, options, (address, o) =>
          report(group, address, outcomeVerdict(o, new Date()), 'probe'),
        );
      }),
    ),
  );
  signal?.throwIfAborted();
  return results as AddressResult[];
}

/** Verifies one domain's addresses, reporting each final outcome as soon as its round ends. */
async function verifyDomainWithRetries(
  domain: string,
  addresses: string[],
  ctx: RoundContext,
  options: VerifyRunOptions,
  onFinal: (address: string, outcome: AddressOutcome) => void,
): Promise<void> {
  const { signal } = options;
  const disposable = addressFlags('x', domain).disposable;
  let pending = addresses;
  let state: RetryState = { waits: 0, transientTries: 0 };
  // A greylisted retry leaves from the egress that was greylisted.
  let egress: string | undefined;
  while (pending.length > 0) {
    let round: DomainRound;
    try {
      round = await verifyDomainRound(domain, pending, ctx, {
        disposable,
        egress,
        ...(options.trace ? { trace: options.trace } : {}),
        ...(state.lockstep ? { lockstep: true } : {}),
      });
    } catch (error) {
      // A shared (Redis) gate refuses to wait long for a busy provider: nothing was asked, so
      // wait for it here (spending no retry budget) and ask again.
      if (!(error instanceof ThrottledError)) throw error;
      await sleep(Math.max(1, error.retryInMs), undefined, { signal });
      continue;
    }
    signal?.throwIfAborted();
    if (round.breaker?.opened) {
      const { state } = round.breaker;
      options.onProgress?.(
        `${state.provider} refused us (${state.reply}): probing it is paused until ${state.until}; its addresses are reported unknown/blocked`,
      );
    }
    const plan = planRetries(round.outcomes, state, options, round.pipeliningBroke);
    for (const [address, outcome] of plan.finals) onFinal(address, outcome);
    if (plan.again.length === 0) break;
    if (plan.next.waits > state.waits) {
      options.onProgress?.(
        `${domain}: ${plan.again.length} address(es) greylisted or deferred; retry ${plan.next.waits}/${options.greylistDelaysMs.length} in ${formatDuration(plan.delayMs)}`,
      );
    }
    options.onRetry?.({
      domain,
      addresses: plan.again,
      retryAt: new Date(Date.now() + plan.delayMs),
      outcomes: new Map([...round.outcomes].filter(([address]) => !plan.finals.has(address))),
    });
    state = plan.next;
    egress = greylistEgress(plan.again, round.outcomes) ?? egress;
    await sleep(plan.delayMs, undefined, { signal });
    pending = plan.again;
  }
}
