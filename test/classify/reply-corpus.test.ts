/**
 * Every reply of the corpus (and of the held-out set) through the classifier: no false
 * `deliverable`, no false `undeliverable` — the two errors that cost a customer a contact or a
 * bounce. docs/ACCURACY.md must show the figures of the code as it is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracyFigures,
  FIGURES_END,
  FIGURES_START,
  HOLDOUT_DIR,
} from '../../bench/accuracy-figures.ts';
import { bundledReplyRules } from '../../src/classify/reply-rules.ts';
import { judge, loadCorpus } from './corpus.ts';

const corpus = loadCorpus();
const holdout = loadCorpus(HOLDOUT_DIR);

describe('the reply corpus', () => {
  it('holds at least 250 real replies, each with its public source, ids unique', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    const ids = [...corpus, ...holdout].map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const row of [...corpus, ...holdout]) {
      // A URL, a repository file, or an exact string that finds the file in the code index.
      expect(row.source, row.id).toMatch(
        /^(https?:\/\/|github:)\S+|\bfile id \d+|^(text index|code search): \S|find_string "/,
      );
    }
  });

  it.each([
    ['corpus', corpus],
    ['held-out set', holdout],
  ])('the %s has no false deliverable and no false undeliverable', (_, rows) => {
    const costly = rows
      .map(judge)
      .filter((j) => j.costly !== null)
      .map(
        (j) => `${j.row.id} ${j.costly}: ${j.row.reply} → ${j.reason} (${j.classification.rule})`,
      );
    expect(costly).toEqual([]);
  });

  it('covers the providers and MTAs the reply rules speak for', () => {
    const providers = new Set(corpus.map((row) => row.provider));
    for (const name of [
      'gmail',
      'microsoft',
      'yahoo',
      'aol',
      'icloud',
      'gmx',
      'webde',
      'yandex',
      'mailru',
      'orange',
      'comcast',
      'zoho',
      'proofpoint',
      'mimecast',
      'barracuda',
      'postfix',
      'exim',
      'sendmail',
      'qmail',
      'exchange',
    ]) {
      expect(providers, name).toContain(name);
    }
  });

  it('docs/ACCURACY.md shows the figures of the code as it is (npm run accuracy)', () => {
    const page = readFileSync(new URL('../../docs/ACCURACY.md', import.meta.url), 'utf8');
    const start = page.indexOf(FIGURES_START) + FIGURES_START.length;
    const end = page.indexOf(FIGURES_END);
    expect(page.slice(start, end).trim()).toBe(accuracyFigures().trim());
  });

  it('every rule of reply-rules.yaml is reached by a corpus reply or named as unreached', () => {
    const reached = new Set([...corpus, ...holdout].map((row) => judge(row).classification.rule));
    const unreached = bundledReplyRules()
      .rules.map((rule) => rule.id)
      .filter((id) => !reached.has(id));
    // Unreached rules are listed in docs/ACCURACY.md; keep them few and deliberate.
    expect(unreached.length).toBeLessThanOrEqual(5);
  });
});
