/**
 * One verification round for a batch of addresses at one domain: DNS, the safety guard, the
 * catch-all probe and the SMTP sessions, turned into an outcome per address. Retrying what
 * asks for a retry (greylisting, rate limits) is the caller's job — the CLI waits in process,
 * the pipeline re-queues the job — so a round never sleeps.
 */
import { classifyIp, providerKey } from '../dns/index.ts';
import { type MxAllowance, mayConnect } from '../dns/mx-allowance.ts';
import type { MxHost, MxLookup } from '../dns/types.ts';
import { type Policy, policyFor } from '../policy/policy.ts';
import { classifyRcptReply, classifySessionReply, type ReplyClass } from '../smtp/classify.ts';
import {
  type DomainProbeOptions,
  type DomainProbeResult,
  type ProbeOutcome,
  probeDomain,
} from '../smtp/probe-domain.ts';
import { formatReply, type SmtpReply } from '../smtp/reply.ts';
import type { SessionFailure, SmtpTarget } from '../smtp/session.ts';
import type { SessionGate } from '../throttle/session-gate.ts';
import type { CatchAllStore } from './catch-all-cache.ts';
import { type AddressOutcome, finalOutcome, type RetryKind } from './outcome.ts';

export interface RoundContext {
  resolveMx(domain: string): Promise<MxLookup>;
  policy: Policy;
  /** Session settings; per-provider limits from the policy override the RCPT/reject budgets. */
  smtp: Omit<DomainProbeOptions, 'localAddress'>;
  /** Source addresses to spread sessions over; one is picked per domain, stably. */
  localAddresses: string[];
  allowPrivateMx: MxAllowance;
  catchAll: CatchAllStore;
  /** Per-provider admission (concurrency, connection rate) for every session. */
  gate: SessionGate;
}

/** Splits a batch into `parts` nearly equal chunks, keeping order. */
function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size)).filter(
    (chunk) => chunk.length > 0,
  );
}

/** Long enough for another process's probe session to finish against a slow server. */
function probeWaitMs(timeouts: { connectMs: number; bannerMs: number; commandMs: number }): number {
  return timeouts.connectMs + timeouts.bannerMs + 4 * timeouts.commandMs;
}

export interface DomainRound {
  outcomes: Map<string, AddressOutcome>;
  /** Most preferred MX host name, if the domain has one. */
  mxHost: string | null;
  /** Registrable domain of that host: the throttling key. */
  provider: string | null;
  sessions: number;
}

export interface RoundOptions {
  /** The domain is a throwaway-mail service: no SMTP, `risky / disposable`. */
  disposable: boolean;
  /**
   * Sessions this round may open side by side (default: the provider's session limit). A probe
   * pool, whose job slots are already one per provider session, runs its sessions one by one.
   */
  maxParallelSessions?: number;
}

function allWith(
  addresses: readonly string[],
  outcome: AddressOutcome,
): Map<string, AddressOutcome> {
  return new Map(addresses.map((address) => [address, outcome]));
}

/** Same domain → same source address, so greylisting sees the same client on every retry. */
export function localAddressFor(domain: string, pool: readonly string[]): string | undefined {
  if (pool.length === 0) return undefined;
  let hash = 0;
  for (const char of domain) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return pool[hash % pool.length];
}

function vetTargets(
  hosts: MxHost[],
  allowance: MxAllowance,
): { targets: SmtpTarget[]; refused: string[] } {
  const targets: SmtpTarget[] = [];
  const refused: string[] = [];
  for (const host of hosts) {
    for (const ip of host.addresses) {
      if (mayConnect(ip, allowance)) targets.push({ host: host.exchange, ip });
      else refused.push(`${host.exchange} → ${ip} (${classifyIp(ip)})`);
    }
  }
  return { targets, refused };
}

export async function verifyDomainRound(
  domain: string,
  addresses: readonly string[],
  ctx: RoundContext,
  options: RoundOptions,
): Promise<DomainRound> {
  const lookup = await ctx.resolveMx(domain);
  const none = { mxHost: null, provider: null, sessions: 0 };
  if (lookup.kind === 'no_domain') {
    return { ...none, outcomes: allWith(addresses, finalOutcome('no_domain', lookup.detail)) };
  }
  if (lookup.kind === 'no_mail_server') {
    return { ...none, outcomes: allWith(addresses, finalOutcome('no_mail_server', lookup.detail)) };
  }
  if (lookup.kind === 'temporary') {
    return {
      ...none,
      outcomes: allWith(addresses, finalOutcome('temporary_failure', `DNS: ${lookup.detail}`)),
    };
  }

  const mxHost = lookup.hosts[0]?.exchange ?? null;
  const provider = mxHost ? providerKey(mxHost) : null;
  const at = { mxHost };
  if (options.disposable) {
    const detail = 'throwaway-mail domain; not probed';
    return {
      mxHost,
      provider,
      sessions: 0,
      outcomes: allWith(addresses, finalOutcome('disposable', detail, at)),
    };
  }
  const { targets, refused } = vetTargets(lookup.hosts, ctx.allowPrivateMx);
  if (targets.length === 0) {
    const detail = `MX on a non-public address, not probed: ${refused.join(', ')} (ALLOW_PRIVATE_MX allows listed ranges)`;
    return {
      mxHost,
      provider,
      sessions: 0,
      outcomes: allWith(addresses, finalOutcome('mx_not_public', detail, at)),
    };
  }

  const rules = policyFor(ctx.policy, targets[0]?.host ?? '', provider ?? '');
  let catchAll = rules.acceptsAllRecipients ? true : await ctx.catchAll.get(domain);
  let probe: string | undefined;
  // Another batch of this domain is probing right now: its answer is awaited only after our own
  // sessions ran, side by side with its probe, so a worker slot rarely waits for it.
  let awaitAnswer = false;
  if (catchAll === undefined && !rules.skipCatchAllProbe) {
    if (await ctx.catchAll.claimProbe(domain)) {
      probe = `${await ctx.catchAll.probeLocalPart(domain)}@${domain}`;
    } else {
      awaitAnswer = true;
    }
  }
  const probeOptions = {
    ...ctx.smtp,
    localAddress: localAddressFor(domain, ctx.localAddresses),
    maxRcptsPerSession: rules.limits.maxRcptsPerSession,
    maxRejectsPerSession: rules.limits.maxRejectsPerSession,
    acquireSession: () => ctx.gate.acquire(provider ?? domain, rules.limits),
  };
  // One session per `maxRcptsPerSession` addresses is the fewest politeness allows; when a batch
  // needs several, they run side by side up to the provider's session budget (the gate holds
  // the total across domains of the same provider within the policy).
  const parts = Math.max(
    1,
    Math.min(
      options.maxParallelSessions ?? rules.limits.maxConcurrentSessions,
      rules.limits.maxConcurrentSessions,
      Math.ceil(addresses.length / rules.limits.maxRcptsPerSession),
    ),
  );
  let results: DomainProbeResult[];
  try {
    results = await Promise.all(
      split(addresses, parts).map((chunk, i) =>
        probeDomain(targets, chunk, probeOptions, i === 0 ? probe : undefined),
      ),
    );
    if (probe) {
      const answer = results.flatMap((r) => [...r.outcomes]).find(([a]) => a === probe)?.[1];
      const cls = answer?.kind === 'reply' ? classifyRcptReply(answer.reply) : null;
      if (cls?.kind === 'accepted') catchAll = true;
      else if (cls?.kind === 'final') catchAll = false;
      // Stored before the claim goes: a batch waiting for it must find the answer, not a gap.
      if (catchAll !== undefined) await ctx.catchAll.set(domain, catchAll);
    }
  } finally {
    if (probe) await ctx.catchAll.releaseProbe(domain);
  }
  if (awaitAnswer) {
    catchAll = await ctx.catchAll.waitFor(domain, probeWaitMs(ctx.smtp.timeouts));
  }
  // Accepted addresses are not `deliverable` while the domain may still accept anyone (its
  // probe was greylisted, its session broke before the answer, or the answer did not come in
  // time): they ask again later.
  const catchAllPending = (probe !== undefined || awaitAnswer) && catchAll === undefined;
  const result = {
    outcomes: new Map(results.flatMap((r) => [...r.outcomes])),
    sessions: results.reduce((n, r) => n + r.sessions, 0),
  };

  const outcomes = new Map<string, AddressOutcome>();
  for (const address of addresses) {
    const outcome = result.outcomes.get(address);
    outcomes.set(
      address,
      outcome
        ? toAddressOutcome(outcome, catchAll === true, catchAllPending)
        : finalOutcome('protocol_error', 'no answer recorded', at),
    );
  }
  return { outcomes, mxHost, provider, sessions: result.sessions };
}

function fromReply(
  reply: SmtpReply,
  target: SmtpTarget,
  cls: ReplyClass,
  catchAll: boolean,
): AddressOutcome {
  const base = {
    catchAll,
    mxHost: target.host,
    smtpCode: reply.code,
    smtpEnhancedCode: reply.enhanced,
    detail: formatReply(reply),
  };
  if (cls.kind === 'accepted') {
    return { ...base, reason: catchAll ? 'catch_all' : 'accepted', retry: null };
  }
  if (cls.kind === 'final') return { ...base, reason: cls.reason, retry: null };
  const kind: RetryKind = cls.rateLimited
    ? 'rate_limit'
    : cls.reason === 'greylisted'
      ? 'greylist'
      : 'transient';
  return { ...base, reason: cls.reason, retry: { kind, afterMs: cls.retryAfterMs } };
}

function fromFailure(
  failure: SessionFailure,
  target: SmtpTarget | null,
  catchAll: boolean,
): AddressOutcome {
  const mxHost = target?.host ?? null;
  if (failure.kind === 'reply') {
    return fromReply(
      failure.reply,
      target ?? { host: '', ip: '' },
      classifySessionReply(failure.reply),
      catchAll,
    );
  }
  const where = `${failure.stage}${mxHost ? ` at ${mxHost}` : ''}: ${failure.message}`;
  const reason =
    failure.kind === 'timeout'
      ? 'timeout'
      : failure.kind === 'protocol'
        ? 'protocol_error'
        : 'connection_failed';
  return {
    reason,
    catchAll,
    mxHost,
    smtpCode: null,
    smtpEnhancedCode: null,
    detail: where,
    retry: reason === 'protocol_error' ? null : { kind: 'transient', afterMs: null },
  };
}

function toAddressOutcome(
  outcome: ProbeOutcome,
  catchAll: boolean,
  catchAllPending: boolean,
): AddressOutcome {
  if (outcome.kind === 'smtputf8_unsupported') {
    return finalOutcome(
      'invalid_syntax',
      'non-ASCII local part, and this server does not support SMTPUTF8 (RFC 6531): mail to it cannot be delivered',
      { mxHost: outcome.target.host },
    );
  }
  if (outcome.kind === 'failure') return fromFailure(outcome.failure, outcome.target, catchAll);
  const cls = classifyRcptReply(outcome.reply);
  const result = fromReply(outcome.reply, outcome.target, cls, catchAll);
  if (cls.kind === 'accepted' && catchAllPending) {
    // Not `deliverable` yet: the domain might accept anyone. Ask again with the probe.
    return { ...result, retry: { kind: 'catch_all_pending', afterMs: null } };
  }
  return result;
}
