/**
 * Verifies a batch of addresses at one domain over as few sessions as politeness allows,
 * walking the MX targets in preference order when one cannot be reached (RFC 5321 §5.1).
 * Every address (and the catch-all probe, if asked) leaves with either the server's reply or
 * the failure that prevented one.
 */
import type { Egress } from '../egress/config.ts';
import type { SmtpReply } from './reply.ts';
import {
  runSession,
  type SessionFailure,
  type SessionOptions,
  type SessionResult,
  type SmtpTarget,
} from './session.ts';

/**
 * `egress`: the name of the egress the session that gave it left from; `trace`: the name of
 * that session's transcript (`--trace`).
 */
export type ProbeOutcome = (
  | { kind: 'reply'; reply: SmtpReply; target: SmtpTarget; egress?: string }
  /** The server cannot take this address (non-ASCII local part without SMTPUTF8). */
  | { kind: 'smtputf8_unsupported'; target: SmtpTarget; egress?: string }
  | { kind: 'failure'; failure: SessionFailure; target: SmtpTarget | null; egress?: string }
) & { trace?: string };

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
  /**
   * A server that advertised PIPELINING broke it and the rest was asked again in lockstep at
   * once: an address may have been asked twice in this batch.
   */
  pipeliningBroke: boolean;
}

/** Leave to open one session: its release, and the egress it must leave from. */
export interface SessionSlot {
  release: () => void;
  /** Default: `SessionOptions.egress`. */
  egress?: Egress;
}

export interface DomainProbeOptions extends SessionOptions {
  /** New sessions after a session broke mid-way (dropped, timed out, garbled), per batch. */
  midSessionRetries: number;
  /** Waits for the provider's throttle (of the egress it picks) before each session. */
  acquireSession?: () => Promise<SessionSlot>;
  /**
   * The session's egress failed before it reached the server (see SmtpFailureKind `egress`):
   * it is taken out, and the next `acquireSession` picks another one (or refuses, when none is
   * left). Without it, an egress failure counts as a refused connection (next MX host).
   */
  egressFailed?: (egress: Egress, message: string) => Promise<void>;
}

/** Egress failures one batch may meet: each takes an egress out, so this is never reached. */
const MAX_EGRESS_FAILURES = 32;

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
  type Said = {
    failure: SessionFailure;
    target: SmtpTarget | null;
    egress?: string;
    trace?: string;
  };
  let lastFailure: Said | null = null;
  // A server that spoke (e.g. a 554 banner) says more than one that was unreachable.
  let mostTelling: Said | null = null;
  // "Too many recipients": what the server last said to addresses it left unanswered.
  let limit: Said | null = null;
  let starttls = options.starttls;
  let pipelining = options.pipelining;
  let egressFailures = 0;
  // Every polite session answers at least this many, so this bound is never hit by a working
  // server; it stops a loop against one that keeps finding new ways to fail.
  const perSession = Math.max(
    1,
    Math.min(options.maxRejectsPerSession, options.maxRcptsPerSession),
  );
  // … plus one session in lockstep after a server broke the PIPELINING it advertised.
  const maxSessions =
    Math.ceil(pending.length / perSession) + targets.length + options.midSessionRetries + 3;

  while (pending.length > 0 && sessions < maxSessions) {
    const target = targets[hostIndex];
    if (!target) break;
    const hasProbe = probe !== undefined && pending[0] === probe;
    let slot: SessionSlot | undefined;
    try {
      slot = options.acquireSession ? await options.acquireSession() : undefined;
    } catch (error) {
      // Nothing done yet: the caller may retry the whole batch. Otherwise keep what was learnt.
      if (sessions === 0) throw error;
      return {
        outcomes,
        sessions,
        notStarted: pending,
        refusal: error,
        pipeliningBroke: pipelining !== options.pipelining,
      };
    }
    const egress = slot?.egress ?? options.egress;
    let result: SessionResult;
    try {
      result = await runSession(
        target,
        hasProbe ? pending.slice(1) : pending,
        { ...options, starttls, pipelining, egress },
        hasProbe ? probe : undefined,
      );
    } finally {
      slot?.release();
    }
    const failed = result.failure;
    if (failed?.kind === 'egress' && egress && options.egressFailed) {
      // Not the server's doing and no session with it: the next slot leaves from elsewhere.
      egressFailures += 1;
      await options.egressFailed(egress, failed.message);
      if (egressFailures < MAX_EGRESS_FAILURES) continue;
      lastFailure = { failure: failed, target: null };
      break;
    }
    sessions += 1;
    const from = {
      ...(egress ? { egress: egress.name } : {}),
      ...(result.trace ? { trace: result.trace } : {}),
    };
    for (const [address, reply] of result.replies) {
      outcomes.set(address, { kind: 'reply', reply, target, ...from });
    }
    for (const address of result.needSmtpUtf8) {
      outcomes.set(address, { kind: 'smtputf8_unsupported', target, ...from });
    }
    pending = result.unanswered;
    if (result.limitReply) {
      limit = {
        failure: { kind: 'reply', stage: 'rcpt', reply: result.limitReply },
        target,
        ...from,
      };
    }
    const failure = result.failure;
    if (result.pipeliningFailed && pipelining) {
      // It advertised PIPELINING and broke it: the rest goes again in lockstep, at once, and
      // costs no retry (the server is fine, our pipelining was not).
      pipelining = false;
      if (failure) lastFailure = { failure, target, ...from };
      continue;
    }
    if (!failure) {
      if (result.replies.size === 0 && pending.length > 0 && !result.stoppedForPoliteness) break;
      continue;
    }
    lastFailure = { failure, target, ...from };
    if (failure.kind === 'reply') mostTelling = { failure, target, ...from };
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
        ? { kind: 'failure', ...final }
        : {
            kind: 'failure',
            failure: { kind: 'protocol', stage: 'rcpt', message: 'session budget exhausted' },
            target: null,
          },
    );
  }
  return {
    outcomes,
    sessions,
    notStarted: [],
    refusal: null,
    pipeliningBroke: pipelining !== options.pipelining,
  };
}
