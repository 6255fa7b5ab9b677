/**
 * `npm run accuracy`: runs the reply corpus through the classifier and writes the figures into
 * docs/ACCURACY.md (between its markers); `--check` only says whether the page is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { accuracyFigures, FIGURES_END, FIGURES_START } from './accuracy-figures.ts';

const PAGE = new URL('../docs/ACCURACY.md', import.meta.url);

const page = readFileSync(PAGE, 'utf8');
const start = page.indexOf(FIGURES_START);
const end = page.indexOf(FIGURES_END);
if (start < 0 || end < start) {
  throw new Error('docs/ACCURACY.md has lost its figure markers; put them back around the figures');
}
const figures = accuracyFigures();
const updated = `${page.slice(0, start + FIGURES_START.length)}\n\n${figures}\n\n${page.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== page) {
    process.stderr.write('docs/ACCURACY.md is out of date: run `npm run accuracy`\n');
    process.exit(1);
  }
  process.stdout.write('docs/ACCURACY.md is current\n');
} else {
  writeFileSync(PAGE, updated);
  process.stdout.write(`${figures}\n`);
}
