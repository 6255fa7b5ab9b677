/**
 * Counts behind report.html's "Mail providers and DMARC" section (issue 12): per unique address,
 * who runs its domain's mail (`mx_provider`), the domain's DMARC policy and whether it publishes
 * SPF. Memory stays bounded: only the first `cap` providers seen are counted one by one, later
 * new ones together as `other`.
 */
import type { AddressResult, DmarcPolicy } from '../verdict/result.ts';

export const DEFAULT_PROVIDER_CAP = 10_000;

/** DMARC policies in the order the page lists them; `unknown`: not looked up or DNS failed. */
export const DMARC_ROWS = ['reject', 'quarantine', 'none', 'absent', 'unknown'] as const;
export type DmarcRow = (typeof DMARC_ROWS)[number];

export interface ProviderCount {
  provider: string;
  addresses: number;
}

export interface SignalCounts {
  /** Unique addresses counted (syntax failures have no domain to speak of). */
  addresses: number;
  /** Most addresses first (then by name); at most the `limit` asked for. */
  providers: ProviderCount[];
  /** Addresses of providers beyond those listed, and of those past the cap. */
  otherProviders: number;
  /** Addresses whose domain has no MX provider (no MX, no domain). */
  noProvider: number;
  dmarc: Record<DmarcRow, number>;
  spf: { published: number; missing: number; unknown: number };
  /** True when at least one address had a signal: a list verified before them has none. */
  known: boolean;
}

export class SignalTally {
  private readonly cap: number;
  private readonly providers = new Map<string, number>();
  private pastCap = 0;
  private noProvider = 0;
  private addresses = 0;
  private known = false;
  private readonly dmarc: Record<DmarcRow, number> = {
    reject: 0,
    quarantine: 0,
    none: 0,
    absent: 0,
    unknown: 0,
  };
  private readonly spf = { published: 0, missing: 0, unknown: 0 };

  constructor(cap = DEFAULT_PROVIDER_CAP) {
    this.cap = cap;
  }

  /** Once per unique address (first occurrence), with its verdict. */
  add(result: Pick<AddressResult, 'mx_provider' | 'spf' | 'dmarc'>): void {
    this.addresses += 1;
    const provider = result.mx_provider;
    if (provider === null) this.noProvider += 1;
    else if (this.providers.has(provider) || this.providers.size < this.cap) {
      this.providers.set(provider, (this.providers.get(provider) ?? 0) + 1);
    } else this.pastCap += 1;
    const dmarc: DmarcPolicy | null = result.dmarc;
    this.dmarc[dmarc ?? 'unknown'] += 1;
    if (result.spf === null) this.spf.unknown += 1;
    else if (result.spf) this.spf.published += 1;
    else this.spf.missing += 1;
    if (provider !== null || dmarc !== null || result.spf !== null) this.known = true;
  }

  counts(limit: number): SignalCounts {
    const ranked = [...this.providers]
      .map(([provider, addresses]) => ({ provider, addresses }))
      .sort(
        (a, b) =>
          b.addresses - a.addresses ||
          (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0),
      );
    const shown = ranked.slice(0, limit);
    const hidden = ranked.slice(limit).reduce((n, entry) => n + entry.addresses, 0);
    return {
      addresses: this.addresses,
      providers: shown,
      otherProviders: hidden + this.pastCap,
      noProvider: this.noProvider,
      dmarc: { ...this.dmarc },
      spf: { ...this.spf },
      known: this.known,
    };
  }
}
