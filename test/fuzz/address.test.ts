/**
 * Fuzzing the address parser (issue 13) against the RFC grammar: addresses generated from RFC
 * 5321's Dot-string and LDH domains are taken and normalised to their lower case; one character
 * no unquoted address may hold, put anywhere in one, gets it refused; quoted local parts with
 * any printable ASCII read back to themselves; every accepted address goes through the flag
 * lookups ingest and aggregate run on it; and hostile input of the longest length the parser
 * reads takes it no time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressFlags, parseAddress } from '../../src/address/index.ts';

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) };

const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 12 });
const dotString = fc
  .array(atom, { minLength: 1, maxLength: 4 })
  .map((atoms) => atoms.join('.'))
  .filter((local) => local.length <= 64);

const LDH = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const label = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...LDH), minLength: 1, maxLength: 10 }),
    fc.string({ unit: fc.constantFrom(...`${LDH}-`), maxLength: 8 }),
    fc.string({ unit: fc.constantFrom(...LDH), minLength: 1, maxLength: 4 }),
  )
  .map(([head, middle, tail]) => head + middle + tail)
  // `ab--` labels are IDNA's reserved form; an ASCII `xn--` label must be real punycode.
  .filter((text) => text.slice(2, 4) !== '--');
const tld = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
  minLength: 2,
  maxLength: 6,
});
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, top]) => [...labels, top].join('.'));
const address = fc
  .tuple(dotString, domain)
  .map(([local, host]) => `${local}@${host}`)
  .filter((text) => text.length <= 254);

describe('parseAddress, fuzzed', () => {
  it('takes every RFC 5321 Dot-string address and normalises it to lower case', () => {
    fc.assert(
      fc.property(address, (text) => {
        const parsed = parseAddress(text);
        expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true });
        if (!parsed.ok) return;
        expect(parsed.normalized).toBe(text.toLowerCase());
        // What ingest and aggregate do with every accepted address.
        expect(() => addressFlags(parsed.local, parsed.domain)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('refuses an address with one character no unquoted address may hold, put anywhere', () => {
    const forbidden = fc.constantFrom(
      ' ',
      '"',
      '(',
      ')',
      ',',
      ':',
      ';',
      '<',
      '>',
      '[',
      ']',
      '\\',
      '@',
      '\u0000',
      '\u0007',
      '\r',
      '\n',
      '\u007f',
      '\u200b',
      '\u202e',
    );
    fc.assert(
      fc.property(address, forbidden, fc.nat(), (text, char, at) => {
        // Not at either end: spaces and tabs there are a spreadsheet's padding, trimmed.
        const position = 1 + (at % (text.length - 1));
        const broken = text.slice(0, position) + char + text.slice(position);
        const parsed = parseAddress(broken);
        expect(parsed.ok, `${JSON.stringify(broken)} → ${JSON.stringify(parsed)}`).toBe(false);
      }),
      RUNS,
    );
  });

  it('refuses dots at the ends of the local part and two in a row', () => {
    fc.assert(
      fc.property(
        dotString,
        domain,
        fc.constantFrom('start', 'end', 'double'),
        (local, host, where) => {
          const dotted =
            where === 'start'
              ? `.${local}`
              : where === 'end'
                ? `${local}.`
                : local.replace(/^(.)/, '$1..');
          const parsed = parseAddress(`${dotted}@${host}`);
          expect(parsed).toMatchObject({ ok: false, code: 'invalid_local' });
        },
      ),
      RUNS,
    );
  });

  it('reads any quoted local part of printable ASCII back to itself', () => {
    const qchar = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(qchar, domain, (content, host) => {
        const quoted = `"${content.replace(/[\\"]/g, (c) => `\\${c}`)}"@${host}`;
        const parsed = parseAddress(quoted);
        if (!parsed.ok) {
          // Only a local part over 64 bytes may be refused.
          expect(parsed.code, JSON.stringify(parsed)).toMatch(/too_long/);
          return;
        }
        expect(parseAddress(parsed.normalized)).toEqual(parsed);
      }),
      RUNS,
    );
  });

  it('answers hostile input of the longest length it reads in no time', () => {
    const piece = fc.constantFrom(
      'a',
      '.',
      '"',
      '\\',
      '@',
      '-',
      'é',
      '\u0301',
      'xn--',
      'ß',
      '😀',
      ' ',
    );
    const long = fc
      .array(piece, { minLength: 200, maxLength: 1024 })
      .map((parts) => parts.join('').slice(0, 1024));
    let slowest = 0;
    fc.assert(
      fc.property(long, (text) => {
        const started = performance.now();
        parseAddress(text);
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: Math.min(RUNS.numRuns, 500) },
    );
    expect(slowest).toBeLessThan(50);
  });
});
