/**
 * `listclean clean` and files ready to import, as a user runs it: an .xlsx workbook in, CSVs for
 * Excel out (one per status and their zip too), the email column on the progress line; a column
 * without addresses refused with its own code.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeColumn } from '../../src/cli/progress-line.ts';
import { REPORT_FILES } from '../../src/report/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';

let world: SandboxWorld;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld({
    domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['anna', 'ben'] } },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-cli-ready-'));
  env = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: `lctest-cli-ready-${process.pid}`,
    STORAGE_URL: `file:${path.join(dir, 'storage')}`,
    GREYLIST_RETRY_DELAYS: '100ms',
  };
});

afterAll(async () => {
  await world?.close();
  if (env) await deleteTestPrefix(env.REDIS_PREFIX ?? 'none');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the progress line', () => {
  it('names the email column and how it was chosen', () => {
    expect(describeColumn(null)).toBe('');
    expect(describeColumn({ name: 'E-mail', number: 3, detected: 'header' })).toBe(
      'email column 3 "E-mail" (by its header)',
    );
    expect(describeColumn({ name: 'column_1', number: 1, detected: 'content' })).toBe(
      'email column 1 "column_1" (by its values)',
    );
    expect(describeColumn({ name: 'Mail', number: 2, detected: 'given' })).toBe(
      'email column 2 "Mail" (as given)',
    );
  });
});

describe('listclean clean', () => {
  it('cleans an .xlsx workbook into CSVs for Excel, naming the column it read', async () => {
    const file = path.join(dir, 'Kontakte.xlsx');
    await writeFile(
      file,
      await makeWorkbook({
        name: 'Liste',
        rows: [
          ['Name', 'E-mail'],
          ['Änne', ' anna@acme.test '],
          ['Ghost', 'ghost@acme.test'],
          ['Ben', 'ben@acme.test'],
        ],
      }),
    );
    const out = path.join(dir, 'out-xlsx');
    const run = await runCli(['clean', file, '--out', out], { env, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/; email column 2 "E-mail" \(by its header\)\n/);
    expect((await readdir(out)).sort()).toEqual([...REPORT_FILES].sort());
    expect(await readFile(path.join(out, 'cleaned.csv'), 'utf8')).toBe(
      '\ufeffName,E-mail\r\nÄnne,anna@acme.test\r\nBen,ben@acme.test\r\n',
    );
    expect(await readFile(path.join(out, 'undeliverable.csv'), 'utf8')).toBe(
      '\ufeffName,E-mail\r\nGhost,ghost@acme.test\r\n',
    );
    const zip = unzipSync(await readFile(path.join(out, 'by-status.zip')));
    expect(Object.keys(zip).sort()).toEqual([
      'deliverable.csv',
      'risky.csv',
      'undeliverable.csv',
      'unknown.csv',
    ]);
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.column).toEqual({ name: 'E-mail', number: 2, detected: 'header' });
  }, 90_000);

  it('refuses --column on a column without addresses, listing the one with', async () => {
    const file = path.join(dir, 'notes.csv');
    await writeFile(
      file,
      'Name,Email,Notes\nAnna,anna@acme.test,call back\nBen,ben@acme.test,VIP\n',
    );
    const run = await runCli(['clean', file, '--column', 'Notes'], { env, timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1) ?? '';
    expect(last).toContain('Column 3 "Notes" holds almost no email addresses');
    expect(last).toContain('Columns that look like they hold addresses: 2 "Email".');
    expect(last).toMatch(/\[column_has_no_addresses\]$/);
  }, 90_000);
});
