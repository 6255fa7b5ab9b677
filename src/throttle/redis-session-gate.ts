/**
 * The pipeline's `SessionGate`: the same two budgets as `LocalSessionGate` (sessions open at
 * once, new connections per minute) kept in Redis, so they hold across every worker process.
 * A session is a lease with an expiry, renewed while held, so a worker killed with `kill -9`
 * frees its sessions by itself. AIMD scales both budgets per provider: `penalise` when the
 * server complains about our rate, `reward` when a session goes well. Every budget is per
 * (provider, egress): providers count per client address (see gateKeys).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderLimits } from '../policy/policy.ts';
import type { RedisClient } from '../redis/connect.ts';
import { gateKeys } from '../redis/keys.ts';
import { defineScripts, runScript } from '../redis/script.ts';
import {
  ACQUIRE_LEASE,
  GATE_STATS,
  PENALISE_PROVIDER,
  RENEW_LEASE,
  REWARD_PROVIDER,
} from './scripts/index.ts';
import type { Release, SessionGate } from './session-gate.ts';
import { ThrottledError, type ThrottleReason } from './throttled-error.ts';

export interface RedisSessionGateOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** How long a lease outlives its last renewal; a crashed worker's sessions free after this. */
  leaseTtlMs?: number;
  /** Longest `acquire` may wait before it throws `ThrottledError` instead. */
  maxWaitMs?: number;
  /** Complaints from one provider within this window halve its factor once. */
  penaltyCooldownMs?: number;
}

export interface GateStats {
  /** Leases not yet expired, across every process. */
  open: number;
  /** Connection tokens available now. */
  tokens: number;
  /** AIMD multiplier in (0, 1]. */
  factor: number;
  /** The limits in force: `max(1, floor(limit × factor))`. */
  maxConcurrentSessions: number;
  connectionsPerMinute: number;
}

/** No sleep between polls is longer, so a released slot is noticed quickly. */
const MAX_POLL_MS = 250;
/**
 * The retry hint when every session is open. The script's bound (the oldest lease's expiry) is
 * up to a lease TTL away, but sessions last seconds and a slot usually frees much sooner.
 */
const SESSIONS_RETRY_MS = 1_000;
const DECREASE_FLOOR = 0.01;
const INCREASE_STEP = 0.05;
/** A provider that stops complaining (and succeeding) is back at full speed after an hour. */
const FACTOR_IDLE_TTL_MS = 3_600_000;

interface Admission {
  admitted: boolean;
  waitMs: number;
  blockedBy: ThrottleReason;
}

export class RedisSessionGate implements SessionGate {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #leaseTtlMs: number;
  readonly #maxWaitMs: number;
  readonly #penaltyCooldownMs: number;
  readonly #renewals = new Set<NodeJS.Timeout>();

  constructor(client: RedisClient, options: RedisSessionGateOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.#leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.#penaltyCooldownMs = options.penaltyCooldownMs ?? 5_000;
    defineScripts(client, [
      ACQUIRE_LEASE,
      RENEW_LEASE,
      PENALISE_PROVIDER,
      REWARD_PROVIDER,
      GATE_STATS,
    ]);
  }

  /**
   * Waits for both budgets by polling the Redis script (no FIFO across processes; jitter keeps
   * pollers from moving in lockstep). Throws `ThrottledError` once waiting would exceed
   * `maxWaitMs`: at once when the token refill is too far off, since that wait is exact; after
   * `maxWaitMs` when sessions are full, since one may close at any moment.
   */
  async acquire(provider: string, limits: ProviderLimits, egress?: string): Promise<Release> {
    const keys = gateKeys(this.#prefix, provider, egress);
    const leaseId = randomBytes(12).toString('base64url');
    const started = Date.now();
    for (;;) {
      const admission = parseAdmission(
        await runScript(
          this.#client,
          ACQUIRE_LEASE,
          [keys.leases, keys.bucket, keys.factor],
          [leaseId, limits.maxConcurrentSessions, limits.connectionsPerMinute, this.#leaseTtlMs],
        ),
      );
      if (admission.admitted) return this.#hold(keys.leases, leaseId);
      const budgetMs = this.#maxWaitMs - (Date.now() - started);
      const rate = admission.blockedBy === 'rate';
      if (rate ? admission.waitMs > budgetMs : budgetMs <= 0) {
        const retryInMs = rate ? admission.waitMs : Math.min(admission.waitMs, SESSIONS_RETRY_MS);
        throw new ThrottledError(provider, admission.blockedBy, retryInMs);
      }
      await sleep(jittered(Math.min(admission.waitMs, MAX_POLL_MS, budgetMs)));
    }
  }

  /**
   * Halves the provider's budgets from `egress` (once per cool-down); returns the factor now in
   * force.
   */
  async penalise(provider: string, egress?: string): Promise<number> {
    const keys = gateKeys(this.#prefix, provider, egress);
    const factor = await runScript(
      this.#client,
      PENALISE_PROVIDER,
      [keys.factor, keys.bucket],
      [this.#penaltyCooldownMs, FACTOR_IDLE_TTL_MS, DECREASE_FLOOR],
    );
    return Number(factor);
  }

  /**
   * Raises a penalised provider's factor from `egress` by 0.05 (up to 1); returns the factor now
   * in force.
   */
  async reward(provider: string, egress?: string): Promise<number> {
    const keys = gateKeys(this.#prefix, provider, egress);
    const factor = await runScript(
      this.#client,
      REWARD_PROVIDER,
      [keys.factor],
      [INCREASE_STEP, FACTOR_IDLE_TTL_MS],
    );
    return Number(factor);
  }

  /** The provider's gate from `egress` as every process sees it, for metrics and tests. */
  async stats(provider: string, limits: ProviderLimits, egress?: string): Promise<GateStats> {
    const keys = gateKeys(this.#prefix, provider, egress);
    const reply = await runScript(
      this.#client,
      GATE_STATS,
      [keys.leases, keys.bucket, keys.factor],
      [limits.maxConcurrentSessions, limits.connectionsPerMinute],
    );
    const [open, tokens, factor, sessions, rate] = reply as [
      number,
      string,
      string,
      number,
      number,
    ];
    return {
      open,
      tokens: Number(tokens),
      factor: Number(factor),
      maxConcurrentSessions: sessions,
      connectionsPerMinute: rate,
    };
  }

  /**
   * Stops renewing the leases still held (a worker shutting down after its grace period); they
   * then lapse after the lease TTL. Releasing them afterwards still works.
   */
  close(): void {
    for (const timer of this.#renewals) clearInterval(timer);
    this.#renewals.clear();
  }

  #hold(leasesKey: string, leaseId: string): Release {
    const timer = setInterval(() => {
      runScript(this.#client, RENEW_LEASE, [leasesKey], [leaseId, this.#leaseTtlMs]).then(
        (renewed) => {
          if (renewed === 0) this.#stopRenewing(timer);
        },
        // Redis is unreachable: nobody can acquire either, and the next tick tries again.
        () => undefined,
      );
    }, this.#leaseTtlMs / 3);
    // A held session keeps its own socket open; the renewal alone must not keep a process alive.
    timer.unref();
    this.#renewals.add(timer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#stopRenewing(timer);
      // If Redis cannot hear it now, the lease expires by itself after its TTL.
      this.#client.zrem(leasesKey, leaseId).catch(() => undefined);
    };
  }

  #stopRenewing(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.#renewals.delete(timer);
  }
}

function parseAdmission(reply: unknown): Admission {
  const [admitted, waitMs, blockedBy] = reply as [number, number, number];
  return { admitted: admitted === 1, waitMs, blockedBy: blockedBy === 2 ? 'rate' : 'sessions' };
}

/** Between half and all of `ms`, at least 1 ms. */
function jittered(ms: number): number {
  return Math.max(1, Math.round(ms * (0.5 + Math.random() / 2)));
}
