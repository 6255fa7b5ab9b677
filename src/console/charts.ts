/**
 * Horizontal bar charts as inline SVG, drawn from summary.json. Each chart is an image with a
 * text alternative that lists every bar, and its bars carry their numbers as text too.
 */
import { h, svg, uid } from './dom.ts';

export interface Bar {
  label: string;
  value: number;
  /** A CSS class for the bar's colour (tone-deliverable, …). */
  tone: string;
}

/** Drawn at this size (14 px text) and scaled down only on narrow screens. */
const WIDTH = 440;
const LABEL = 150;
const VALUE = 70;
const ROW = 28;
/** Longer labels (domains) are cut to fit beside the bars; the text alternative has them whole. */
const LABEL_CHARS = 19;

const shorten = (label: string): string =>
  label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;

export function barChart(title: string, bars: Bar[], format: (n: number) => string): HTMLElement {
  const id = uid('chart');
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const height = bars.length * ROW + 8;
  const area = WIDTH - LABEL - VALUE;
  const description = `${title}: ${bars.map((bar) => `${bar.label} ${format(bar.value)}`).join(', ')}.`;
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: 'img',
      'aria-labelledby': id,
      class: 'chart',
      width: WIDTH,
      height,
      preserveAspectRatio: 'xMinYMin meet',
    },
    svg('title', { id }, description),
    ...bars.map((bar, index) => {
      const y = index * ROW + 4;
      const length = max === 0 ? 0 : Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * area);
      return svg(
        'g',
        {},
        svg(
          'text',
          { x: LABEL - 8, y: y + 18, 'text-anchor': 'end', class: 'chart-label' },
          shorten(bar.label),
        ),
        svg('rect', {
          x: LABEL,
          y: y + 4,
          width: length.toFixed(1),
          height: ROW - 10,
          rx: 3,
          class: `bar ${bar.tone}`,
        }),
        svg('text', { x: LABEL + length + 6, y: y + 18, class: 'chart-value' }, format(bar.value)),
      );
    }),
  );
  return h('figure', { class: 'figure' }, h('figcaption', {}, title), chart);
}
