import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, type ReportInputRow } from '../../src/report/index.ts';
import { buildResult } from '../../src/verdict/result.ts';
import { REASONS } from '../../src/verdict/types.ts';
import { buildReport, CHECKED_AT, COLUMNS, parseCsv, removeReport } from './fixtures.ts';

/** Cells mixing any text with what stresses CSV quoting and formula neutralising. */
const cell = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom(',', '"', '""', '\r\n', '\n', '\r', '\t', '=', '+', '-', '@', "'", ' '),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

const row: fc.Arbitrary<ReportInputRow> = fc
  .record({
    fields: fc.array(cell, { minLength: COLUMNS.length, maxLength: COLUMNS.length }),
    reason: fc.constantFrom(...REASONS),
    duplicate: fc.boolean(),
    role: fc.boolean(),
    local: fc.stringMatching(/^[a-z0-9+=-]{1,8}$/),
  })
  .map(({ fields, reason, duplicate, role, local }) => ({
    fields,
    duplicate,
    result: buildResult({
      email: fields[0] ?? '',
      normalized: reason === 'invalid_syntax' ? null : `${local}@example.test`,
      reason,
      flags: { role, free: false, disposable: false, suggestion: null },
      catchAll: false,
      mxHost: null,
      smtpCode: null,
      smtpEnhancedCode: null,
      detail: null,
      checkedAt: CHECKED_AT,
      rule: null,
    }),
  }));

describe('report files for random rows', () => {
  it('report.csv has one row per input row, cells intact; the other files add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const built = await buildReport(rows);
        try {
          const report = parseCsv(built.text['report.csv']).slice(1);
          expect(report).toHaveLength(rows.length);
          report.forEach((record, index) => {
            expect(record.slice(0, COLUMNS.length)).toEqual(
              rows[index]?.fields.map(neutraliseCell),
            );
          });
          const notDeliverable = rows.filter((r) => r.result.status !== 'deliverable').length;
          expect(parseCsv(built.text['bounce-risk.csv'])).toHaveLength(notDeliverable + 1);
          const kept = rows.filter((r) => !r.duplicate && r.result.status === 'deliverable');
          expect(parseCsv(built.text['cleaned.csv'])).toHaveLength(kept.length + 1);
          expect(built.summary.rows).toBe(rows.length);
        } finally {
          await removeReport(built);
        }
      }),
      { numRuns: 40 },
    );
  });
});
