/**
 * Whether a file's first record is a header. A first row holding an address is data. One naming
 * an email column is a header. Otherwise it is a header only if every cell reads like a label,
 * none repeats a value of its column further down, and none is empty or a placeholder like `n/a`
 * (what a contact without an address has in that column): mistaking the first contact for a
 * header would drop it, so doubt counts as data.
 */
import { emailNameTier } from './column-names.ts';

/** Something on both sides of an `@`: an address, not a Twitter handle or a lone sign. */
const ADDRESS_LIKE = /[^\s@]@[^\s@]/;
const MAX_LABEL_LENGTH = 64;
const PLACEHOLDERS = new Set([
  '-',
  '?',
  'x',
  'na',
  'n/a',
  'nan',
  'nil',
  'none',
  'null',
  'undefined',
  'unknown',
  'tbd',
  'keine',
  'aucun',
  'ninguno',
]);

export function looksLikeAddress(value: string): boolean {
  return ADDRESS_LIKE.test(value);
}

/** `n/a`, `none`, `-`, …: what a contact without a value has in that column. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDERS.has(value.trim().toLowerCase());
}

export function looksLikeHeader(first: readonly string[], rows: readonly string[][]): boolean {
  if (first.some(looksLikeAddress)) return false;
  if (first.some((cell) => emailNameTier(cell) > 0)) return true;
  if (!first.every(isLabel)) return false;
  if (first.some((cell, column) => repeatsBelow(cell, column, rows))) return false;
  // A header names every column, the one holding the addresses included.
  const addresses = addressColumn(rows);
  return addresses === null || addresses < first.length;
}

function isLabel(cell: string): boolean {
  const text = cell.trim();
  if (text === '' || text.length > MAX_LABEL_LENGTH || isPlaceholder(text)) {
    return false;
  }
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const digits = text.match(/\p{N}/gu)?.length ?? 0;
  return letters > 0 && digits < letters;
}

/** A header names its column once; a data value like a company name recurs. */
function repeatsBelow(cell: string, column: number, rows: readonly string[][]): boolean {
  const value = cell.trim().toLowerCase();
  return rows.some((row) => (row[column] ?? '').trim().toLowerCase() === value);
}

/** The column where most rows hold an address, if any. */
function addressColumn(rows: readonly string[][]): number | null {
  const counts: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      if (looksLikeAddress(cell)) counts[column] = (counts[column] ?? 0) + 1;
    });
  }
  let best: number | null = null;
  counts.forEach((count, column) => {
    if (count * 2 > rows.length && (best === null || count > (counts[best] ?? 0))) best = column;
  });
  return best;
}
