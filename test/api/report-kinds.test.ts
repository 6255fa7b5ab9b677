import { describe, expect, it } from 'vitest';
import { downloadName, REPORT_KINDS, requireReportKind } from '../../src/api/report-kinds.ts';

describe('report kinds', () => {
  it('names downloads after the list, the hygiene run if any, and the report', () => {
    const changes = requireReportKind('changes');
    expect(downloadName('Kunden.csv', 'cleaned', requireReportKind('cleaned'))).toBe(
      'Kunden-cleaned.csv',
    );
    expect(downloadName('Kunden.CSV', 'changes', changes, 'nightly-3')).toBe(
      'Kunden-nightly-3-changes.csv',
    );
    expect(downloadName('', 'summary', requireReportKind('summary'))).toBe('list-summary.json');
    expect(downloadName('.csv', 'changes', changes, 'r1')).toBe('-r1-changes.csv');
  });

  it('answers an unknown kind with a 404 that names the kinds there are', () => {
    expect(requireReportKind('report')).toBe(REPORT_KINDS.report);
    expect(() => requireReportKind('toString')).toThrow(
      expect.objectContaining({ statusCode: 404, code: 'unknown_report' }),
    );
    expect(() => requireReportKind('nope')).toThrow(/the reports are cleaned, report/);
  });
});
