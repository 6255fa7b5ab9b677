/**
 * Redis keys of the counters workers record and the API reads at scrape time. One hash per
 * metric, field = label value(s); the `{metrics}` tag keeps them in one Cluster slot so a round's
 * increments can go out as one MULTI.
 */
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

/** Separates the reply code from the provider in a `replies` field; neither can contain it. */
export const FIELD_SEPARATOR = '|';

/** Label value that stands for every provider outside the top ones. */
export const OTHER = 'other';
