/**
 * The ideal-schedule bound for a list under a throttle policy and a per-reply latency L: the
 * shortest wall time any verifier obeying the policy could reach against the sandbox, where
 * every reply costs L, one after another, even when pipelined.
 *
 * Per domain, the fewest sessions the policy allows are max(⌈RCPTs / maxRcpts⌉, ⌈rejections /
 * maxRejects⌉), the catch-all probe counting as one RCPT and (the domain not being catch-all)
 * one rejection; one domain per session, as listclean does. A session costs 4 L of set-up
 * (banner, EHLO, MAIL, QUIT replies) plus L per RCPT. Per provider, that work is spread over
 * min(its session limit, its sessions); the slowest provider bounds the list, and so does all
 * the work spread over the total session concurrency the workers can hold (one session per
 * probe job at a time). DNS, TCP set-up and CPU count as free.
 *
 * Not a measured case: the figure the pipeline case's runs are held to, computed from its world.
 *
 * The pipelined bound (`PIPELINED_COST`) is for a world where the latency is per round trip
 * (the sandbox's `latencyModel: 'round-trip'`): replies to commands sent together come back
 * together. A session then costs 2 L of set-up (banner, EHLO) plus one L per window of RCPTs:
 * MAIL FROM travels with the first window and QUIT with the last (RFC 2920), and a window holds
 * at most maxRejects RCPTs (the politeness rule: even if all fail, the session stays within its
 * budget). Per domain, the fewest sessions as above and the fewest windows, max(⌈RCPTs /
 * maxRejects⌉, sessions): as if every rejection came last, when windows stay full — no schedule
 * that does not know the answers in advance can count on that, so the bound is ideal.
 */
import { providerKey } from '../../src/dns/index.ts';
import { type Policy, policyFor } from '../../src/policy/policy.ts';
import type { GeneratedRow } from '../../src/sandbox/lists/list-generator.ts';
import type { Scenario } from '../../src/sandbox/scenario/scenario.ts';

/** Replies a session costs besides its RCPTs: banner, EHLO, MAIL, QUIT. */
export const SETUP_REPLIES = 4;
const NO_SMTP = new Set(['invalid_syntax', 'no_domain', 'no_mail_server', 'mx_not_public']);

export interface ProviderWork {
  provider: string;
  domains: number;
  addresses: number;
  /** Fewest sessions the policy allows. */
  sessions: number;
  concurrency: number;
  connectionsPerMinute: number;
  /** Session-time in units of L (sum over its sessions). */
  replies: number;
}

export interface IdealBound {
  providers: ProviderWork[];
  /** The provider whose share bounds the list. */
  slowest: ProviderWork;
  /** In units of L: max(slowest provider, total work / total concurrency). */
  boundReplies: number;
  /** Which of the two bounds won. */
  boundBy: 'provider' | 'total concurrency';
  totalSessions: number;
}

/** A domain's fewest sessions and its session-time in units of L, from its RCPTs and rejections. */
export type SessionCost = (
  rcpts: number,
  rejections: number,
  limits: { maxRcptsPerSession: number; maxRejectsPerSession: number },
) => { sessions: number; replies: number };

function fewestSessions(
  rcpts: number,
  rejections: number,
  limits: { maxRcptsPerSession: number; maxRejectsPerSession: number },
): number {
  return Math.max(
    Math.ceil(rcpts / limits.maxRcptsPerSession),
    Math.ceil(rejections / limits.maxRejectsPerSession),
  );
}

/** One reply per L, one after another: SETUP_REPLIES per session plus one per RCPT. */
export const SEQUENTIAL_COST: SessionCost = (rcpts, rejections, limits) => {
  const sessions = fewestSessions(rcpts, rejections, limits);
  return { sessions, replies: rcpts + SETUP_REPLIES * sessions };
};

/** Round trips a pipelined session costs besides its windows: banner, EHLO. */
export const PIPELINED_SETUP_ROUND_TRIPS = 2;

/** One L per round trip: PIPELINED_SETUP_ROUND_TRIPS per session plus one per window. */
export const PIPELINED_COST: SessionCost = (rcpts, rejections, limits) => {
  const sessions = fewestSessions(rcpts, rejections, limits);
  const window = Math.min(limits.maxRejectsPerSession, limits.maxRcptsPerSession);
  const windows = Math.max(Math.ceil(rcpts / window), sessions);
  return { sessions, replies: PIPELINED_SETUP_ROUND_TRIPS * sessions + windows };
};

export function providerWork(
  rows: readonly GeneratedRow[],
  scenario: Scenario,
  policy: Policy,
  cost: SessionCost = SEQUENTIAL_COST,
): ProviderWork[] {
  const domains = new Map<string, Map<string, boolean>>();
  for (const row of rows) {
    if (NO_SMTP.has(row.expected)) continue;
    const address = row.email.toLowerCase();
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const rejected = row.expected !== 'accepted' && row.expected !== 'catch_all';
    const seen = domains.get(domain) ?? new Map<string, boolean>();
    domains.set(domain, seen);
    seen.set(address, rejected);
  }
  const byProvider = new Map<string, ProviderWork>();
  for (const [domain, addresses] of domains) {
    const spec = scenario.domains[domain];
    const mxHost = spec?.mx?.[0]?.host;
    if (!mxHost) continue;
    const provider = providerKey(mxHost);
    const rules = policyFor(policy, mxHost, provider);
    const probe = rules.skipCatchAllProbe || rules.acceptsAllRecipients ? 0 : 1;
    const probeRejected = probe === 1 && !spec?.catchAll ? 1 : 0;
    const rcpts = addresses.size + probe;
    const rejections = [...addresses.values()].filter(Boolean).length + probeRejected;
    const { sessions, replies } = cost(rcpts, rejections, rules.limits);
    const work = byProvider.get(provider) ?? {
      provider,
      domains: 0,
      addresses: 0,
      sessions: 0,
      concurrency: rules.limits.maxConcurrentSessions,
      connectionsPerMinute: rules.limits.connectionsPerMinute,
      replies: 0,
    };
    byProvider.set(provider, work);
    work.domains += 1;
    work.addresses += addresses.size;
    work.sessions += sessions;
    work.replies += replies;
  }
  return [...byProvider.values()].sort((a, b) => perSlot(b) - perSlot(a));
}

/** A provider's wall time in units of L when its sessions are spread perfectly. */
export function perSlot(work: ProviderWork): number {
  return work.replies / Math.min(work.concurrency, work.sessions);
}

export function idealBound(providers: ProviderWork[], totalConcurrency: number): IdealBound {
  const slowest = providers[0];
  if (!slowest) throw new Error('no provider to bound');
  const total = providers.reduce((sum, p) => sum + p.replies, 0) / totalConcurrency;
  const byProvider = perSlot(slowest);
  return {
    providers,
    slowest,
    boundReplies: Math.max(byProvider, total),
    boundBy: byProvider >= total ? 'provider' : 'total concurrency',
    totalSessions: providers.reduce((sum, p) => sum + p.sessions, 0),
  };
}
