/**
 * `listclean verify`: addresses in, one result per address out, in input order. Addresses of one
 * domain share sessions; domains run concurrently (bounded) so one slow or hostile server never
 * delays the others. Greylisted addresses are retried in process after GREYLIST_RETRY_DELAYS,
 * with the same MAIL FROM and source address.
 */
import pLimit from 'p-limit';
import { addressFlags, parseAddress } from '../address/index.ts';
import { formatDuration } from '../config/duration.ts';
import { type AddressResult, buildResult, syntaxResult } from '../verdict/result.ts';
import { type DomainRound, type RoundContext, verifyDomainRound } from './domain-round.ts';
import type { AddressOutcome } from './outcome.ts';
import { planRetries, type RetryPolicy, type RetryState } from './retry-plan.ts';

export interface VerifyRunOptions extends RetryPolicy {
  /** Domains verified at once. */
  concurrency: number;
  /** Called once per input, in input order, as soon as it and every earlier one are known. */
  onResult?: (result: AddressResult, index: number) => void;
  /** Human progress (greylisting waits). */
  onProgress?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function verifyAddresses(
  inputs: readonly string[],
  ctx: RoundContext,
  options: VerifyRunOptions,
): Promise<AddressResult[]> {
  const results: Array<AddressResult | undefined> = new Array(inputs.length);
  let emitted = 0;
  const settle = (index: number, result: AddressResult) => {
    results[index] = result;
    while (emitted < inputs.length && results[emitted]) {
      options.onResult?.(results[emitted] as AddressResult, emitted);
      emitted += 1;
    }
  };

  // Parse, then group unique normalised addresses by domain, remembering every input index.
  const byDomain = new Map<string, Map<string, number[]>>();
  const parsed = inputs.map((input) => parseAddress(input));
  parsed.forEach((p, index) => {
    const input = inputs[index] ?? '';
    if (!p.ok) {
      settle(index, syntaxResult(input, p));
      return;
    }
    const group = byDomain.get(p.domain) ?? new Map<string, number[]>();
    byDomain.set(p.domain, group);
    group.set(p.normalized, [...(group.get(p.normalized) ?? []), index]);
  });

  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(
    [...byDomain].map(([domain, group]) =>
      limit(async () => {
        const finals = await verifyDomainWithRetries(domain, [...group.keys()], ctx, options);
        for (const [normalized, outcome] of finals) {
          for (const index of group.get(normalized) ?? []) {
            const p = parsed[index];
            if (!p?.ok) continue;
            settle(
              index,
              buildResult({
                email: inputs[index] ?? '',
                normalized,
                reason: outcome.reason,
                flags: addressFlags(p.local, p.domain),
                catchAll: outcome.catchAll,
                mxHost: outcome.mxHost,
                smtpCode: outcome.smtpCode,
                smtpEnhancedCode: outcome.smtpEnhancedCode,
                detail: outcome.detail,
                checkedAt: new Date(),
                rule: outcome.rule,
              }),
            );
          }
        }
      }),
    ),
  );
  return results as AddressResult[];
}

async function verifyDomainWithRetries(
  domain: string,
  addresses: string[],
  ctx: RoundContext,
  options: VerifyRunOptions,
): Promise<Map<string, AddressOutcome>> {
  const finals = new Map<string, AddressOutcome>();
  const disposable = addressFlags('x', domain).disposable;
  let pending = addresses;
  let state: RetryState = { waits: 0, transientTries: 0 };
  while (pending.length > 0) {
    const round: DomainRound = await verifyDomainRound(domain, pending, ctx, { disposable });
    if (round.breaker?.opened) {
      const { state } = round.breaker;
      options.onProgress?.(
        `${state.provider} refused us (${state.reply}): probing it is paused until ${state.until}; its addresses are reported unknown/blocked`,
      );
    }
    const plan = planRetries(round.outcomes, state, options);
    for (const [address, outcome] of plan.finals) finals.set(address, outcome);
    if (plan.again.length === 0) break;
    if (plan.next.waits > state.waits) {
      options.onProgress?.(
        `${domain}: ${plan.again.length} address(es) greylisted or deferred; retry ${plan.next.waits}/${options.greylistDelaysMs.length} in ${formatDuration(plan.delayMs)}`,
      );
    }
    state = plan.next;
    await sleep(plan.delayMs);
    pending = plan.again;
  }
  return finals;
}
