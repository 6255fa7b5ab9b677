/** Real .xlsx workbooks for tests, written by write-excel-file (the author of read-excel-file). */
import writeExcelFile, { type Cell, type SheetData } from 'write-excel-file/node';

export type TestCell = string | number | boolean | Date | null;

function cell(value: TestCell): Cell {
  if (value instanceof Date) {
    const withTime = value.getUTCHours() + value.getUTCMinutes() + value.getUTCSeconds() > 0;
    return { value, type: Date, format: withTime ? 'yyyy-mm-dd hh:mm:ss' : 'yyyy-mm-dd' };
  }
  return value as Cell;
}

/** One workbook; its first sheet is `sheets[0]`. */
export async function makeWorkbook(
  ...sheets: Array<{ name: string; rows: TestCell[][] }>
): Promise<Buffer> {
  const data = sheets.map(({ name, rows }) => ({
    sheet: name,
    data: rows.map((row) => row.map(cell)) as SheetData,
  }));
  const [only] = data;
  const result =
    data.length === 1 && only
      ? writeExcelFile(only.data, { sheet: only.sheet })
      : writeExcelFile(data);
  return Buffer.from(await result.toBuffer());
}
