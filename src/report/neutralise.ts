/**
 * Spreadsheet formula-injection defence (DESIGN §4, OWASP "CSV Injection"): a cell that starts
 * with a character Excel, LibreOffice or Numbers reads as the start of a formula gets a leading
 * single quote, which every one of them shows as text and never evaluates.
 */

/**
 * `=`, `+`, `-`, `@`, tab and CR are DESIGN's list (OWASP's). The full-width forms are added
 * because Apple Numbers folds them to their ASCII twins before deciding what a formula is.
 */
const FORMULA_STARTS = new Set([
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\uFF1D',
  '\uFF0B',
  '\uFF0D',
  '\uFF20',
]);

/**
 * Leading white space before a formula start counts too: Google Sheets trims cells on import,
 * and LibreOffice does with "Trim spaces", so ` =1+1` or a line break then `=1+1` can still be
 * evaluated there.
 */
const LEADING_SPACE = /^[ \n\u00A0\u2000-\u200B\u3000\uFEFF]+/;

export function neutraliseCell(value: string): string {
  const first = value[0];
  if (first === undefined) return value;
  if (FORMULA_STARTS.has(first)) return `'${value}`;
  const rest = value.replace(LEADING_SPACE, '')[0];
  return rest !== undefined && rest !== first && FORMULA_STARTS.has(rest) ? `'${value}` : value;
}

export function neutraliseRow(cells: readonly string[]): string[] {
  return cells.map(neutraliseCell);
}
