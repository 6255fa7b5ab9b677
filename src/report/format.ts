/** Number formatting for the HTML page: fixed locale, so the page does not depend on the host. */
const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** 0.1234 → `12.3%` (`12.34%` with two digits). */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** part / whole, 0 when whole is 0. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
