import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, neutraliseRow } from '../../src/report/index.ts';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];

describe('neutraliseCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.test","x")', '\'=HYPERLINK("http://evil.test","x")'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['\uFF1D1+1', "'\uFF1D1+1"],
    // White space a spreadsheet may trim on import, then a formula.
    [' =1', "' =1"],
    ['\n=1+1', "'\n=1+1"],
    ['  \n @SUM(1)', "'  \n @SUM(1)"],
    ['\u00A0-2+3', "'\u00A0-2+3"],
  ])('prefixes %j with a quote', (value, expected) => {
    expect(neutraliseCell(value)).toBe(expected);
  });

  it.each(['', 'alice@example.com', ' ', "'=1", '1-2', 'a=b', '\nx', ' a=1', '\n\n'])(
    'leaves %j alone',
    (value) => {
      expect(neutraliseCell(value)).toBe(value);
    },
  );

  it('never leaves a formula start and never loses the value', () => {
    const cell = fc.tuple(fc.constantFrom('', ...TRIGGERS), fc.string()).map(([a, b]) => a + b);
    fc.assert(
      fc.property(cell, (value) => {
        const safe = neutraliseCell(value);
        expect(TRIGGERS.includes(safe[0] ?? '')).toBe(false);
        expect(safe === value || safe === `'${value}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('neutraliseRow maps every cell', () => {
    expect(neutraliseRow(['a', '=b', '-c'])).toEqual(['a', "'=b", "'-c"]);
  });
});
