/**
 * Which column holds the addresses: the one the user named, else a column whose header names
 * email and holds addresses, else the column where most sample values are addresses. A column
 * in which almost nothing looks like an address is refused, however it was chosen: cleaning it
 * would only report every row invalid.
 */
import { ListcleanError } from '../errors.ts';
import { emailNameTier, normalizeColumnName } from './column-names.ts';
import { isPlaceholder, looksLikeAddress } from './header.ts';
import type { EmailColumnSource } from './types.ts';

/** Below this share of addresses among its values, content alone does not pick a column. */
const MIN_ADDRESS_SHARE = 0.5;

export interface ColumnSample {
  columns: readonly string[];
  hasHeader: boolean;
  /** Data rows of the sample, header excluded. */
  rows: readonly string[][];
}

export interface EmailColumnChoice {
  index: number;
  source: EmailColumnSource;
}

/** What a column of the sample holds: values (not empty, not `n/a`), and how many are addresses. */
export interface AddressCount {
  found: number;
  values: number;
}

/**
 * Whether a column holds enough addresses to be cleaned: at least one value in five (20 %) looks
 * like an address. Low on purpose: a CRM export where most contacts have no address is still a
 * list of addresses; a notes or phone column holds none. A column with no values at all in the
 * sample cannot be judged and passes (its rows come out `invalid_syntax`).
 */
export function holdsAddresses({ found, values }: AddressCount): boolean {
  return values === 0 || found * 5 >= values;
}

/** `option`: a header name or 1-based number given by the user; otherwise detected. */
export function chooseEmailColumn(sample: ColumnSample, option?: string): EmailColumnChoice {
  const counts = sample.columns.map((_, column) => countAddresses(sample.rows, column));
  if (option !== undefined && option.trim() !== '') {
    const index = resolveColumnOption(option, sample);
    refuseWithoutAddresses(index, counts, sample);
    return { index, source: 'given' };
  }
  return detectEmailColumn(sample, counts);
}

/** `option`: a header name (case-insensitive) or a 1-based column number. */
export function resolveColumnOption(option: string, sample: ColumnSample): number {
  const wanted = option.trim();
  const { columns } = sample;
  const exact = columns.findIndex((name) => name.toLowerCase() === wanted.toLowerCase());
  if (exact >= 0) return exact;
  if (/^\d+$/.test(wanted)) {
    const number = Number(wanted);
    if (number >= 1 && number <= columns.length) return number - 1;
    throw new ListcleanError(
      'column_not_found',
      `There is no column ${wanted}: the file has ${columns.length} column(s) ` +
        `(${listColumns(columns)}). Pass a number from 1 to ${columns.length}, or a column name.`,
    );
  }
  const normalized = normalizeColumnName(wanted);
  const loose = columns.findIndex((name) => normalizeColumnName(name) === normalized);
  if (loose >= 0 && normalized !== '') return loose;
  const advice = sample.hasHeader
    ? 'Pass one of these names, or the column number (1 = first column).'
    : 'The file has no header row, so pass the column number instead (1 = first column).';
  throw new ListcleanError(
    'column_not_found',
    `No column is named "${wanted}". The file's columns are: ${listColumns(columns)}. ${advice}`,
  );
}

function detectEmailColumn(
  sample: ColumnSample,
  counts: readonly AddressCount[],
): EmailColumnChoice {
  const { columns, hasHeader, rows } = sample;
  const named = hasHeader ? namedCandidates(columns) : [];
  const withAddresses = named.find((column) => {
    const count = counts[column];
    return count !== undefined && count.found > 0 && holdsAddresses(count);
  });
  if (withAddresses !== undefined) return { index: withAddresses, source: 'header' };
  const byContent = bestByContent(counts);
  if (byContent !== null) return { index: byContent, source: 'content' };
  // A column called "Email" is the email column even when the sample's values are empty (they
  // become invalid rows); one full of something else is refused. A name that only mentions email
  // needs values to prove it.
  const [first] = named;
  if (first !== undefined && (emailNameTier(columns[first] ?? '') <= 2 || rows.length === 0)) {
    refuseWithoutAddresses(first, counts, sample);
    return { index: first, source: 'header' };
  }
  throw new ListcleanError(
    'no_email_column',
    `No column looks like email addresses (${describeSample(sample)}). ` +
      'Choose the email column with the column option: ' +
      'a header name or a number (1 = first column).',
  );
}

/** Columns named like an email column, surest name first, then left to right. */
function namedCandidates(columns: readonly string[]): number[] {
  return columns
    .map((name, column) => ({ column, tier: emailNameTier(name) }))
    .filter(({ tier }) => tier > 0)
    .sort((a, b) => a.tier - b.tier || a.column - b.column)
    .map(({ column }) => column);
}

export function countAddresses(rows: readonly string[][], column: number): AddressCount {
  let found = 0;
  let values = 0;
  for (const row of rows) {
    const value = row[column]?.trim() ?? '';
    if (value === '' || isPlaceholder(value)) continue;
    values += 1;
    if (looksLikeAddress(value)) found += 1;
  }
  return { found, values };
}

function bestByContent(counts: readonly AddressCount[]): number | null {
  let best: number | null = null;
  counts.forEach((count, column) => {
    if (count.found === 0 || count.found < count.values * MIN_ADDRESS_SHARE) return;
    if (best === null || count.found > (counts[best]?.found ?? 0)) best = column;
  });
  return best;
}

function refuseWithoutAddresses(
  index: number,
  counts: readonly AddressCount[],
  sample: ColumnSample,
): void {
  const count = counts[index] ?? { found: 0, values: 0 };
  if (holdsAddresses(count)) return;
  const { columns } = sample;
  const holders = counts
    .map((other, column) => (other.found > 0 && holdsAddresses(other) ? column : -1))
    .filter((column) => column >= 0);
  const which =
    holders.length > 0
      ? `Columns that look like they hold addresses: ${listColumns(columns, holders)}.`
      : 'No column of the file looks like it holds addresses.';
  throw new ListcleanError(
    'column_has_no_addresses',
    `Column ${columnLabel(columns, index)} holds almost no email addresses: ` +
      `${count.found} of its first ${count.values} value(s) look like one, so every row would ` +
      `come out invalid. ${which} The file's columns are: ${listColumns(columns)}. ` +
      'Choose the email column with the column option: a header name or a number ' +
      '(1 = first column).',
  );
}

/** Wide exports have hundreds of columns: a message names the first ones. */
const LISTED_COLUMNS = 30;

function columnLabel(columns: readonly string[], index: number): string {
  return `${index + 1} "${columns[index] ?? ''}"`;
}

/** `1 "Name", 2 "Email" and 3 more`; `which`: only those columns (default: all). */
function listColumns(columns: readonly string[], which?: readonly number[]): string {
  const indexes = which ?? columns.map((_, index) => index);
  const listed = indexes.slice(0, LISTED_COLUMNS).map((index) => columnLabel(columns, index));
  const more = indexes.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

function describeSample({ columns, hasHeader, rows }: ColumnSample): string {
  if (hasHeader) return `columns: ${listColumns(columns)}`;
  const [first] = rows;
  if (first === undefined) return 'the file has no readable rows';
  const preview = first.slice(0, 5).map((value) => `"${value.slice(0, 40)}"`);
  return `no header row; the first row is ${preview.join(', ')}`;
}
