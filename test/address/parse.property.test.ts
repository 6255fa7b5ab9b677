import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddressParse, parseAddress } from '../../src/address/index.ts';

const RUNS = { numRuns: 2000 };

/** Every UTF-16 code unit, lone surrogates included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Fragments that stress the parser: specials, controls, Unicode look-alikes, IDN pieces. */
const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'Z', 'x', '0', '9', 'john', 'mail', 'com') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '.',
      '..',
      '-',
      '+',
      '_',
      '"',
      '\\',
      '@',
      ' ',
      '\t',
      '\r',
      '\n',
      '\r\n',
      '\u0000',
      '\u007f',
      '\u0085',
      '(',
      ')',
      ',',
      ';',
      ':',
      '<',
      '>',
      '[',
      ']',
      '%61',
      '0x7f',
      '!',
      '#',
      '`',
      '~',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'ü',
      'İ',
      'ß',
      'Σ',
      'ς',
      'é',
      'e\u0301',
      '\u037e',
      '\u212a',
      '\u00a0',
      '\u200b',
      '\ufeff',
      '\u2028',
      '\u3000',
      'ｇ',
      '。',
      '．',
      '１',
      '😀',
      'xn--',
      'xn--bcher-kva',
      '例え',
      '\ud800',
      '\ufffd',
      '\u0130',
      '\u1e9e',
      '\ufe0f',
      'ǅ',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);

const text = (maxLength: number) =>
  fc.array(fragment, { maxLength }).map((parts) => parts.join(''));

/** Addresses assembled from arbitrary pieces, quoted or not, padded or not. */
const assembled = fc
  .tuple(
    fc.constantFrom('', ' ', '\t', ' \t '),
    fc.boolean(),
    text(8),
    fc.constantFrom('@', '@', '@', '', '@@', '"@'),
    text(8),
    fc.constantFrom('', '.com', '.de', '.', ' ', '\t'),
  )
  .map(([pad, quoted, local, at, domain, tail]) => {
    const left = quoted ? `"${local}"` : local;
    return `${pad}${left}${at}${domain}${tail}${pad}`;
  });

const letters = 'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789';
const label = fc
  .array(fc.constantFrom(...letters, '-', 'ü', 'é'), { minLength: 1, maxLength: 20 })
  .map((chars) => chars.join(''));

/** Mostly-valid addresses, so that many are accepted and normalisation gets exercised. */
const plausible = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.array(fc.constantFrom(...letters, ..."!#$%&'*+-/=?^_`{|}~", 'ö', 'İ', '\u212a'), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.constantFrom(...letters, ' ', '"', '\\', '@', '.', ',', 'é'), {
          minLength: 1,
          maxLength: 30,
        }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    fc.boolean(),
    fc.array(label, { minLength: 1, maxLength: 12 }),
    fc.constantFrom('com', 'de', 'co.uk', 'xn--p1ai', 'рф', 'museum', 'COM'),
  )
  .map(([atoms, quoted, labels, tld]) => {
    const local = atoms.map((chars) => chars.join('')).join('.');
    const shown = quoted ? `"${local.replace(/["\\]/g, '\\$&')}"` : local;
    return `${shown}@${labels.join('.')}.${tld}`;
  });

const inputs = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: anyCodeUnit }),
  assembled,
  plausible,
);

function octets(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function checkAccepted(result: AddressParse & { ok: true }): void {
  const { local, domain, normalized } = result;
  expect(normalized).toBe(`${local}@${domain}`);
  // No control character, no invisible formatting character, anywhere.
  expect(normalized).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  // Whitespace only as a plain space inside a quoted local part.
  expect(domain).not.toMatch(/\s/u);
  if (local.startsWith('"')) {
    expect(local).toMatch(/^".*"$/su);
    expect(local).not.toMatch(/[^\S ]/u);
  } else {
    expect(local).not.toMatch(/\s/u);
  }
  expect(domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  expect(octets(local)).toBeLessThanOrEqual(64);
  expect(octets(normalized)).toBeLessThanOrEqual(254);
  expect(domain.length).toBeLessThanOrEqual(253);
}

describe('parseAddress properties', () => {
  it('never throws, and always answers ok or a known code with a message', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const result = parseAddress(input);
        if (!result.ok) {
          expect(typeof result.code).toBe('string');
          expect(result.message).not.toBe('');
          // Messages end up in CSV and HTML reports: they never echo control characters.
          expect(result.message).not.toMatch(/[\p{Cc}]/u);
        }
      }),
      RUNS,
    );
  });

  it('never throws for fc.string() and full-Unicode strings', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        parseAddress(input);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        parseAddress(input);
      }),
      RUNS,
    );
  });

  it('accepts only clean addresses within the RFC 5321 limits', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const result = parseAddress(input);
        if (result.ok) checkAccepted(result);
      }),
      RUNS,
    );
  });

  it('is idempotent: the normalised form parses to itself', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const first = parseAddress(input);
        if (!first.ok) return;
        const second = parseAddress(first.normalized);
        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  it('accepts a good share of the plausible addresses (the properties are not vacuous)', () => {
    const sample = fc.sample(plausible, { numRuns: 1000, seed: 42 });
    const accepted = sample.filter((input) => parseAddress(input).ok).length;
    expect(accepted).toBeGreaterThan(300);
  });

  it('ignores surrounding spaces and tabs', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom(' ', '\t', '  \t'), (input, pad) => {
        expect(parseAddress(`${pad}${input}${pad}`)).toEqual(parseAddress(input));
      }),
      RUNS,
    );
  });
});
