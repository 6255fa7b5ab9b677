/**
 * Which probe queue a domain's batches go to, and how big they are. With provider pools in the
 * policy, ingest resolves each domain's MX (once; the resolver caches it for the probe jobs too)
 * to find its provider; without pools, every domain goes to the shared queue unresolved.
 */
import type { Queue } from 'bullmq';
import pLimit from 'p-limit';
import { addressFlags } from '../address/index.ts';
import { providerKey } from '../dns/index.ts';
import { policyFor } from '../policy/policy.ts';
import { poolFor } from '../policy/pools.ts';
import type { Runtime } from '../runtime/runtime.ts';

export interface ProbeRoute {
  queue: Queue;
  /** Addresses per probe job: one session's worth, or `POOL_BATCH_SESSIONS` in a pool. */
  batchSize: number;
}

/**
 * A pool job carries this many sessions' worth of addresses: a session that stops early (at the
 * reject budget) hands its rest to the next session of the same job, so fewer sessions run
 * half-empty than with one session's worth per job. Near the end of the pool's work, jobs split
 * again (src/pipeline/pool-split.ts) so no slot idles while others finish long jobs.
 */
export const POOL_BATCH_SESSIONS = 3;

/** MX lookups in flight at once while routing. */
const LOOKUPS_AT_ONCE = 64;
/**
 * A domain whose MX takes longer goes to the shared queue (its probe job looks again, with the
 * full DNS_TIMEOUT): a dirty list's dead name servers must not make ingest crawl.
 */
const LOOKUP_WAIT_MS = 1000;
/** Routes remembered; past this the map starts over (the resolver still caches the MX). */
const MAX_REMEMBERED = 100_000;

export class ProbeRouter {
  readonly #rt: Runtime;
  readonly #shared: ProbeRoute;
  readonly #routes = new Map<string, Promise<ProbeRoute>>();
  readonly #settled = new Map<string, ProbeRoute>();
  readonly #limit = pLimit(LOOKUPS_AT_ONCE);

  constructor(rt: Runtime) {
    this.#rt = rt;
    this.#shared = {
      queue: rt.queues.probe,
      batchSize: rt.round.policy.defaults.maxRcptsPerSession,
    };
  }

  /** Whether the domain's route is known (its MX lookup, if any, has finished). */
  settled(domain: string): boolean {
    return this.#settled.has(domain);
  }

  /** The route if already known, else the shared queue's batch size is the best guess. */
  batchSize(domain: string): number {
    return (this.#settled.get(domain) ?? this.#shared).batchSize;
  }

  /** Starts finding the route (without waiting), so it is ready when the first batch is full. */
  route(domain: string): Promise<ProbeRoute> {
    let route = this.#routes.get(domain);
    if (!route) {
      if (this.#routes.size >= MAX_REMEMBERED) {
        this.#routes.clear();
        this.#settled.clear();
      }
      route = this.#find(domain).then((found) => {
        this.#settled.set(domain, found);
        return found;
      });
      this.#routes.set(domain, route);
    }
    return route;
  }

  async #find(domain: string): Promise<ProbeRoute> {
    const { pools, round } = this.#rt;
    if (pools.length === 0 || addressFlags('x', domain).disposable) return this.#shared;
    const lookup = await this.#limit(() => withinWait(round.resolveMx(domain))).catch(() => null);
    const mxHost = lookup?.kind === 'ok' ? lookup.hosts[0]?.exchange : undefined;
    // No usable MX: the probe job reports why; it costs no SMTP session.
    if (!mxHost) return this.#shared;
    const provider = providerKey(mxHost);
    const pool = poolFor(round.policy, mxHost, provider);
    const queue = pool && pools.find((p) => p.queue === pool.queue)?.bull;
    if (!queue) return this.#shared;
    const { limits } = policyFor(round.policy, mxHost, provider);
    return { queue, batchSize: POOL_BATCH_SESSIONS * limits.maxRcptsPerSession };
  }
}

/** The lookup's answer, or null once `LOOKUP_WAIT_MS` has passed. */
async function withinWait<T>(lookup: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), LOOKUP_WAIT_MS);
  });
  try {
    return await Promise.race([lookup, late]);
  } finally {
    clearTimeout(timer);
  }
}
