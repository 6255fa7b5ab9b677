/** Markdown tables and number formats for the bench output. */

export function table(
  header: string[],
  rows: Array<Array<string | number>>,
  align?: string,
): string {
  const sep = align ?? header.map((_, i) => (i === 0 ? '---' : '---:')).join('|');
  return [
    `| ${header.join(' | ')} |`,
    `|${sep}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const perSecond = (count: number, ms: number): string =>
  Math.round(count / (ms / 1000)).toLocaleString('en-US');
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const percent = (fraction: number): string => `${(fraction * 100).toFixed(0)} %`;
export const verdict = (met: boolean): string => (met ? 'MET' : 'NOT MET');
