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
