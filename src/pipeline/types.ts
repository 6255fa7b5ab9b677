/** Job payloads and list state shared by the submitter, the workers and the CLI/API. */

export const LIST_STATUSES = [
  'queued',
  'ingesting',
  'verifying',
  'aggregating',
  'done',
  'failed',
] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

export interface ListOptions {
  /** Email column override: header name or 1-based index. */
  column?: string;
  includeRisky: boolean;
}

export interface IngestJobData {
  listId: string;
  /** Which processing of the list: `initial`, or a hygiene run's id. */
  runId: string;
}

export interface ProbeJobData {
  listId: string;
  runId: string;
  domain: string;
  /** Unique normalised addresses of this batch still to verify. */
  addresses: string[];
  /** Greylisting / rate-limit waits already spent (index into GREYLIST_RETRY_DELAYS). */
  waits: number;
  /** Connection failures / timeouts already retried. */
  transientTries: number;
  /** Addresses this job currently counts as waiting for a greylisting retry. */
  greylistedNow: number;
  /** Times this pool job has handed half of its addresses to a new job (names the next one). */
  splits?: number;
}

export interface AggregateJobData {
  listId: string;
  runId: string;
}
