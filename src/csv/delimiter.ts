/**
 * Picks the delimiter that splits the first records most consistently into more than one field,
 * quotes respected. When none does, the file is a single column (a bare list of addresses) and
 * the delimiter is a comma, which such a file never contains.
 */
import { type SampleRecord, sampleRecords } from './sample.ts';
import { type CsvDelimiter, DELIMITERS } from './types.ts';

/** Enough rows to see a pattern; a ragged tail further down must not outvote the head. */
const SNIFF_RECORDS = 100;
/** Consistency differences this small are ragged rows, not a sign of the wrong delimiter. */
const CONSISTENCY_TOLERANCE = 0.1;

interface Candidate {
  delimiter: CsvDelimiter;
  /** The most common field count. */
  width: number;
  /** Share of records that have that count. */
  consistency: number;
}

export interface DelimiterChoice {
  delimiter: CsvDelimiter;
  /** The sample's records as that delimiter splits them. */
  records: SampleRecord[];
}

export function sniffDelimiter(text: string, complete: boolean): DelimiterChoice {
  let best: (Candidate & DelimiterChoice) | null = null;
  let commas: SampleRecord[] = [];
  for (const delimiter of DELIMITERS) {
    const records = sampleRecords(text, delimiter, complete);
    if (delimiter === ',') commas = records;
    const candidate = measure(delimiter, records.slice(0, SNIFF_RECORDS));
    if (candidate.width > 1 && (best === null || isBetter(candidate, best))) {
      best = { ...candidate, records };
    }
  }
  return best ?? { delimiter: ',', records: commas };
}

function measure(delimiter: CsvDelimiter, records: SampleRecord[]): Candidate {
  const counts = new Map<number, number>();
  let total = 0;
  for (const record of records) {
    if (record === null) continue;
    counts.set(record.length, (counts.get(record.length) ?? 0) + 1);
    total += 1;
  }
  let width = 0;
  let hits = 0;
  for (const [count, seen] of counts) {
    if (seen > hits || (seen === hits && count > width)) {
      width = count;
      hits = seen;
    }
  }
  return { delimiter, width, consistency: total === 0 ? 0 : hits / total };
}

/**
 * Clearly more consistent wins. Nearly as consistent and wider wins too: a few ragged rows in a
 * five-column comma file must not lose to a notes column that happens to hold one `;` per row.
 * Full ties keep the earlier, more common delimiter.
 */
function isBetter(candidate: Candidate, best: Candidate): boolean {
  const gap = candidate.consistency - best.consistency;
  if (Math.abs(gap) > CONSISTENCY_TOLERANCE) return gap > 0;
  if (candidate.width !== best.width) return candidate.width > best.width;
  return gap > 0;
}
