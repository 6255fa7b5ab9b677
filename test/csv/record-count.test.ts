/**
 * The upload counter and the reader agree on the number of rows for every input — whatever its
 * line ends (LF, CR, CRLF, mixed), quoting, blank lines or chunking — so MAX_UPLOAD_ROWS limits
 * the rows a list really gets (a file with bare CR line ends once slipped 300,000 rows past a
 * 200,000 limit).
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UploadCounter } from '../../src/api/upload/counter.ts';
import { readCsvRows, sniffCsv } from '../../src/csv/index.ts';

async function readerRows(bytes: Buffer, layout: ReturnType<typeof sniffCsv>): Promise<number> {
  let rows = 0;
  for await (const _ of readCsvRows(Readable.from([bytes]), layout)) rows += 1;
  return rows;
}

function counted(bytes: Buffer, layout: ReturnType<typeof sniffCsv>, cuts: number[]): number {
  const counter = new UploadCounter({ maxBytes: 1e12, maxRows: 1e12 });
  let at = 0;
  const pieces = [
    ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ];
  // The first piece arrives before the layout is known, as in an upload.
  counter.add(bytes.subarray(0, pieces[0]));
  at = pieces[0] ?? 0;
  counter.countRowsAs(layout);
  for (const end of pieces.slice(1)) {
    counter.add(bytes.subarray(at, end));
    at = end;
  }
  counter.checkRows(true);
  return counter.rows;
}

const cell = fc.oneof(
  fc.constantFrom(
    '',
    'a@b.test',
    'Ann',
    'x y',
    '"quoted, field"',
    '"two\nlines"',
    '"cr\rinside"',
    'é',
  ),
  fc.stringMatching(/^[a-z@.]{0,8}$/),
);
const lineEnd = fc.constantFrom('\n', '\r', '\r\n');

describe('UploadCounter agrees with the reader', () => {
  it('for any rows, line ends, blank lines and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(cell, { minLength: 1, maxLength: 3 }), lineEnd, fc.boolean()), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.boolean(),
        fc.array(fc.nat(2000), { maxLength: 5 }),
        async (lines, finalBreak, cuts) => {
          let text = 'email,name,note\r\n';
          lines.forEach(([cells, end, blank], i) => {
            text += cells.join(',');
            if (i < lines.length - 1 || finalBreak) text += end;
            if (blank) text += end;
          });
          const bytes = Buffer.from(text, 'utf8');
          let layout: ReturnType<typeof sniffCsv>;
          try {
            layout = sniffCsv(bytes, { column: 'email' });
          } catch {
            // Refused at upload (no addresses in the column, …): nothing is counted then.
            fc.pre(false);
            return;
          }
          expect(counted(bytes, layout, cuts)).toBe(await readerRows(bytes, layout));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops a file with bare CR line ends at MAX_UPLOAD_ROWS', () => {
    const bytes = Buffer.from(
      `email\r${Array.from({ length: 300 }, (_, i) => `u${i}@x.test`).join('\r')}\r`,
    );
    const layout = sniffCsv(bytes);
    const counter = new UploadCounter({ maxBytes: 1e9, maxRows: 200 });
    counter.add(bytes);
    counter.countRowsAs(layout);
    expect(() => counter.checkRows(true)).toThrow(/more than the limit of 200 rows/);
  });

  it('counts UTF-16 and a BOM like the reader', async () => {
    const text = '\uFEFFemail\r\na@x.test\r\nb@x.test\r\n';
    for (const bytes of [Buffer.from(text, 'utf16le'), Buffer.from(text, 'utf8')]) {
      const layout = sniffCsv(bytes);
      expect(counted(bytes, layout, [3])).toBe(2);
      expect(await readerRows(bytes, layout)).toBe(2);
    }
  });
});
