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

/** A share with up to two decimals: 0.8 → "80 %", 0.005 → "0.5 %". */
export const share = (fraction: number): string => `${Number((fraction * 100).toFixed(2))} %`;

/** A latency or other millisecond setting: 20 → "20 ms". */
export const ms = (milliseconds: number): string => `${milliseconds} ms`;

/** A duration setting as prose: "1s" → "1 s", "200ms" → "200 ms". */
export const duration = (setting: string): string =>
  setting.replace(/^(\d+(?:\.\d+)?)\s*([a-z]+)$/i, '$1 $2');

/** A whole number of seconds in the largest unit that divides it: 86400 → "24 h". */
export function span(totalSeconds: number): string {
  if (totalSeconds > 0 && totalSeconds % 3600 === 0) return `${totalSeconds / 3600} h`;
  if (totalSeconds > 0 && totalSeconds % 60 === 0) return `${totalSeconds / 60} min`;
  return `${totalSeconds} s`;
}

/** 1 → "1st", 2 → "2nd", 3 → "3rd", 11 → "11th", 20 → "20th", 22 → "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Small counts as words ("two processes"), 10 and more as digits. */
export const cardinal = (n: number): string => WORDS[n] ?? int(n);

/** "a", "a and b", "a, b and c". */
export function and(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
