/**
 * Per-domain row counts for the "riskiest domains" table of report.html. A list can hold a
 * million distinct domains, so only the first `cap` domains seen get their own entry; rows of
 * later new domains are counted together in `other`, keeping memory bounded (about 100 bytes a
 * domain: 10 MB at the default cap).
 */
import type { Status } from '../verdict/types.ts';

export const DEFAULT_DOMAIN_CAP = 100_000;

export interface DomainCounts {
  rows: number;
  undeliverable: number;
  unknown: number;
}

export interface DomainRisk extends DomainCounts {
  domain: string;
  /** (undeliverable + unknown) / rows. */
  share: number;
}

/** The domain of a normalised address (`null` for rows without a usable address). */
export function domainOf(normalized: string | null): string | null {
  if (normalized === null) return null;
  const at = normalized.lastIndexOf('@');
  return at < 0 ? null : normalized.slice(at + 1);
}

function emptyCounts(): DomainCounts {
  return { rows: 0, undeliverable: 0, unknown: 0 };
}

export class DomainTally {
  private readonly cap: number;
  private readonly domains = new Map<string, DomainCounts>();
  /** Rows of domains first seen after the cap was reached. */
  readonly other: DomainCounts = emptyCounts();

  constructor(cap = DEFAULT_DOMAIN_CAP) {
    this.cap = cap;
  }

  get trackedDomains(): number {
    return this.domains.size;
  }

  add(domain: string, status: Status): void {
    let counts = this.domains.get(domain);
    if (!counts) {
      if (this.domains.size >= this.cap) {
        counts = this.other;
      } else {
        counts = emptyCounts();
        this.domains.set(domain, counts);
      }
    }
    counts.rows += 1;
    if (status === 'undeliverable') counts.undeliverable += 1;
    else if (status === 'unknown') counts.unknown += 1;
  }

  /**
   * The `limit` domains with the most undeliverable or unknown rows (then the higher share, then
   * by name, so the table is stable). Ranking by count, not share: a one-row domain at 100 %
   * matters less to a sender than a big domain where a third of the rows fail.
   */
  riskiest(limit: number): DomainRisk[] {
    const risky: DomainRisk[] = [];
    for (const [domain, counts] of this.domains) {
      const bad = counts.undeliverable + counts.unknown;
      if (bad > 0) risky.push({ domain, ...counts, share: bad / counts.rows });
    }
    const badRows = (entry: DomainRisk): number => entry.undeliverable + entry.unknown;
    risky.sort(
      (a, b) =>
        badRows(b) - badRows(a) ||
        b.share - a.share ||
        (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0),
    );
    return risky.slice(0, limit);
  }
}
