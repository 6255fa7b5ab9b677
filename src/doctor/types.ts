/** What `listclean doctor` and `GET /v1/doctor` report: one line per check (DESIGN §5). */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  /** What was checked: `tcp/25`, `egress`, `ptr`, `fcrdns`, `helo`, `spf`, `mx`, `blocklist`, … */
  check: string;
  /** What it was checked for: an egress, an address, a domain, a service. */
  target: string;
  status: CheckStatus;
  /** What was seen, with the values that prove it. */
  evidence: string;
  /** What to do about a warning or failure; null when it passed. */
  fix: string | null;
}

/** A check's outcome before it is named: what each check module returns. */
export interface Finding {
  status: CheckStatus;
  evidence: string;
  fix?: string | null;
}

export const pass = (evidence: string): Finding => ({ status: 'pass', evidence, fix: null });
export const warn = (evidence: string, fix: string): Finding => ({ status: 'warn', evidence, fix });
export const fail = (evidence: string, fix: string): Finding => ({ status: 'fail', evidence, fix });
