/**
 * `listclean verify`: addresses in, one result per address out, in input order. Addresses of one
 * domain share sessions; domains run concurrently (bounded) so one slow or hostile server never
 * delays the others. Greylisted addresses are retried in process after GREYLIST_RETRY_DELAYS,
 * with the same MAIL FROM and source address.
 */
import pLimit from 'p-limit';
import { addressFlags, parseAddress } from '../address/index.ts';
import { formatDuration } from '../config/duration.ts';
import { type AddressResult, buildResult } from '../verdict/result.ts';
import { type DomainRound, type RoundContext, verifyDomainRound } from './domain-round.ts';
import type { AddressOutcome } from './outcome.ts';

export interface VerifyRunOptions {
  /** Domains verified at once. */
  concurrency: number;
  /** Waits before each greylisting retry; the server's own "try again in N s" wins if longer. */
  greylistDelaysMs: number[];
  /** False: report `unknown / greylisted` at once instead of waiting. */
  waitForGreylist: boolean;
  /** Connection failures and timeouts: extra rounds, after a short backoff. */
  transientRetries: number;
  transientBackoffMs: number;
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
      settle(
        index,
        buildResult({
          email: input,
          normalized: null,
          reason: 'invalid_syntax',
          flags: { role: false, free: false, disposable: false, suggestion: null },
          catchAll: false,
          mxHost: null,
          smtpCode: null,
          smtpEnhancedCode: null,
          detail: `${p.code}: ${p.message}`,
          checkedAt: new Date(),
        }),
      );
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
  let waits = 0;
  let transientTries = 0;
  while (pending.length > 0) {
    const round: DomainRound = await verifyDomainRound(domain, pending, ctx, { disposable });
    const again: string[] = [];
    let serverAskedMs = 0;
    let onlyTransient = true;
    for (const [address, outcome] of round.outcomes) {
      if (!outcome.retry) {
        finals.set(address, outcome);
        continue;
      }
      const canWait =
        outcome.retry.kind === 'transient'
          ? transientTries < options.transientRetries
          : options.waitForGreylist && waits < options.greylistDelaysMs.length;
      if (!canWait) {
        finals.set(address, outcome);
        continue;
      }
      if (outcome.retry.kind !== 'transient') onlyTransient = false;
      serverAskedMs = Math.max(serverAskedMs, outcome.retry.afterMs ?? 0);
      again.push(address);
    }
    if (again.length === 0) break;
    let delay: number;
    if (onlyTransient) {
      delay = options.transientBackoffMs * 2 ** transientTries;
      transientTries += 1;
    } else {
      delay = Math.max(options.greylistDelaysMs[waits] ?? 0, serverAskedMs);
      waits += 1;
      options.onProgress?.(
        `${domain}: ${again.length} address(es) greylisted or deferred; retry ${waits}/${options.greylistDelaysMs.length} in ${formatDuration(delay)}`,
      );
    }
    await sleep(delay);
    pending = again;
  }
  return finals;
}
