/**
 * What `POST /v1/lists/preview` answers. Pure type, no imports: the web console (browser code,
 * src/console) imports it too, so the API and the page share one definition.
 */
export interface Preview {
  format: 'csv' | 'xlsx';
  encoding: string;
  bom: boolean;
  delimiter: string;
  line_ending: string;
  has_header: boolean;
  columns: string[];
  /** 1-based numbers of the columns where at least one sample value in five is an address. */
  address_columns: number[];
  email_column: { number: number; name: string; detected: string } | null;
  /** Why there is no email column (null when there is one): what the upload would answer. */
  email_column_error: { code: string; message: string } | null;
  /** The first data rows (header excluded), as many as `columns`. */
  rows: string[][];
  /** Data rows in the sample (a CSV's first 64 KiB; a workbook's whole first sheet). */
  sample_rows: number;
  /** The sample is only the file's start: the rows beyond it were not looked at. */
  truncated: boolean;
}
