/** The first records of a sample, read with exactly the rules `readCsvRows` applies to the file. */
import { FieldParser } from './fields.ts';
import { RecordFramer } from './framer.ts';
import { type CsvDelimiter, DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_QUOTED_LINES } from './types.ts';

/** A record's fields, or null for a record that could not be parsed. */
export type SampleRecord = string[] | null;

/**
 * `complete`: the text is the whole file. Otherwise its last record may be cut short, and it is
 * left out rather than judged.
 */
export function sampleRecords(
  text: string,
  delimiter: CsvDelimiter,
  complete: boolean,
): SampleRecord[] {
  const framer = new RecordFramer(delimiter, {
    maxRecordBytes: DEFAULT_MAX_FIELD_BYTES,
    maxQuotedLines: DEFAULT_MAX_QUOTED_LINES,
  });
  const framed = framer.push(text);
  // A first line longer than the sample: judge what there is rather than nothing.
  if (complete || framed.length === 0) framed.push(...framer.end());
  const parser = new FieldParser(delimiter, DEFAULT_MAX_FIELD_BYTES);
  const texts: string[] = [];
  for (const record of framed) if (record.malformed === null) texts.push(record.text);
  const parsed = parser.parse(texts);
  let next = 0;
  return framed.map((record) => {
    if (record.malformed !== null) return null;
    const result = parsed[next++];
    return result && result.malformed === null ? result.fields : null;
  });
}
