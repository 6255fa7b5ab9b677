/**
 * The page's charts as inline SVG strings: no script, no external reference, readable without
 * JavaScript and printable. Every label is escaped; numbers are formatted by us.
 */
import type { Reason, Status } from '../verdict/types.ts';
import { REASON_STATUS, REASONS, STATUSES } from '../verdict/types.ts';
import { formatCount, formatPercent, ratio } from './format.ts';
import { escapeHtml } from './html-escape.ts';

export const STATUS_COLORS: Readonly<Record<Status, string>> = {
  deliverable: '#2e7d32',
  risky: '#f9a825',
  unknown: '#78909c',
  undeliverable: '#c62828',
};

const EMPTY_COLOR = '#e0e0e0';
const WIDTH = 640;

function svgOpen(height: number, label: string): string {
  return (
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img"` +
    ` aria-label="${escapeHtml(label)}">`
  );
}

function rect(x: number, y: number, width: number, height: number, color: string): string {
  return (
    `<rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${height}"` +
    ` fill="${color}"/>`
  );
}

function text(x: number, y: number, content: string, anchor?: 'end'): string {
  const anchorAttribute = anchor ? ` text-anchor="${anchor}"` : '';
  return `<text x="${x.toFixed(2)}" y="${y}"${anchorAttribute}>${escapeHtml(content)}</text>`;
}

/** One horizontal bar split by status, in the order deliverable, risky, unknown, undeliverable. */
export function statusBar(byStatus: Record<Status, number>): string {
  const height = 36;
  const order: Status[] = ['deliverable', 'risky', 'unknown', 'undeliverable'];
  const total = STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
  const parts = [svgOpen(height, 'Rows by status'), rect(0, 0, WIDTH, height, EMPTY_COLOR)];
  let x = 0;
  for (const status of order) {
    const width = ratio(byStatus[status], total) * WIDTH;
    if (width === 0) continue;
    const title = `${status}: ${formatCount(byStatus[status])} (${formatPercent(width / WIDTH)})`;
    parts.push(
      `<g>${rect(x, 0, width, height, STATUS_COLORS[status])}` +
        `<title>${escapeHtml(title)}</title></g>`,
    );
    x += width;
  }
  parts.push('</svg>');
  return parts.join('');
}

/** One labelled bar per row of `bars`, scaled to the largest value. */
function barChart(
  label: string,
  bars: { label: string; value: number; text: string; color: string }[],
): string {
  const rowHeight = 22;
  const labelWidth = 170;
  const textWidth = 120;
  const barArea = WIDTH - labelWidth - textWidth;
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const parts = [svgOpen(rowHeight * bars.length, label)];
  bars.forEach((bar, index) => {
    const y = index * rowHeight;
    const width = ratio(bar.value, max) * barArea;
    // A zero still gets a sliver of grey, so an empty reason reads as 0 rather than missing.
    const color = bar.value ? bar.color : EMPTY_COLOR;
    parts.push(
      text(labelWidth - 8, y + 15, bar.label, 'end'),
      rect(labelWidth, y + 3, Math.max(width, 1), rowHeight - 6, color),
      text(labelWidth + width + 6, y + 15, bar.text),
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Every reason, zeros included, coloured by the status it belongs to. */
export function reasonChart(byReason: Record<Reason, number>, rows: number): string {
  return barChart(
    'Rows by reason',
    REASONS.map((reason) => ({
      label: reason,
      value: byReason[reason],
      text: `${formatCount(byReason[reason])} · ${formatPercent(ratio(byReason[reason], rows))}`,
      color: STATUS_COLORS[REASON_STATUS[reason]],
    })),
  );
}

export function bounceRateChart(rate: { before: number; after: number }): string {
  return barChart('Expected bounce rate before and after cleaning', [
    {
      label: 'whole list',
      value: rate.before,
      text: formatPercent(rate.before, 2),
      color: STATUS_COLORS.undeliverable,
    },
    {
      label: 'cleaned list',
      value: rate.after,
      text: formatPercent(rate.after, 2),
      color: STATUS_COLORS.deliverable,
    },
  ]);
}
