import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldParser } from '../../src/csv/fields.ts';
import { type FramedRecord, RecordFramer } from '../../src/csv/framer.ts';

const LIMITS = { maxRecordBytes: 1024 * 1024, maxQuotedLines: 100 };

function frame(text: string, chunk = text.length || 1, limits = LIMITS): FramedRecord[] {
  const framer = new RecordFramer(',', limits);
  const out: FramedRecord[] = [];
  for (let offset = 0; offset < text.length; offset += chunk) {
    out.push(...framer.push(text.slice(offset, offset + chunk)));
  }
  out.push(...framer.end());
  return out;
}

describe('RecordFramer', () => {
  it('splits on unquoted line breaks only, and drops empty lines', () => {
    expect(frame('a,b\r\n"c\nd",e\n\n"f""\r",g')).toEqual([
      { text: 'a,b', malformed: null },
      { text: '"c\nd",e', malformed: null },
      { text: '"f""\r",g', malformed: null },
    ]);
  });

  it('treats a quote inside a field as text, as csv-parse does with relax_quotes', () => {
    expect(frame('a "b,c\nd"e,"f"g\n').map((record) => record.text)).toEqual([
      'a "b,c',
      'd"e,"f"g',
    ]);
  });

  it('cuts loose a stray quote that would swallow the following lines', () => {
    // Without the framer, csv-parse reads lines 1 to 3 as one record: `"Bob"` closes the quote.
    const text = '"Acme, Inc,a@x.io\nAnn,ann@x.io\n"Bob",bob@x.io\n';
    expect(parse(text, { relax_quotes: true, relax_column_count: true })).toHaveLength(1);
    const records = frame(text);
    expect(records.map((record) => record.text)).toEqual([
      '"Acme, Inc,a@x.io',
      'Ann,ann@x.io',
      '"Bob",bob@x.io',
    ]);
    expect(records[0]?.malformed).toMatch(/closes mid-field on a later line/);
    expect(records.slice(1).every((record) => record.malformed === null)).toBe(true);
  });

  it('gives the same records for any chunking', () => {
    const text = '"a\r\nb""",c\r\n"x"y\r"\r\n"\n,"\r\n';
    const whole = frame(text);
    for (const chunk of [1, 2, 3, 5]) expect(frame(text, chunk)).toEqual(whole);
  });

  it('holds a partial last record back until more text or the end comes', () => {
    const framer = new RecordFramer(',', LIMITS);
    for (let i = 0; i < 1000; i += 1) framer.push('name,ann@example.com\n');
    expect(framer.push('partial,')).toEqual([]);
    expect(framer.end()).toEqual([{ text: 'partial,', malformed: null }]);
  });

  it('agrees with csv-parse on every record it does not give up on', () => {
    const alphabet = fc.constantFrom('a', 'b', ',', '"', '""', '\n', ' ', '\u0000', 'é');
    const text = fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 7 }), (input, chunk) => {
        const framed = frame(input, chunk);
        fc.pre(framed.every((record) => record.malformed === null));
        const parser = new FieldParser(',', LIMITS.maxRecordBytes);
        const ours = parser.parse(framed.map((record) => record.text));
        const theirs = parse(input, {
          relax_quotes: true,
          relax_column_count: true,
          skip_empty_lines: true,
          record_delimiter: '\n',
          bom: false,
        });
        expect(ours.map((record) => (record.malformed === null ? record.fields : null))).toEqual(
          theirs,
        );
      }),
      { numRuns: 3000 },
    );
  });
});
