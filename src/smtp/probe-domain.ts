/**
 * Verifies a batch of addresses at one domain over as few sessions as politeness allows,
 * walking the MX targets in preference order when one cannot be reached (RFC 5321 §5.1).
 * Every address (and the catch-all probe, if asked) leaves with either the server's reply or
 * the failure that prevented one.
 */
import type { SmtpReply } from './reply.ts';
import {
  runSession,
  type SessionFailure,
  type SessionOptions,
  type SessionResult,
  type SmtpTarget,
} from './session.ts';

export type ProbeOutcome =
  | { kind: 'reply'; reply: SmtpReply; target: SmtpTarget }
  /** The server cannot take this address (non-ASCII local part without SMTPUTF8). */
  | { kind: 'smtputf8_unsupported'; target: SmtpTarget }
  | { kind: 'failure'; failure: SessionFailure; target: SmtpTarget | null };

export interface DomainProbeResult {
  outcomes: Map<string, ProbeOutcome>;
  /** Sessions opened (including ones that failed to connect). */
  sessions: number;
  /**
   * Addresses (and probe) never asked because `acquireSession` refused a later session; the
   * answers of the sessions before it are kept in `outcomes`. Empty when nothing was refused.
   */
  notStarted: string[];
  /** What `acquireSession` threw, when it refused. */
  refusal: unknown;
}

export interface DomainProbeOptions extends SessionOptions {
  /** New sessions after a session broke mid-way (dropped, timed out, garbled), per batch. */
  midSessionRetries: number;
  /** Waits for the provider's throttle before each session; returns its release. */
  acquireSession?: () => Promise<() => void>;
}

/** Failures that mean "this MX host is not usable now": try the next one. */
function movesToNextHost(failure: SessionFailure): boolean {
  if (failure.kind === 'reply') {
    return failure.stage === 'banner' || failure.stage === 'ehlo' || failure.stage === 'helo';
  }
  return failure.stage === 'connect' || failure.stage === 'banner' || failure.stage === 'starttls';
}

export async function probeDomain(
  targets: readonly SmtpTarget[],
  addresses: readonly string[],
  options: DomainProbeOptions,
  probe?: string,
): Promise<DomainProbeResult> {
  const outcomes = new Map<string, ProbeOutcome>();
  let pending = probe ? [probe, ...addresses] : [...addresses];
  let sessions = 0;
  let hostIndex = 0;
  let retriesLeft = options.midSessionRetries;
  let lastFailure: { failure: SessionFailure; target: SmtpTarget | null } | null = null;
  // A server that spoke (e.g. a 554 banner) says more than one that was unreachable.
  let mostTelling: { failure: SessionFailure; target: SmtpTarget } | null = null;
  // "Too many recipients": what the server last said to addresses it left unanswered.
  let limit: { failure: SessionFailure; target: SmtpTarget } | null = null;
  let starttls = options.starttls;
  // Every polite session answers at least this many, so this bound is never hit by a working
  // server; it stops a loop against one that keeps finding new ways to fail.
  const perSession = Math.max(
    1,
    Math.min(options.maxRejectsPerSession, options.maxRcptsPerSession),
  );
  const maxSessions =
    Math.ceil(pending.length / perSession) + targets.length + options.midSessionRetries + 2;

  while (pending.length > 0 && sessions < maxSessions) {
    const target = targets[hostIndex];
    if (!target) break;
    const hasProbe = probe !== undefined && pending[0] === probe;
    let release: (() => void) | undefined;
    try {
      release = options.acquireSession ? await options.acquireSession() : undefined;
    } catch (error) {
      // Nothing done yet: the caller may retry the whole batch. Otherwise keep what was learnt.
      if (sessions === 0) throw error;
      return { outcomes, sessions, notStarted: pending, refusal: error };
    }
    let result: SessionResult;
    try {
      result = await runSession(
        target,
        hasProbe ? pending.slice(1) : pending,
        { ...options, starttls },
        hasProbe ? probe : undefined,
      );
    } finally {
      release?.();
    }
    sessions += 1;
    for (const [address, reply] of result.replies) {
      outcomes.set(address, { kind: 'reply', reply, target });
    }
    for (const address of result.needSmtpUtf8) {
      outcomes.set(address, { kind: 'smtputf8_unsupported', target });
    }
    pending = result.unanswered;
    if (result.limitReply) {
      limit = { failure: { kind: 'reply', stage: 'rcpt', reply: result.limitReply }, target };
    }
    const failure = result.failure;
    if (!failure) {
      if (result.replies.size === 0 && pending.length > 0 && !result.stoppedForPoliteness) break;
      continue;
    }
    lastFailure = { failure, target };
    if (failure.kind === 'reply') mostTelling = { failure, target };
    if (failure.stage === 'starttls' && starttls) {
      // Opportunistic TLS that fails is dropped for this host, not held against it.
      starttls = false;
      continue;
    }
    if (movesToNextHost(failure)) {
      hostIndex += 1;
      continue;
    }
    // Refused at MAIL FROM, or a 421 ("closing channel") at RCPT: the server wants us gone; the
    // rest waits for a later round rather than a reconnection at once.
    if (failure.kind === 'reply' && (failure.stage === 'mail' || failure.stage === 'rcpt')) break;
    // Broke mid-way (dropped, timed out, garbled): a bounded number of fresh tries.
    if (retriesLeft <= 0 || result.replies.size === 0) break;
    retriesLeft -= 1;
  }

  // An address never loses the last reply the server gave about it: a failure that ended a
  // session, else the limit that kept it out of one.
  const final = mostTelling ?? lastFailure ?? limit;
  for (const address of pending) {
    outcomes.set(
      address,
      final
        ? { kind: 'failure', failure: final.failure, target: final.target }
        : {
            kind: 'failure',
            failure: { kind: 'protocol', stage: 'rcpt', message: 'session budget exhausted' },
            target: null,
          },
    );
  }
  return { outcomes, sessions, notStarted: [], refusal: null };
}
