/** The doctor's report for people: one line per check, then a count. */
import type { DoctorCheck } from './types.ts';

/** `FAIL  ptr 203.0.113.5: no PTR record … — ask your provider …` */
export function formatCheck(check: DoctorCheck): string {
  const head = `${check.status.toUpperCase().padEnd(4)}  ${check.check} ${check.target}: ${check.evidence}`;
  return check.fix ? `${head} — ${check.fix}` : head;
}

/** `doctor: 12 pass, 2 warn, 1 fail in 1.4 s` (`in 35 ms` under a second). */
export function formatSummary(checks: readonly DoctorCheck[], durationMs: number): string {
  const count = (status: DoctorCheck['status']) => checks.filter((c) => c.status === status).length;
  const took =
    durationMs < 1000 ? `${Math.round(durationMs)} ms` : `${(durationMs / 1000).toFixed(1)} s`;
  return `doctor: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail in ${took}`;
}

export function hasFailure(checks: readonly DoctorCheck[]): boolean {
  return checks.some((check) => check.status === 'fail');
}
