/**
 * Running counts behind summary.json (DESIGN §4). Every row counts once in `rows`, once in
 * `by_status` and `by_reason`, and in exactly one of `invalid_rows` (reason `invalid_syntax`),
 * `duplicates` (an address seen earlier) or `unique_addresses` (its first occurrence), so
 * `rows = unique_addresses + duplicates + invalid_rows` always.
 */
import type { Reason, Status } from '../verdict/types.ts';
import { REASONS, STATUSES } from '../verdict/types.ts';
import { BounceRateMeter } from './bounce-probability.ts';
import type { DomainRisk } from './domain-tally.ts';
import type { EmailColumnInfo, ReportInputRow } from './types.ts';
import type { ProviderBlockWarning } from './warnings.ts';

export interface Summary {
  list: string;
  /** The email column the list was read by; null when the caller did not say. */
  column: EmailColumnInfo | null;
  rows: number;
  unique_addresses: number;
  duplicates: number;
  invalid_rows: number;
  /** Rows written to cleaned.csv. */
  cleaned_rows: number;
  /** Whether cleaned.csv (and so `expected_bounce_rate.after`) includes `risky` rows. */
  include_risky: boolean;
  by_status: Record<Status, number>;
  by_reason: Record<Reason, number>;
  /** Mean bounce probability over every row (before) and over cleaned.csv's rows (after). */
  expected_bounce_rate: { before: number; after: number };
  /** Milliseconds per pipeline stage, as the caller measured them. */
  timings: Record<string, number>;
  /** Providers that refused us while the list was verified (their addresses are unknown). */
  warnings: ProviderBlockWarning[];
  generated_at: string;
  /**
   * The domains with the most undeliverable or unknown rows, riskiest first (at most 10: the
   * table of report.html). Written by ReportBuilder; absent from summaries made before it was.
   */
  riskiest_domains?: DomainRisk[];
  /**
   * Partial reports (made while the list is still verified) only: rows whose address has no
   * verdict yet. They are in `rows` and in no `by_status` / `by_reason` count.
   */
  pending?: number;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

export class SummaryTally {
  private rows = 0;
  private unique = 0;
  private duplicates = 0;
  private invalid = 0;
  private cleaned = 0;
  private pending = 0;
  private readonly byStatus = zeroes(STATUSES);
  private readonly byReason = zeroes(REASONS);
  private readonly before = new BounceRateMeter();
  private readonly after = new BounceRateMeter();

  /** `cleaned`: whether the row went to cleaned.csv. */
  add(row: ReportInputRow, cleaned: boolean): void {
    const { status, reason } = row.result;
    this.rows += 1;
    if (row.pending) {
      this.pending += 1;
      if (row.duplicate) this.duplicates += 1;
      else this.unique += 1;
      return;
    }
    this.byStatus[status] += 1;
    this.byReason[reason] += 1;
    if (reason === 'invalid_syntax') this.invalid += 1;
    else if (row.duplicate) this.duplicates += 1;
    else this.unique += 1;
    this.before.add(reason);
    if (cleaned) {
      this.cleaned += 1;
      this.after.add(reason);
    }
  }

  summary(
    list: string,
    includeRisky: boolean,
    timings: Record<string, number>,
    warnings: ProviderBlockWarning[],
    generatedAt: Date,
    column: EmailColumnInfo | null = null,
  ): Summary {
    return {
      list,
      column: column === null ? null : { ...column },
      rows: this.rows,
      unique_addresses: this.unique,
      duplicates: this.duplicates,
      invalid_rows: this.invalid,
      cleaned_rows: this.cleaned,
      include_risky: includeRisky,
      by_status: { ...this.byStatus },
      by_reason: { ...this.byReason },
      expected_bounce_rate: { before: this.before.rate(), after: this.after.rate() },
      timings: { ...timings },
      warnings: [...warnings],
      generated_at: generatedAt.toISOString(),
      ...(this.pending > 0 ? { pending: this.pending } : {}),
    };
  }
}
