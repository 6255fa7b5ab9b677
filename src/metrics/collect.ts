/**
 * The Prometheus exposition of one scrape: a fresh registry filled from Redis (so counters
 * recorded by every worker process show up) plus the API process's own metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { ListcleanError } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { processRegistry } from './process-registry.ts';
import { type MetricsSnapshot, readSnapshot, type SnapshotOptions } from './snapshot.ts';

/** What `GET /metrics` answers with (`text/plain; version=0.0.4; charset=utf-8`). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface CollectOptions extends SnapshotOptions {
  /**
   * A scrape that cannot reach Redis must fail, not hang: the shared connection queues commands
   * for as long as Redis is away. Default 5 s (Prometheus' default scrape timeout is 10 s).
   */
  timeoutMs?: number;
  /** Leave out the API process's own metrics (tests). */
  processMetrics?: boolean;
}

export async function collectMetrics(rt: Runtime, options: CollectOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ListcleanError(
            'metrics_unavailable',
            `Metrics could not be read from Redis within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const snapshot = await Promise.race([readSnapshot(rt, options), timeout]);
    const scrape = buildRegistry(snapshot);
    const registries = options.processMetrics === false ? [scrape] : [processRegistry(), scrape];
    return await Registry.merge(registries).metrics();
  } finally {
    clearTimeout(timer);
  }
}

export function buildRegistry(s: MetricsSnapshot): Registry {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers });

  const lists = gauge('listclean_lists', 'Lists by status.', ['status']);
  for (const [status, n] of s.lists) lists.set({ status }, n);

  const verified = counter(
    'listclean_addresses_verified_total',
    'Addresses given a final verdict by SMTP probe rounds, by verdict status.',
    ['status'],
  );
  for (const [status, n] of s.verified) verified.inc({ status }, n);

  const sessions = counter(
    'listclean_smtp_sessions_total',
    'SMTP sessions opened, by provider (those outside METRICS_PROVIDERS, or beyond the top 200: other).',
    ['provider'],
  );
  for (const [provider, n] of s.sessions) sessions.inc({ provider }, n);

  const replies = counter(
    'listclean_smtp_replies_total',
    'SMTP RCPT replies by basic code and provider (those outside METRICS_PROVIDERS, or beyond the top 200: other).',
    ['code', 'provider'],
  );
  for (const { code, provider, value } of s.replies) replies.inc({ code, provider }, value);

  const waits = counter(
    'listclean_throttle_waits_total',
    'Probe jobs that found their provider throttle full and were re-queued, by provider.',
    ['provider'],
  );
  for (const [provider, n] of s.throttleWaits) waits.inc({ provider }, n);

  const trips = counter(
    'listclean_provider_breaker_trips_total',
    'Times a provider refused us (our IP, sender or reputation) and probing it was paused, by provider.',
    ['provider'],
  );
  for (const [provider, n] of s.breakerTrips) trips.inc({ provider }, n);

  counter(
    'listclean_greylist_retries_total',
    'Addresses re-queued to wait for a greylisting retry.',
  ).inc(s.greylistRetries);

  gauge(
    'listclean_greylist_retries_pending',
    'Addresses of unfinished lists waiting for a greylisting retry now.',
  ).set(s.greylistPending);

  const jobs = gauge('listclean_queue_jobs', 'BullMQ jobs by queue and state.', ['queue', 'state']);
  for (const { queue, state, value } of s.queues) jobs.set({ queue, state }, value);

  return registry;
}
