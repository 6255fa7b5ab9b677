import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { ReportBuilder, type ReportInputRow, VERDICT_COLUMNS } from '../../src/report/index.ts';
import type { Reason } from '../../src/verdict/types.ts';
import { makeRow, tempDir } from './fixtures.ts';

/** Few columns: the verdict columns are most of each row already, and this test is about size. */
const COLUMNS = ['email', 'name', 'company'];

const ROWS = 200_000;
const REASON_CYCLE: Reason[] = [
  'accepted',
  'accepted',
  'accepted',
  'catch_all',
  'mailbox_not_found',
  'greylisted',
  'disposable',
  'accepted',
  'no_domain',
  'timeout',
];

/** A varied row from a fixed set of verdict templates; every 50th address repeats an earlier one. */
function* generatedRows(): Generator<ReportInputRow> {
  const templates = REASON_CYCLE.map((reason, index) =>
    makeRow({
      email: 'x',
      normalized: `x@domain${index}.test`,
      reason,
      role: index === 7,
      disposable: reason === 'disposable',
      catchAll: reason === 'catch_all',
    }),
  );
  for (let index = 0; index < ROWS; index += 1) {
    const template = templates[index % templates.length] as ReportInputRow;
    const email = `user${index}@domain${index % 1000}.test`;
    yield {
      fields: [email, `User ${index}`, 'ACME, Inc.'],
      result: { ...template.result, email, email_normalized: email },
      duplicate: index % 50 === 49,
    };
  }
}

/** Streams a CSV file back, calling `visit` per record (header excluded); returns the count. */
async function eachRecord(path: string, visit: (record: string[]) => void): Promise<number> {
  let count = 0;
  const parser = createReadStream(path).pipe(parse({ from_line: 2, record_delimiter: '\r\n' }));
  for await (const record of parser) {
    visit(record as string[]);
    count += 1;
  }
  return count;
}

describe('a 200,000-row list', () => {
  it('streams through with the right row counts and order', async () => {
    const dir = await tempDir();
    const builder = new ReportBuilder({
      columns: COLUMNS,
      includeRisky: false,
      listName: 'big',
      tmpDir: dir,
    });
    try {
      let deliverable = 0;
      let cleaned = 0;
      for (const row of generatedRows()) {
        if (row.result.status === 'deliverable') {
          deliverable += 1;
          if (!row.duplicate) cleaned += 1;
        }
        await builder.add(row);
      }
      const { files, summary } = await builder.finish({ aggregate_ms: 1 });

      // One expect per file, not per record: 200,000 expects would dominate the run time.
      let index = 0;
      let firstOutOfOrder = -1;
      const reportRows = await eachRecord(files['report.csv'], (record) => {
        const expected = `user${index}@domain${index % 1000}.test`;
        if (firstOutOfOrder < 0 && record[0] !== expected) firstOutOfOrder = index;
        index += 1;
      });
      expect(reportRows).toBe(ROWS);
      expect(firstOutOfOrder).toBe(-1);
      expect(await eachRecord(files['cleaned.csv'], () => {})).toBe(cleaned);

      const scoreAt = COLUMNS.length + VERDICT_COLUMNS.indexOf('risk_score');
      let previous = 100;
      let sorted = true;
      const riskRows = await eachRecord(files['bounce-risk.csv'], (record) => {
        const score = Number(record[scoreAt]);
        if (score > previous) sorted = false;
        previous = score;
      });
      expect(sorted).toBe(true);
      expect(riskRows).toBe(ROWS - deliverable);

      expect(summary.rows).toBe(ROWS);
      expect(summary.by_status.deliverable).toBe(deliverable);
      expect(summary.duplicates).toBe(ROWS / 50);
      expect(summary.cleaned_rows).toBe(cleaned);
    } finally {
      await builder.dispose();
      await rm(dir, { recursive: true, force: true });
    }
    // About 8 s on an idle 2-core box; the margin is for a loaded CI runner.
  }, 60_000);
});
