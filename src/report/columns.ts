/**
 * The verdict columns report.csv and bounce-risk.csv append after the original ones (DESIGN §4,
 * contract: names and order). An original column with the same name as one of ours is kept as
 * is: both appear in the header, the original first, because renaming either would break
 * whoever reads the file by position or by the contract name.
 */
import type { AddressResult } from '../verdict/result.ts';

export const VERDICT_COLUMNS = [
  'email_normalized',
  'status',
  'reason',
  'risk_score',
  'role',
  'free',
  'disposable',
  'catch_all',
  'suggestion',
  'mx_host',
  'smtp_code',
  'smtp_enhanced_code',
  'checked_at',
  'rule',
  'mx_provider',
  'spf',
  'dmarc',
  'egress',
  'trace',
] as const satisfies readonly (keyof AddressResult)[];

export function reportHeader(columns: readonly string[]): string[] {
  return [...columns, ...VERDICT_COLUMNS];
}

/** Booleans as `true`/`false`, numbers in decimal, nulls as empty cells. */
export function verdictCells(result: AddressResult): string[] {
  return VERDICT_COLUMNS.map((name) => {
    const value = result[name];
    return value === null ? '' : String(value);
  });
}

/**
 * A row still waiting for its verdict (partial reports): what is known of its address (the
 * normalised form, its flags), `pending` as status and reason, and nothing that a verdict
 * would decide.
 */
export function pendingCells(result: AddressResult): string[] {
  const decided = new Set([
    'risk_score',
    'catch_all',
    'mx_host',
    'smtp_code',
    'smtp_enhanced_code',
    'checked_at',
    'rule',
  ]);
  return VERDICT_COLUMNS.map((name) => {
    if (name === 'status' || name === 'reason') return 'pending';
    if (decided.has(name)) return '';
    const value = result[name];
    return value === null ? '' : String(value);
  });
}
