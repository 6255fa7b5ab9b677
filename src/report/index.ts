/**
 * The output files of a cleaned list (DESIGN §4): report, cleaned, bounce-risk, summary, HTML,
 * one file per status and their zip.
 */
export { BOUNCE_PROBABILITY } from './bounce-probability.ts';
export { ReportBuilder, type ReportOutput } from './builder.ts';
export { reportHeader, VERDICT_COLUMNS, verdictCells } from './columns.ts';
export { CsvFileWriter } from './csv-file-writer.ts';
export {
  CSV_OPTIONS,
  type CsvFormat,
  csvFormatFor,
  DEFAULT_CSV_FORMAT,
} from './csv-format.ts';
export { neutraliseCell, neutraliseRow } from './neutralise.ts';
export type { Summary } from './summary.ts';
export {
  type EmailColumnInfo,
  REPORT_FILES,
  type ReportFileName,
  type ReportInputRow,
  type ReportOptions,
  STATUS_FILES,
  STATUS_ZIP,
} from './types.ts';
