import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from '../../src/storage/index.ts';

describe('attachmentDisposition', () => {
  it('gives a plain ASCII name both ways', () => {
    expect(attachmentDisposition('report.csv')).toBe(
      `attachment; filename="report.csv"; filename*=UTF-8''report.csv`,
    );
  });

  it('keeps the exact name in filename* and a safe ASCII stand-in in filename', () => {
    expect(attachmentDisposition('Kunden März (1).csv')).toBe(
      'attachment; filename="Kunden M_rz (1).csv"; ' +
        "filename*=UTF-8''Kunden%20M%C3%A4rz%20%281%29.csv",
    );
  });

  it('cannot be broken out of: quotes, backslashes, slashes and line breaks are replaced', () => {
    const value = attachmentDisposition('a"b\\c/d\r\nSet-Cookie: x=1.csv');
    expect(value).not.toMatch(/[\r\n]/);
    expect(value).toContain('filename="a_b_c_d__Set-Cookie: x=1.csv"');
  });

  it('survives a lone surrogate', () => {
    expect(attachmentDisposition('x\uD800.csv')).toContain(`filename*=UTF-8''x%EF%BF%BD.csv`);
  });
});
