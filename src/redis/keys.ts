/**
 * Every Redis key and BullMQ job id listclean builds, in one place. Keys start with the
 * deployment's prefix (`listclean:`). Keys that one Lua script or MULTI touches together share a
 * Redis Cluster hash tag (`{…}`) so they land in one slot — a list's keys the list id, a
 * provider's gate its provider, the metrics `{metrics}` — and keys touched alone carry none, so
 * they spread over the cluster.
 */

export interface GateKeys {
  /** Sorted set: lease id → expiry (ms since the epoch, Redis clock). */
  leases: string;
  /** Hash: `tokens`, `updated_at` (ms) of the connection-rate token bucket. */
  bucket: string;
  /** Hash: `factor` (AIMD multiplier, absent = 1.0), `penalised_at` (ms). */
  factor: string;
}

/**
 * A provider's gate as seen from one egress: providers throttle per client address, so every
 * egress has budgets of its own. The `default` egress (the host's route, no egress configured)
 * keeps the keys of a single-egress deployment, `{gate:<provider>}`; another egress adds its
 * name, `{gate:<provider>@<egress>}`.
 */
export function gateKeys(prefix: string, provider: string, egress?: string): GateKeys {
  const scope = egress && egress !== 'default' ? `${provider}@${egress}` : provider;
  const tag = `${prefix}{gate:${scope}}`;
  return { leases: `${tag}:leases`, bucket: `${tag}:bucket`, factor: `${tag}:factor` };
}

/** String (JSON `EgressDown`, TTL = EGRESS_COOLDOWN): the egress failed; leave it alone. */
export function egressDownKey(prefix: string, egress: string): string {
  return `${prefix}egress-down:${egress}`;
}

/**
 * Hash (worker id → ms of its last heartbeat; the key expires when no owner renews it): the
 * worker processes that have this egress (src/egress/registry.ts).
 */
export function egressOwnersKey(prefix: string, egress: string): string {
  return `${prefix}egress-owners:${egress}`;
}

/** String `1` / `0`: is the domain catch-all. */
export function catchAllKey(prefix: string, domain: string): string {
  return `${prefix}catch-all:${domain}`;
}

/** String: the local part every process probes the domain with. */
export function catchAllProbeKey(prefix: string, domain: string): string {
  return `${prefix}catch-all-probe:${domain}`;
}

/** String: the compact verdict of one normalised address, TTL by verdict kind. */
export function verdictKey(prefix: string, address: string): string {
  return `${prefix}verdict:${address}`;
}

/** String (JSON `BreakerState`, TTL = cool-down): the provider refuses us; do not probe it. */
export function breakerKey(prefix: string, provider: string): string {
  return `${prefix}breaker:${provider}`;
}

/** Set: the names of the provider pool queues ever used (src/pipeline/pool-registry.ts). */
export function poolRegistryKey(prefix: string): string {
  return `${prefix}probe-pools`;
}

/** Namespace of the API's per-key rate-limit counters. */
export function rateLimitNamespace(prefix: string): string {
  return `${prefix}rate-limit:`;
}

/** Hash: list id → status, so metrics count lists by state without scanning. */
export function listStatusIndexKey(prefix: string): string {
  return `${prefix}list-status`;
}

/** Sorted set: a tenant's list ids by creation time. */
export function tenantListsKey(prefix: string, tenant: string): string {
  return `${prefix}lists:${tenant}`;
}

/**
 * The keys of one list run: its verdicts and its bookkeeping. A list made since issue 14 keeps
 * its verdicts in `buckets` small hashes (the list's `buckets` metadata field, a power of two
 * sized from the stored input: src/redis/list-results.ts), `<results>:<i>`, each small enough
 * for Redis' listpack encoding; a list made before keeps them in the one `results` hash.
 */
export interface RunKeys {
  /**
   * Hash: normalised address → compact verdict (a list without `buckets`); with buckets, the
   * stem of the bucket keys (`bucketKeys`).
   */
  results: string;
  /**
   * Hash: shape id → the verdict fields many addresses share (JSON), and `#verified` → how
   * many addresses have a verdict (bucketed results only).
   */
  shapes: string;
  /** Set: ingest's dedupe, before issue 14 (now in process); named so old runs are removed. */
  seen: string;
  /** Set: the aggregate's, likewise. */
  aggregateSeen: string;
  /** Set: partial reports', likewise. */
  partialSeen: string;
  /** Hash: provider → breaker state that refused us; `<provider>\n` → addresses it cost. */
  blocked: string;
  /** Hash: probe job id → what its addresses wait for and until when (src/pipeline/waiting.ts). */
  waiting: string;
  /**
   * Hash: domain → ms its sessions spent verifying nothing; `<domain>\n` → the last outcome
   * they gave (src/pipeline/domain-budget.ts).
   */
  stalled: string;
}

/** The keys of one list, all under the list's hash tag: one slot, so one MULTI or script. */
export interface ListKeys {
  /** Hash: the list's metadata and counters (src/pipeline/list-store.ts). */
  meta: string;
  /** Hash: run id → run record (JSON). */
  runs: string;
  /**
   * Hash: address → last status and since when (changes.csv); with buckets, the stem of the
   * bucket keys `<statuses>:<i>`, as for results.
   */
  statuses: string;
  run(runId: string): RunKeys;
}

export function listKeys(prefix: string, listId: string): ListKeys {
  const tag = `${prefix}list:{${listId}}`;
  return {
    meta: tag,
    runs: `${tag}:runs`,
    statuses: `${tag}:statuses`,
    run: (runId) => ({
      results: `${tag}:run:${runId}:results`,
      shapes: `${tag}:run:${runId}:shapes`,
      seen: `${tag}:run:${runId}:seen`,
      aggregateSeen: `${tag}:run:${runId}:aggregate-seen`,
      partialSeen: `${tag}:run:${runId}:partial-seen`,
      blocked: `${tag}:run:${runId}:blocked`,
      waiting: `${tag}:run:${runId}:waiting`,
      stalled: `${tag}:run:${runId}:stalled`,
    }),
  };
}

/** The key of an address's bucket: `stem` itself when the list has no buckets (0). */
export function bucketKey(stem: string, buckets: number, bucket: number): string {
  return buckets > 0 ? `${stem}:${bucket}` : stem;
}

/** Every bucket key of a stem (the stem alone for a list without buckets). */
export function bucketKeys(stem: string, buckets: number): string[] {
  if (buckets <= 0) return [stem];
  return Array.from({ length: buckets }, (_, i) => `${stem}:${i}`);
}

/** The counters workers record and the API reads at scrape time: one hash per metric. */
export interface MetricKeys {
  /** provider → SMTP sessions opened. */
  sessions: string;
  /** `<code>|<provider>` → SMTP replies seen. */
  replies: string;
  /** verdict status → addresses given a final verdict. */
  verified: string;
  /** provider → times a probe job found the provider's throttle full. */
  throttleWaits: string;
  /** `total` → greylisting retries scheduled. */
  greylistRetries: string;
  /** provider → times a provider's breaker was opened because it refused us. */
  breakerTrips: string;
}

export function metricKeys(prefix: string): MetricKeys {
  const tag = `${prefix}{metrics}`;
  return {
    sessions: `${tag}:smtp-sessions`,
    replies: `${tag}:smtp-replies`,
    verified: `${tag}:verified`,
    throttleWaits: `${tag}:throttle-waits`,
    greylistRetries: `${tag}:greylist-retries`,
    breakerTrips: `${tag}:breaker-trips`,
  };
}

/**
 * BullMQ job ids of a list run's flow: deterministic, so re-submitting or re-running ingest
 * re-adds no-ops instead of duplicates.
 */
export const jobIds = {
  aggregate: (listId: string, runId: string) => `aggregate-${listId}-${runId}`,
  ingest: (listId: string, runId: string) => `ingest-${listId}-${runId}`,
  /** `tag`: a short hash of the domain; `batch`: the batch's number within the domain. */
  probe: (listId: string, runId: string, tag: string, batch: number) =>
    `probe-${listId}-${runId}-${tag}-${batch}`,
};

/** The keys of one `POST /v1/verify` batch, under the batch id's hash tag. */
export interface VerifyBatchKeys {
  /** Hash: `meta` → JSON (tenant, created_at, size); `<input index>` → JSON entry; `updated_at`. */
  batch: string;
  /** String with a short TTL, renewed while a process is verifying the batch. */
  alive: string;
}

export function verifyBatchKeys(prefix: string, id: string): VerifyBatchKeys {
  const tag = `${prefix}verify:{${id}}`;
  return { batch: tag, alive: `${tag}:alive` };
}
