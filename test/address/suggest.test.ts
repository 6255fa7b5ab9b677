import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DeletionIndex } from '../../src/address/deletion-index.ts';
import { editDistance } from '../../src/address/edit-distance.ts';
import { isListedMailProvider } from '../../src/address/mail-providers.ts';
import { providerTypoFix } from '../../src/address/suggest.ts';

const require = createRequire(import.meta.url);

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['gmail', 'gmail', 0],
    ['gmial', 'gmail', 1],
    ['gmal', 'gmail', 1],
    ['gmaill', 'gmail', 1],
    ['gnail', 'gmail', 1],
    ['acme', 'me', 2],
    ['ca', 'abc', 3],
    ['', 'abc', 3],
  ])('%s ↔ %s = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('DeletionIndex', () => {
  it('finds exactly the words within one edit', () => {
    const words = ['gmail.com', 'yahoo.com', 'hotmail.com', 'ab', 'ba'];
    const index = new DeletionIndex(words);
    for (const query of ['gmial.com', 'gmail.co', 'gmaill.com', 'yaho.com', 'ab', 'a', 'b', 'x']) {
      const expected = words.filter((word) => editDistance(query, word) <= 1).sort();
      expect(index.near(query).sort()).toEqual(expected);
    }
  });
});

describe('typo catchers in the provider list', () => {
  it('are exactly the reviewed ones (review GENUINE_NEIGHBOURS when this changes)', () => {
    const listed: string[] = require('email-providers/all.json');
    const fixed = listed
      .filter((domain) => isListedMailProvider(domain))
      .filter((domain) => providerTypoFix(domain) !== null)
      .sort();
    expect(fixed).toEqual([
      'gamil.com',
      'gmai.com',
      'gmail.co',
      'gmail.om',
      'gmal.com',
      'gmial.com',
      'homail.com',
      'hotmai.com',
      'hotmail.cm',
      'hotmail.con',
      'hotmails.com',
      'hotmial.com',
      'vahoo.com',
      'yaho.com',
      'yahoo.om',
    ]);
  });
});
