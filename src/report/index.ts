/** The output files of a cleaned list (DESIGN §4): report, cleaned, bounce-risk, summary, HTML. */
export { BOUNCE_PROBABILITY } from './bounce-probability.ts';
export { ReportBuilder, type ReportOutput } from './builder.ts';
export { reportHeader, VERDICT_COLUMNS, verdictCells } from './columns.ts';
export { CsvFileWriter } from './csv-file-writer.ts';
export { CSV_OPTIONS } from './csv-format.ts';
export { neutraliseCell, neutraliseRow } from './neutralise.ts';
export type { Summary } from './summary.ts';
export {
  REPORT_FILES,
  type ReportFileName,
  type ReportInputRow,
  type ReportOptions,
} from './types.ts';
