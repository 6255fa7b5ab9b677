/** Streaming CSV input: layout sniffing and row reading shared by the ingest and aggregate jobs. */
export { readCsvRows, wholeFileColumns } from './read.ts';
export { RecordCounter } from './record-count.ts';
export { type SniffedTable, type SniffOptions, sniffCsv, sniffTable } from './sniff.ts';
export {
  type CsvDelimiter,
  type CsvEncoding,
  type CsvLayout,
  type CsvRow,
  DEFAULT_MAX_FIELD_BYTES,
  type EmailColumnSource,
  type LineEnding,
  type ReadCsvOptions,
  SNIFF_SAMPLE_BYTES,
} from './types.ts';
