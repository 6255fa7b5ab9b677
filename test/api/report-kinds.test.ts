import { describe, expect, it } from 'vitest';
import {
  downloadName,
  REPORT_KIND_NAMES,
  REPORT_KINDS,
  requireReportKind,
} from '../../src/api/report-kinds.ts';
import { attachmentDisposition } from '../../src/storage/index.ts';

describe('report kinds', () => {
  it('names downloads after the list, the hygiene run if any, and the report file', () => {
    const changes = requireReportKind('changes');
    expect(downloadName('Kunden.csv', requireReportKind('cleaned'))).toBe('Kunden-cleaned.csv');
    expect(downloadName('Kunden.CSV', changes, 'nightly-3')).toBe('Kunden-nightly-3-changes.csv');
    expect(downloadName('', requireReportKind('summary'))).toBe('list-summary.json');
    expect(downloadName('.csv', changes, 'r1')).toBe('-r1-changes.csv');
    expect(downloadName('Kontakte.xlsx', requireReportKind('deliverable'))).toBe(
      'Kontakte-deliverable.csv',
    );
  });

  it('gives every download the extension of what it is', () => {
    const names = Object.fromEntries(
      REPORT_KIND_NAMES.map((kind) => [kind, downloadName('Kunden.csv', requireReportKind(kind))]),
    );
    expect(names).toEqual({
      cleaned: 'Kunden-cleaned.csv',
      report: 'Kunden-report.csv',
      'bounce-risk': 'Kunden-bounce-risk.csv',
      summary: 'Kunden-summary.json',
      html: 'Kunden-report.html',
      changes: 'Kunden-changes.csv',
      deliverable: 'Kunden-deliverable.csv',
      risky: 'Kunden-risky.csv',
      undeliverable: 'Kunden-undeliverable.csv',
      unknown: 'Kunden-unknown.csv',
      zip: 'Kunden-by-status.zip',
    });
    expect(REPORT_KINDS.zip).toMatchObject({ contentType: 'application/zip', attachment: true });
  });

  it('names inline downloads too, so curl -OJ keeps the extension', () => {
    expect(attachmentDisposition('Kunden-summary.json', 'inline')).toBe(
      `inline; filename="Kunden-summary.json"; filename*=UTF-8''Kunden-summary.json`,
    );
    expect(attachmentDisposition('a"b/c.csv')).toMatch(/^attachment; filename="a_b_c\.csv"; /);
  });

  it('answers an unknown kind with a 404 that names the kinds there are', () => {
    expect(requireReportKind('report')).toBe(REPORT_KINDS.report);
    expect(() => requireReportKind('toString')).toThrow(
      expect.objectContaining({ statusCode: 404, code: 'unknown_report' }),
    );
    expect(() => requireReportKind('nope')).toThrow(/the reports are cleaned, report/);
    expect(() => requireReportKind('nope')).toThrow(
      /deliverable, risky, undeliverable, unknown, zip/,
    );
  });
});
