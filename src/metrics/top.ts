/** Label-cardinality cap: the providers that keep their own series at scrape time. */
import { OTHER } from './keys.ts';

/** Providers beyond this many (by count) share the `other` series. */
export const MAX_PROVIDER_LABELS = 200;

/** The `limit` providers with the largest totals (ties by name, so scrapes are stable). */
export function topProviders(
  totals: Map<string, number>,
  limit = MAX_PROVIDER_LABELS,
): Set<string> {
  const ranked = [...totals]
    .filter(([provider]) => provider !== OTHER)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return new Set(ranked.slice(0, limit).map(([provider]) => provider));
}

/** Per-provider counts with every provider outside the top `limit` summed into `other`. */
export function foldProviders(counts: Map<string, number>, limit = MAX_PROVIDER_LABELS) {
  const keep = topProviders(counts, limit);
  const out = new Map<string, number>();
  for (const [provider, n] of counts) {
    const label = keep.has(provider) ? provider : OTHER;
    out.set(label, (out.get(label) ?? 0) + n);
  }
  return out;
}

export interface ReplyCount {
  code: string;
  provider: string;
  value: number;
}

/** Reply counts folded the same way, providers ranked by all their replies together. */
export function foldReplies(replies: ReplyCount[], limit = MAX_PROVIDER_LABELS): ReplyCount[] {
  const totals = new Map<string, number>();
  for (const r of replies) totals.set(r.provider, (totals.get(r.provider) ?? 0) + r.value);
  const keep = topProviders(totals, limit);
  const out = new Map<string, ReplyCount>();
  for (const r of replies) {
    const provider = keep.has(r.provider) ? r.provider : OTHER;
    const key = `${r.code} ${provider}`;
    const entry = out.get(key) ?? { code: r.code, provider, value: 0 };
    entry.value += r.value;
    out.set(key, entry);
  }
  return [...out.values()];
}
