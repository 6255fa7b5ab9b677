/** The shapes of the API's answers the console reads (the API's /docs has them all). */

export type ListStatus = 'queued' | 'ingesting' | 'verifying' | 'aggregating' | 'done' | 'failed';

export interface ListEntry {
  id: string;
  name: string;
  status: ListStatus;
  created_at: string;
  progress: { rows: number; unique: number; verified: number };
  by_status: Record<string, number> | null;
}

export interface Summary {
  list: string;
  rows: number;
  unique_addresses: number;
  duplicates: number;
  invalid_rows: number;
  cleaned_rows: number;
  include_risky: boolean;
  by_status: Record<string, number>;
  by_reason: Record<string, number>;
  expected_bounce_rate: { before: number; after: number };
  warnings?: Array<{ provider: string; message: string }>;
  pending?: number;
  /** Riskiest first; absent from summaries written before the field was. */
  riskiest_domains?: DomainRisk[];
}

export interface DomainRisk {
  domain: string;
  rows: number;
  undeliverable: number;
  unknown: number;
  /** (undeliverable + unknown) / rows. */
  share: number;
}

export interface WaitingDomain {
  domain: string;
  addresses: number;
  reason: string;
  until: string;
}

export interface ListDetail {
  id: string;
  name: string;
  status: ListStatus;
  created_at: string;
  updated_at: string;
  error: string | null;
  column: { name: string; number: number; detected: string } | null;
  summary: Summary | null;
  progress: {
    rows: number;
    unique: number;
    verified: number;
    pending: number;
    greylisted: number;
    waiting?: {
      greylisted: number;
      throttled: number;
      retrying: number;
      deferred: number;
      until: string | null;
      domains: WaitingDomain[];
    };
    deadline?: string | null;
    eta?: string | null;
  };
}

export type { Preview } from '../api/upload/preview-shape.ts';

export interface Schedule {
  cron: string;
  timezone: string;
  next_run: string | null;
}

export interface Run {
  id: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  changes: number | null;
  summary: Summary | null;
}

export interface VerifyResult {
  email: string;
  email_normalized: string | null;
  status: string;
  reason: string | null;
  risk_score?: number;
  role?: boolean;
  free?: boolean;
  disposable?: boolean;
  catch_all?: boolean;
  suggestion?: string | null;
  mx_host?: string | null;
  smtp_code?: number | null;
  smtp_enhanced_code?: string | null;
  detail: string | null;
  rule?: string | null;
  checked_at?: string;
  next_attempt_at?: string | null;
}

export interface VerifyBatch {
  id: string;
  status: 'pending' | 'done';
  pending: number;
  results: VerifyResult[];
}
