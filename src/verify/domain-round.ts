/**
 * One verification round for a batch of addresses at one domain: DNS, the safety guard, the
 * catch-all probe and the SMTP sessions, turned into an outcome per address. Retrying what
 * asks for a retry (greylisting, rate limits) is the caller's job — the CLI waits in process,
 * the pipeline re-queues the job — so a round never sleeps.
 */
import { classifyIp, providerKey } from '../dns/index.ts';
import { type MxAllowance, mayConnect } from '../dns/mx-allowance.ts';
import { mailProvider } from '../dns/provider.ts';
import { type DnsSignals, UNKNOWN_SIGNALS } from '../dns/signals.ts';
import type { MxHost, MxLookup } from '../dns/types.ts';
import {
  allowedEgresses,
  EgressChooser,
  EgressesDownError,
  egressOrder,
} from '../egress/choose.ts';
import type { Egress } from '../egress/config.ts';
import type { EgressCooldown } from '../egress/cooldown.ts';
import { type Policy, policyFor } from '../policy/policy.ts';
import {
  type DomainProbeOptions,
  type DomainProbeResult,
  probeDomain,
} from '../smtp/probe-domain.ts';
import type { SmtpTarget } from '../smtp/session.ts';
import type { TraceRecorder } from '../smtp/transcript.ts';
import { BreakerOpenError, type BreakerState, type ProviderBreaker } from '../throttle/breaker.ts';
import type { SessionGate } from '../throttle/session-gate.ts';
import { ThrottledError } from '../throttle/throttled-error.ts';
import type { CatchAllStore } from './catch-all-cache.ts';
import { type AddressOutcome, type DomainSignals, finalOutcome } from './outcome.ts';
import { type DecidedOutcome, decideOutcome } from './reply-outcome.ts';

export interface RoundContext {
  resolveMx(domain: string): Promise<MxLookup>;
  policy: Policy;
  /** Session settings; per-provider limits from the policy override the RCPT/reject budgets. */
  smtp: Omit<DomainProbeOptions, 'egress'>;
  /**
   * Where sessions may leave from (local addresses, SOCKS5 proxies, else the default route);
   * one is picked per domain, stably, among those the provider's policy allows.
   */
  egresses: Egress[];
  /** Egresses that failed are left out for a while (EGRESS_COOLDOWN). */
  egressCooldown: EgressCooldown;
  allowPrivateMx: MxAllowance;
  catchAll: CatchAllStore;
  /** Per-provider admission (concurrency, connection rate) for every session. */
  gate: SessionGate;
  /** Providers that refuse us are left alone for a cool-down. */
  breaker: ProviderBreaker;
  /** SPF and DMARC of a domain (src/dns/signals.ts); never rejects. Absent: not looked up. */
  resolveSignals?(domain: string): Promise<DnsSignals>;
}

/** Splits a batch into `parts` nearly equal chunks, keeping order. */
function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size)).filter(
    (chunk) => chunk.length > 0,
  );
}

/**
 * Long enough for another process's probe session to finish against a slow server: how long a
 * batch waits for that answer, and how long a claim to probe lasts (runtime), so a prober that
 * died (kill -9) holds the domain no longer than others would wait for it.
 */
export function probeWaitMs(timeouts: {
  connectMs: number;
  bannerMs: number;
  commandMs: number;
}): number {
  return timeouts.connectMs + timeouts.bannerMs + 4 * timeouts.commandMs;
}

export interface DomainRound {
  outcomes: Map<string, AddressOutcome>;
  /** Most preferred MX host name, if the domain has one. */
  mxHost: string | null;
  /** Registrable domain of that host: the throttling key. */
  provider: string | null;
  sessions: number;
  /**
   * The provider's breaker when it decided this round: open before it (`opened` false, no
   * session was tried) or opened by a block this round met (`opened` true for the one round
   * across every process that opened it).
   */
  breaker: { state: BreakerState; opened: boolean } | null;
  /**
   * A server broke the PIPELINING it advertised and was asked again in lockstep within the
   * round: its addresses may have been asked twice, and its later rounds go in lockstep.
   */
  pipeliningBroke?: boolean;
}

export interface RoundOptions {
  /** The domain is a throwaway-mail service: no SMTP, `risky / disposable`. */
  disposable: boolean;
  /**
   * Sessions this round may open side by side (default: the provider's session limit). A probe
   * pool, whose job slots are already one per provider session, runs its sessions one by one.
   */
  maxParallelSessions?: number;
  /**
   * The egress to leave from (by name) when it is allowed and up: a greylisting retry's, which
   * must come from where the first try came from. Default: the domain's stable pick.
   */
  egress?: string;
  /** Records a transcript of each SMTP session (`--trace`); outcomes name theirs in `trace`. */
  trace?: TraceRecorder;
  /** No PIPELINING: an earlier round of these addresses saw the server break it. */
  lockstep?: boolean;
}

function allWith(
  addresses: readonly string[],
  outcome: AddressOutcome,
): Map<string, AddressOutcome> {
  return new Map(addresses.map((address) => [address, outcome]));
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

/**
 * The round, and the domain's signals (provider, SPF, DMARC) on every outcome: looked up side by
 * side with the MX, so they never delay the round (see `signalsBy`) nor fail it (a DNS failure
 * gives nulls).
 */
export async function verifyDomainRound(
  domain: string,
  addresses: readonly string[],
  ctx: RoundContext,
  options: RoundOptions,
): Promise<DomainRound> {
  const signals = ctx.resolveSignals?.(domain) ?? Promise.resolve(UNKNOWN_SIGNALS);
  const traced = options.trace ? { ...ctx, smtp: { ...ctx.smtp, trace: options.trace } } : ctx;
  const round = await probeRound(domain, addresses, traced, options);
  return withSignals(round, await signalsBy(signals, SIGNALS_GRACE_MS));
}

async function probeRound(
  domain: string,
  addresses: readonly string[],
  ctx: RoundContext,
  options: RoundOptions,
): Promise<DomainRound> {
  const lookup = await ctx.resolveMx(domain);
  const none = { mxHost: null, provider: null, sessions: 0, breaker: null };
  if (lookup.kind === 'no_domain') {
    const outcome = finalOutcome('no_domain', 'dns-nxdomain', lookup.detail);
    return { ...none, outcomes: allWith(addresses, outcome) };
  }
  if (lookup.kind === 'no_mail_server') {
    const outcome = finalOutcome('no_mail_server', 'dns-no-mail-server', lookup.detail);
    return { ...none, outcomes: allWith(addresses, outcome) };
  }
  if (lookup.kind === 'temporary') {
    // SERVFAIL or silence says nothing about the domain: asked again later, like a refused
    // connection (DESIGN §2.2), so a DNS outage of seconds never makes whole domains unknown.
    const outcome: AddressOutcome = {
      ...finalOutcome('temporary_failure', 'dns-temporary', `DNS: ${lookup.detail}`),
      retry: { kind: 'transient', afterMs: null },
    };
    return { ...none, outcomes: allWith(addresses, outcome) };
  }

  const mxHost = lookup.hosts[0]?.exchange ?? null;
  const provider = mxHost ? providerKey(mxHost) : null;
  const at = { mxHost };
  const unprobed = (outcome: AddressOutcome, breaker: DomainRound['breaker'] = null) => ({
    mxHost,
    provider,
    sessions: 0,
    breaker,
    outcomes: allWith(addresses, outcome),
  });
  if (options.disposable) {
    const detail = 'throwaway-mail domain; not probed';
    return unprobed(finalOutcome('disposable', 'disposable-domain', detail, at));
  }
  const { targets, refused } = vetTargets(lookup.hosts, ctx.allowPrivateMx);
  if (targets.length === 0) {
    const detail = `MX on a non-public address, not probed: ${refused.join(', ')} (ALLOW_PRIVATE_MX allows listed ranges)`;
    return unprobed(finalOutcome('mx_not_public', 'mx-not-public', detail, at));
  }
  const open = provider ? await ctx.breaker.state(provider) : null;
  if (open) {
    return unprobed(finalOutcome('blocked', 'breaker-open', breakerDetail(open), at), {
      state: open,
      opened: false,
    });
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
  // One egress per domain, stable (greylisting keys on the client address); one that fails is
  // left for the next at once.
  const egresses = new EgressChooser(
    egressOrder(domain, allowedEgresses(ctx.egresses, rules.egress), options.egress),
    ctx.egressCooldown,
  );
  const probeOptions: DomainProbeOptions = {
    ...ctx.smtp,
    pipelining: ctx.smtp.pipelining && !options.lockstep,
    maxRcptsPerSession: rules.limits.maxRcptsPerSession,
    maxRejectsPerSession: rules.limits.maxRejectsPerSession,
    // The breaker is read again at every session: a job that waited at the gate while another
    // opened it must not go on probing.
    acquireSession: async () => {
      const egress = await egresses.pick();
      const release = await ctx.gate.acquire(provider ?? domain, rules.limits, egress.name);
      const opened = provider ? await ctx.breaker.state(provider) : null;
      if (!opened) return { release, egress };
      release();
      throw new BreakerOpenError(opened);
    },
    egressFailed: (egress, reason) => egresses.failed(egress, reason),
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
  const mailFrom = ctx.smtp.mailFrom;
  const chunks = split(addresses, parts);
  let results: DomainProbeResult[];
  try {
    results = keepWhatWasLearnt(
      chunks,
      await Promise.allSettled(
        chunks.map((chunk, i) =>
          probeDomain(targets, chunk, probeOptions, i === 0 ? probe : undefined),
        ),
      ),
      probe,
    );
    if (probe) {
      const answer = results.flatMap((r) => [...r.outcomes]).find(([a]) => a === probe)?.[1];
      const cls =
        answer?.kind === 'reply'
          ? decideOutcome(probe, answer, { catchAll: false, catchAllPending: false, mailFrom })
          : null;
      if (cls?.outcome.reason === 'accepted' || cls?.outcome.reason === 'catch_all') {
        catchAll = true;
      } else if (cls && cls.outcome.retry === null) catchAll = false;
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
  const probed = new Map(results.flatMap((r) => [...r.outcomes]));
  const notAsked = notAskedOutcomes(results, at);
  const context = { catchAll: catchAll === true, catchAllPending, mailFrom };
  const decided = new Map<string, DecidedOutcome>();
  for (const address of addresses) {
    const outcome = probed.get(address);
    const decision = outcome
      ? decideOutcome(address, outcome, context)
      : {
          outcome:
            notAsked.get(address) ??
            finalOutcome('protocol_error', 'no-answer-recorded', 'no answer recorded', at),
          classification: null,
        };
    // Where its session left from: reports name it, and a greylisting retry goes back there.
    if (outcome?.egress) decision.outcome.egress = outcome.egress;
    // The transcript of the session that decided it (`--trace`).
    if (outcome?.trace) decision.outcome.trace = outcome.trace;
    decided.set(address, decision);
  }
  const refusedBy = results.find((r) => r.refusal instanceof BreakerOpenError)?.refusal;
  const breaker =
    (provider ? await tripOnBlock(ctx.breaker, provider, decided) : null) ??
    (refusedBy instanceof BreakerOpenError ? { state: refusedBy.state, opened: false } : null);
  return {
    outcomes: new Map([...decided].map(([address, d]) => [address, d.outcome])),
    mxHost,
    provider,
    sessions: results.reduce((n, r) => n + r.sessions, 0),
    breaker,
    ...(results.some((r) => r.pipeliningBroke) ? { pipeliningBroke: true } : {}),
  };
}

/**
 * The parts of a round that the provider's gate refused before their first session: when no
 * part got a session either, the round is retried whole (the gate's error goes up); otherwise
 * what the other parts learnt is kept and the refused addresses wait for the gate.
 */
function keepWhatWasLearnt(
  chunks: readonly string[][],
  settled: PromiseSettledResult<DomainProbeResult>[],
  probe: string | undefined,
): DomainProbeResult[] {
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const refused = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ i, error: s.reason as unknown }] : [],
  );
  if (refused.length === 0) return done;
  const nothingDone = done.every((r) => r.sessions === 0);
  for (const { i, error } of refused) {
    const keep =
      error instanceof BreakerOpenError ||
      error instanceof EgressesDownError ||
      (error instanceof ThrottledError && !nothingDone);
    if (!keep) throw error;
    const chunk = chunks[i] ?? [];
    const notStarted = i === 0 && probe ? [probe, ...chunk] : chunk;
    done.push({
      outcomes: new Map(),
      sessions: 0,
      notStarted,
      refusal: error,
      pipeliningBroke: false,
    });
  }
  return done;
}

/**
 * The outcome of each address a refused session never asked: it waits for the provider's gate
 * (costing no retry budget), is blocked while the provider's breaker is open, or could not
 * leave because every egress the provider may use is down.
 */
function notAskedOutcomes(
  results: DomainProbeResult[],
  at: { mxHost: string | null },
): Map<string, AddressOutcome> {
  const outcomes = new Map<string, AddressOutcome>();
  for (const { notStarted, refusal } of results) {
    if (notStarted.length === 0) continue;
    let outcome: AddressOutcome;
    if (refusal instanceof BreakerOpenError) {
      outcome = finalOutcome('blocked', 'breaker-open', breakerDetail(refusal.state), at);
    } else if (refusal instanceof ThrottledError) {
      outcome = {
        ...finalOutcome(
          'temporary_failure',
          'throttled',
          'not asked yet: the provider’s session or connection budget was spent',
          at,
        ),
        retry: { kind: 'throttled', afterMs: refusal.retryInMs },
      };
    } else if (refusal instanceof EgressesDownError) {
      // Nothing about the server or the mailbox: asked again later, like a refused connection.
      outcome = {
        ...finalOutcome('connection_failed', 'egress-failed', refusal.message, at),
        retry: { kind: 'transient', afterMs: null },
      };
    } else {
      throw refusal;
    }
    for (const address of notStarted) outcomes.set(address, outcome);
  }
  return outcomes;
}

/** The first reply of the round that shows the provider refuses us opens its breaker. */
async function tripOnBlock(
  breaker: ProviderBreaker,
  provider: string,
  decided: Map<string, DecidedOutcome>,
): Promise<DomainRound['breaker']> {
  for (const { outcome, classification } of decided.values()) {
    if (!classification?.breaker) continue;
    return breaker.trip(provider, outcome.detail ?? '', classification.rule);
  }
  return null;
}

export function breakerDetail(state: BreakerState): string {
  return `not probed: ${state.provider} refused us (${state.reply}); probing it is paused until ${state.until}`;
}

/**
 * How long a round that is done waits for its signals: they started with the MX lookup and
 * normally came long before; one still unanswered by then (a slow DNS server) gives nulls.
 */
const SIGNALS_GRACE_MS = 1000;

/** The signals if they come within `graceMs`, else nulls. */
async function signalsBy(pending: Promise<DnsSignals>, graceMs: number): Promise<DnsSignals> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DnsSignals>((resolve) => {
    timer = setTimeout(() => resolve(UNKNOWN_SIGNALS), graceMs);
  });
  try {
    return await Promise.race([pending.catch(() => UNKNOWN_SIGNALS), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every outcome of the round carries the domain's signals; the provider is its MX's. */
function withSignals(round: DomainRound, dns: DnsSignals): DomainRound {
  const signals: DomainSignals = { mxProvider: mailProvider(round.mxHost), ...dns };
  const outcomes = new Map<string, AddressOutcome>();
  for (const [address, outcome] of round.outcomes) outcomes.set(address, { ...outcome, signals });
  return { ...round, outcomes };
}
