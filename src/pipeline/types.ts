/** Job payloads and list state shared by the submitter, the workers and the CLI/API. */
import type { Reason } from '../verdict/types.ts';
import type { DomainSignals } from '../verify/outcome.ts';

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
  /**
   * How long each run may take before what still waits is finalised (ms; 0 = never). Absent on
   * lists made before deadlines existed: LIST_DEADLINE of the process that starts the run.
   */
  deadlineMs?: number;
  /**
   * Keep every SMTP session's transcript (`--trace`, upload `trace=true`): stored under the
   * run, named in report.csv's `trace`. Absent (never `false`) when off, so the list ids of
   * `clean`, which hash the options, stay what they were.
   */
  trace?: true;
}

export interface IngestJobData {
  listId: string;
  /** Which processing of the list: `initial`, or a hygiene run's id. */
  runId: string;
  /** Times a worker could not find the list's input in its storage and left the job. */
  storageMisses?: number;
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
  /**
   * What each address still waiting got last time (reason, reply, rule): what it is finalised
   * with if the deadline or the domain's time budget runs out before an answer.
   */
  last?: Record<string, LastOutcome>;
  /** The list keeps transcripts (`ListOptions.trace`): each session's is stored. */
  trace?: true;
  /**
   * The egress (name) that was greylisted: the retry must leave from it, on a worker that has
   * it (src/pipeline/egress.ts). Absent until a round is greylisted.
   */
  egress?: string;
  /**
   * The MAIL FROM the greylisted round used: greylisting keys on (client address, sender,
   * recipient), so the retry sends the same one, whichever worker (and its MAIL_FROM) runs it.
   */
  mailFrom?: string;
  /** The server broke the PIPELINING it advertised: this job's rounds go in lockstep. */
  lockstep?: true;
}

/** An address's last, not final, outcome: reported if nothing better comes in time. */
export interface LastOutcome {
  reason: Reason;
  rule: string;
  detail: string | null;
  mxHost: string | null;
  smtpCode: number | null;
  smtpEnhancedCode: string | null;
  catchAll: boolean;
  signals?: DomainSignals;
  egress?: string | null;
  trace?: string | null;
}

export interface AggregateJobData {
  listId: string;
  runId: string;
  /** Times a worker could not find the list's input in its storage and left the job. */
  storageMisses?: number;
}
