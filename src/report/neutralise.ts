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

export function neutraliseCell(value: string): string {
  const first = value[0];
  return first !== undefined && FORMULA_STARTS.has(first) ? `'${value}` : value;
}

export function neutraliseRow(cells: readonly string[]): string[] {
  return cells.map(neutraliseCell);
}
