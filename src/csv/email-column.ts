/**
 * Which column holds the addresses: the one the user named, else a column whose header names
 * email and holds addresses, else the column where most sample values are addresses.
 */
import { ListcleanError } from '../errors.ts';
import { emailNameTier, normalizeColumnName } from './column-names.ts';
import { looksLikeAddress } from './header.ts';

/** Below this share of addresses among its non-empty values, a column is not the email column. */
const MIN_ADDRESS_SHARE = 0.5;

export interface ColumnSample {
  columns: readonly string[];
  hasHeader: boolean;
  /** Data rows of the sample, header excluded. */
  rows: readonly string[][];
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

export function detectEmailColumn(sample: ColumnSample): number {
  const { columns, hasHeader, rows } = sample;
  const addresses = columns.map((_, column) => countAddresses(rows, column));
  const named = hasHeader ? namedCandidates(columns) : [];
  const withAddresses = named.find((column) => (addresses[column]?.found ?? 0) > 0);
  if (withAddresses !== undefined) return withAddresses;
  const byContent = bestByContent(addresses);
  if (byContent !== null) return byContent;
  // A column called "Email" is the email column even when the sample's values are empty or junk
  // (they become invalid rows); a name that only mentions email needs values to prove it.
  const [first] = named;
  if (first !== undefined && (emailNameTier(columns[first] ?? '') <= 2 || rows.length === 0)) {
    return first;
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

interface AddressCount {
  found: number;
  nonEmpty: number;
}

function countAddresses(rows: readonly string[][], column: number): AddressCount {
  let found = 0;
  let nonEmpty = 0;
  for (const row of rows) {
    const value = row[column]?.trim() ?? '';
    if (value === '') continue;
    nonEmpty += 1;
    if (looksLikeAddress(value)) found += 1;
  }
  return { found, nonEmpty };
}

function bestByContent(counts: readonly AddressCount[]): number | null {
  let best: number | null = null;
  counts.forEach((count, column) => {
    if (count.found === 0 || count.found < count.nonEmpty * MIN_ADDRESS_SHARE) return;
    if (best === null || count.found > (counts[best]?.found ?? 0)) best = column;
  });
  return best;
}

/** Wide exports have hundreds of columns: a message names the first ones. */
const LISTED_COLUMNS = 30;

function listColumns(columns: readonly string[]): string {
  const listed = columns.slice(0, LISTED_COLUMNS).map((name, index) => `${index + 1} "${name}"`);
  const more = columns.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

function describeSample({ columns, hasHeader, rows }: ColumnSample): string {
  if (hasHeader) return `columns: ${listColumns(columns)}`;
  const [first] = rows;
  if (first === undefined) return 'the file has no readable rows';
  const preview = first.slice(0, 5).map((value) => `"${value.slice(0, 40)}"`);
  return `no header row; the first row is ${preview.join(', ')}`;
}
