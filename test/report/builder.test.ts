import { access, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  neutraliseCell,
  REPORT_FILES,
  ReportBuilder,
  type ReportInputRow,
  VERDICT_COLUMNS,
  verdictCells,
} from '../../src/report/index.ts';
import { REASONS, STATUSES } from '../../src/verdict/types.ts';
import {
  type BuiltReport,
  buildReport,
  COLUMNS,
  fixtureRows,
  HOSTILE_CELLS,
  makeRow,
  parseCsv,
  removeReport,
  tempDir,
} from './fixtures.ts';

const rows = fixtureRows();
const neutralised = (cells: string[]): string[] => cells.map(neutraliseCell);
const reportCells = (row: ReportInputRow): string[] =>
  neutralised([...row.fields, ...verdictCells(row.result)]);
const body = (text: string): string[][] => parseCsv(text).slice(1);

let report: BuiltReport;
let risky: BuiltReport;

beforeAll(async () => {
  report = await buildReport(rows);
  risky = await buildReport(rows, { includeRisky: true });
});

afterAll(async () => {
  await removeReport(report);
  await removeReport(risky);
});

describe('the fixture', () => {
  it('covers every reason, duplicates and invalid rows', () => {
    const reasons = new Set(rows.map((row) => row.result.reason));
    expect([...reasons].sort()).toEqual([...REASONS].sort());
    expect(rows.filter((row) => row.duplicate).length).toBeGreaterThanOrEqual(3);
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });
});

describe('report.csv', () => {
  it('has the exact header: original columns, then the contract verdict columns', () => {
    const header =
      'email,first_name,last_name,company,phone,fax,note,email_normalized,status,reason,risk_score,role,free,disposable,' +
      'catch_all,suggestion,mx_host,smtp_code,smtp_enhanced_code,checked_at,rule,mx_provider,spf,dmarc,egress,trace\r\n';
    expect(report.text['report.csv'].startsWith(header)).toBe(true);
    expect(parseCsv(report.text['report.csv'])[0]).toEqual([...COLUMNS, ...VERDICT_COLUMNS]);
  });

  it('holds every input row, in input order, original columns intact', () => {
    const records = body(report.text['report.csv']);
    expect(records).toHaveLength(rows.length);
    records.forEach((record, index) => {
      const row = rows[index] as ReportInputRow;
      expect(record.slice(0, COLUMNS.length)).toEqual(neutralised(row.fields));
    });
    // Cells that needed quoting (comma, quote, CR, LF) come back byte for byte.
    expect(records[27]?.[6]).toBe('two\nlines, "quoted", and\r\nCRLF');
  });

  it('writes verdicts as text: booleans true/false, nulls empty', () => {
    const records = body(report.text['report.csv']);
    expect(records.map((record) => record.slice(COLUMNS.length))).toEqual(
      rows.map((row) => neutralised(verdictCells(row.result))),
    );
    const alice = records[0] as string[];
    const cell = (name: string): string | undefined =>
      alice[COLUMNS.length + VERDICT_COLUMNS.indexOf(name as (typeof VERDICT_COLUMNS)[number])];
    expect(cell('status')).toBe('deliverable');
    expect(cell('role')).toBe('false');
    expect(cell('smtp_code')).toBe('250');
    expect(cell('suggestion')).toBe('');
    expect(cell('checked_at')).toBe('2024-05-01T12:00:00.000Z');
    const invalid = records[6] as string[];
    expect(invalid.slice(COLUMNS.length, COLUMNS.length + 3)).toEqual([
      '',
      'undeliverable',
      'invalid_syntax',
    ]);
  });

  it('ends every record with CRLF and has no byte-order mark', () => {
    const text = report.text['report.csv'];
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\r\n')).toBe(true);
  });
});

describe('cleaned.csv', () => {
  it('holds the original columns of the deliverable rows, first occurrence only', () => {
    const records = parseCsv(report.text['cleaned.csv']);
    expect(records[0]).toEqual(COLUMNS);
    const expected = rows
      .filter((row) => row.result.status === 'deliverable' && !row.duplicate)
      .map((row) => neutralised(row.fields));
    expect(records.slice(1)).toEqual(expected);
    const emails = records.slice(1).map((record) => record[0]);
    expect(emails).toContain('Alice@Example.com');
    expect(emails).not.toContain('alice@example.com ');
  });

  it('adds the risky rows with includeRisky', () => {
    const expected = rows
      .filter(
        (row) =>
          (row.result.status === 'deliverable' || row.result.status === 'risky') && !row.duplicate,
      )
      .map((row) => neutralised(row.fields));
    expect(body(risky.text['cleaned.csv'])).toEqual(expected);
    expect(risky.summary.cleaned_rows).toBe(expected.length);
  });
});

describe('bounce-risk.csv', () => {
  it('holds the rows that are not deliverable, highest risk first, ties in input order', () => {
    const records = parseCsv(report.text['bounce-risk.csv']);
    expect(records[0]).toEqual([...COLUMNS, ...VERDICT_COLUMNS]);
    const expected = rows
      .filter((row) => row.result.status !== 'deliverable')
      .sort((a, b) => b.result.risk_score - a.result.risk_score)
      .map(reportCells);
    expect(records.slice(1)).toEqual(expected);
    const scoreAt = COLUMNS.length + VERDICT_COLUMNS.indexOf('risk_score');
    const scores = records.slice(1).map((record) => Number(record[scoreAt]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // Several rows share score 100: their order must be the input order.
    expect(scores.filter((score) => score === 100).length).toBeGreaterThan(3);
  });

  it('leaves no bucket files behind once finished', async () => {
    const names = await readdir(report.dir);
    expect(names.sort()).toEqual([...REPORT_FILES].sort());
  });
});

describe('summary.json', () => {
  it('is the summary finish() returned', () => {
    expect(JSON.parse(report.text['summary.json'])).toEqual(report.summary);
  });

  it('has counts that add up', () => {
    const { summary } = report;
    expect(summary.list).toBe('Spring newsletter');
    expect(summary.rows).toBe(rows.length);
    expect(Object.keys(summary.by_status).sort()).toEqual([...STATUSES].sort());
    expect(Object.keys(summary.by_reason).sort()).toEqual([...REASONS].sort());
    const sum = (counts: Record<string, number>): number =>
      Object.values(counts).reduce((total, count) => total + count, 0);
    expect(sum(summary.by_status)).toBe(rows.length);
    expect(sum(summary.by_reason)).toBe(rows.length);
    expect(summary.invalid_rows).toBe(3);
    expect(summary.duplicates).toBe(4);
    expect(summary.unique_addresses).toBe(rows.length - 3 - 4);
    expect(summary.unique_addresses + summary.duplicates + summary.invalid_rows).toBe(summary.rows);
    expect(summary.by_status.deliverable).toBe(
      rows.filter((row) => row.result.status === 'deliverable').length,
    );
    expect(summary.cleaned_rows).toBe(body(report.text['cleaned.csv']).length);
    expect(summary.timings).toEqual({ ingest_ms: 12, probe_ms: 3400 });
    expect(Number.isNaN(Date.parse(summary.generated_at))).toBe(false);
  });

  it('expects fewer bounces after cleaning, and more with risky rows kept', () => {
    const rate = report.summary.expected_bounce_rate;
    expect(rate.before).toBeGreaterThan(rate.after);
    expect(rate.after).toBe(0.01);
    expect(risky.summary.expected_bounce_rate.after).toBeGreaterThan(rate.after);
    expect(risky.summary.expected_bounce_rate.before).toBe(rate.before);
  });

  it('reports an after-rate of 0 when nothing is kept', async () => {
    const empty = await buildReport([rows[8] as ReportInputRow]);
    try {
      expect(empty.summary.expected_bounce_rate).toEqual({ before: 1, after: 0 });
      expect(parseCsv(empty.text['cleaned.csv'])).toEqual([COLUMNS]);
    } finally {
      await removeReport(empty);
    }
  });
});

describe('formula injection', () => {
  const FORMULA_START = /^[=+\-@\t\r]/;
  const csvFiles = ['report.csv', 'cleaned.csv', 'bounce-risk.csv'] as const;

  for (const name of csvFiles) {
    it(`neutralises every dangerous cell in ${name}`, () => {
      for (const built of [report, risky]) {
        const cells = parseCsv(built.text[name]).flat();
        expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);
      }
      for (const built of [report, risky]) {
        const cells = parseCsv(built.text[name]).flat();
        for (const hostile of HOSTILE_CELLS) expect(cells).toContain(`'${hostile}`);
      }
    });
  }

  it('neutralises our verdict cells too', () => {
    const records = body(report.text['report.csv']);
    const dash = records.find((record) => record[0] === "'-dash@example.com") as string[];
    expect(dash[COLUMNS.length]).toBe("'-dash@example.com");
  });

  it('neutralises hostile column names', async () => {
    const built = await buildReport(
      [makeRow({ email: 'a@b.test', normalized: 'a@b.test', reason: 'no_domain' })],
      {
        columns: ['=cmd|calc', 'b', 'c', 'd', 'e', 'f', 'g'],
      },
    );
    try {
      expect(parseCsv(built.text['report.csv'])[0]?.[0]).toBe("'=cmd|calc");
      expect(parseCsv(built.text['cleaned.csv'])[0]?.[0]).toBe("'=cmd|calc");
      expect(parseCsv(built.text['bounce-risk.csv'])[0]?.[0]).toBe("'=cmd|calc");
    } finally {
      await removeReport(built);
    }
  });
});

/** A builder in a fresh temp dir, removed with everything in it after `use`. */
async function withBuilder(
  use: (builder: ReportBuilder, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await tempDir();
  const builder = new ReportBuilder({
    columns: COLUMNS,
    includeRisky: false,
    listName: 'x',
    tmpDir: dir,
  });
  try {
    await use(builder, dir);
  } finally {
    await builder.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ReportBuilder lifecycle', () => {
  it('pads short rows and refuses rows wider than the header', async () => {
    await withBuilder(async (builder) => {
      const row = makeRow({ email: 'a@b.test', normalized: 'a@b.test', reason: 'accepted' });
      await builder.add({ ...row, fields: ['a@b.test'] });
      await expect(builder.add({ ...row, fields: [...row.fields, 'extra'] })).rejects.toMatchObject(
        {
          code: 'report_row_too_wide',
        },
      );
      const { files } = await builder.finish({});
      expect(body(await readFile(files['cleaned.csv'], 'utf8'))).toEqual([
        ['a@b.test', '', '', '', '', '', ''],
      ]);
    });
  });

  it('refuses rows after finish and removes every file on dispose', async () => {
    const built = await buildReport(rows.slice(0, 3));
    await expect(built.builder.add(rows[0] as ReportInputRow)).rejects.toMatchObject({
      code: 'report_closed',
    });
    await built.builder.dispose();
    for (const path of Object.values(built.files)) {
      await expect(access(path)).rejects.toThrow();
    }
    await removeReport(built);
  });

  it('reports a file that cannot be written, and disposes cleanly after', async () => {
    const dir = await tempDir();
    // report.csv is a link into a directory that does not exist: opening it fails, every time.
    await symlink(join(dir, 'missing', 'report.csv'), join(dir, 'report.csv'));
    const builder = new ReportBuilder({
      columns: COLUMNS,
      includeRisky: false,
      listName: 'x',
      tmpDir: dir,
    });
    try {
      await builder.add(rows[0] as ReportInputRow).catch(() => undefined);
      await expect(builder.finish({})).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await builder.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes every file, buckets included, when disposed before finishing', async () => {
    await withBuilder(async (builder, dir) => {
      for (const row of rows) await builder.add(row);
      // The bucket files open asynchronously; wait until they exist to test their removal.
      await vi.waitFor(async () => {
        const names = await readdir(dir);
        expect(names.some((name) => name.startsWith('.bounce-risk-'))).toBe(true);
      });
      await builder.dispose();
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('keeps input order even when the caller does not await add()', async () => {
    await withBuilder(async (builder) => {
      const many = Array.from({ length: 2000 }, (_, index) =>
        makeRow({
          email: `user${index}@example.com`,
          normalized: `user${index}@example.com`,
          reason: index % 3 === 0 ? 'accepted' : 'catch_all',
          catchAll: index % 3 !== 0,
          note: 'x'.repeat(200),
        }),
      );
      await Promise.all(many.map((row) => builder.add(row)));
      const { files } = await builder.finish({});
      const emails = body(await readFile(files['report.csv'], 'utf8')).map((record) => record[0]);
      expect(emails).toEqual(many.map((row) => row.fields[0]));
      const risk = body(await readFile(files['bounce-risk.csv'], 'utf8')).map((r) => r[0]);
      const riskyEmails = many.filter((row) => row.result.status === 'risky');
      expect(risk).toEqual(riskyEmails.map((row) => row.fields[0]));
    });
  });
});
