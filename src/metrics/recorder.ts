/**
 * Counters recorded by worker processes, kept in Redis so that one scrape of the API sees every
 * worker's work (a prom-client registry lives and dies with its process). Each call is one
 * round trip: HINCRBYs in one MULTI.
 */
import type { RedisClient } from '../redis/connect.ts';
import { type MetricKeys, metricKeys } from '../redis/keys.ts';
import { FIELD_SEPARATOR } from './keys.ts';
import { providerLabel, replyCodeLabel, statusLabel } from './labels.ts';

export interface RoundMetrics {
  /** The provider key of the domain (`providerKey`); empty or null when DNS gave none. */
  provider: string | null | undefined;
  /** SMTP sessions the round opened. */
  sessions: number;
  /** Basic reply code (`'250'`, `'550'`, …) → how many RCPT replies carried it. */
  replyCodes: Record<string, number>;
  /** Verdict status → addresses that got their final verdict in this round. */
  statuses: Record<string, number>;
}

export class MetricsRecorder {
  readonly keys: MetricKeys;

  readonly #allowed: ReadonlySet<string> | undefined;

  /** `providers`: the only provider labels recorded (METRICS_PROVIDERS); the rest are `other`. */
  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    providers?: readonly string[],
  ) {
    this.keys = metricKeys(prefix);
    this.#allowed = providers ? new Set(providers.map((p) => p.toLowerCase())) : undefined;
  }

  async recordRound(round: RoundMetrics): Promise<void> {
    const provider = providerLabel(round.provider, this.#allowed);
    const multi = this.redis.multi();
    let queued = 0;
    if (round.sessions > 0) {
      multi.hincrby(this.keys.sessions, provider, Math.trunc(round.sessions));
      queued++;
    }
    for (const [code, n] of counts(round.replyCodes)) {
      multi.hincrby(this.keys.replies, `${replyCodeLabel(code)}${FIELD_SEPARATOR}${provider}`, n);
      queued++;
    }
    for (const [status, n] of counts(round.statuses)) {
      multi.hincrby(this.keys.verified, statusLabel(status), n);
      queued++;
    }
    // Nothing is sent until exec: an empty round costs no round trip.
    if (queued > 0) await multi.exec();
  }

  async recordThrottleWait(provider: string | null | undefined): Promise<void> {
    await this.redis.hincrby(this.keys.throttleWaits, providerLabel(provider, this.#allowed), 1);
  }

  /** A provider refused us and this process opened its breaker. */
  async recordBreakerTrip(provider: string): Promise<void> {
    await this.redis.hincrby(this.keys.breakerTrips, providerLabel(provider, this.#allowed), 1);
  }

  /** `n` addresses were re-queued to wait for a greylisting retry. */
  async recordGreylistRetries(n: number): Promise<void> {
    if (n > 0) await this.redis.hincrby(this.keys.greylistRetries, 'total', Math.trunc(n));
  }
}

/** Positive whole counts only: a negative increment would make a counter go backwards. */
function counts(record: Record<string, number>): Array<[string, number]> {
  return Object.entries(record)
    .map(([k, v]) => [k, Math.trunc(v)] as [string, number])
    .filter(([, v]) => Number.isFinite(v) && v > 0);
}
