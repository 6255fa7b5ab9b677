/** Handmade rows for the report tests: every reason, duplicates, invalid rows, hostile cells. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  REPORT_FILES,
  ReportBuilder,
  type ReportFileName,
  type ReportInputRow,
  type ReportOptions,
  type Summary,
} from '../../src/report/index.ts';
import { buildResult } from '../../src/verdict/result.ts';
import type { Reason } from '../../src/verdict/types.ts';

export const COLUMNS = ['email', 'first_name', 'last_name', 'company', 'phone', 'fax', 'note'];

/** A spreadsheet's worst cells, one per column after the email (DESIGN §4, OWASP). */
export const HOSTILE_CELLS = [
  '=HYPERLINK("http://evil.test","click")',
  '@SUM(A1:A9)',
  '\tx',
  '+1',
  '-2',
  '\rx',
];

export const CHECKED_AT = new Date('2024-05-01T12:00:00.000Z');

interface Spec {
  email: string;
  normalized: string | null;
  reason: Reason;
  duplicate?: boolean;
  name?: string;
  note?: string;
  /** Fill every column after the email with HOSTILE_CELLS. */
  hostile?: boolean;
  role?: boolean;
  free?: boolean;
  disposable?: boolean;
  suggestion?: string;
  catchAll?: boolean;
  smtp?: [number, string];
}

export function makeRow(spec: Spec): ReportInputRow {
  const result = buildResult({
    email: spec.email,
    normalized: spec.normalized,
    reason: spec.reason,
    flags: {
      role: spec.role ?? false,
      free: spec.free ?? false,
      disposable: spec.disposable ?? false,
      suggestion: spec.suggestion ?? null,
    },
    catchAll: spec.catchAll ?? false,
    mxHost: spec.normalized ? `mx.${spec.normalized.split('@')[1]}` : null,
    smtpCode: spec.smtp?.[0] ?? null,
    smtpEnhancedCode: spec.smtp?.[1] || null,
    detail: null,
    checkedAt: CHECKED_AT,
    rule: `test-${spec.reason}`,
  });
  return {
    fields: spec.hostile
      ? [spec.email, ...HOSTILE_CELLS]
      : [spec.email, spec.name ?? '', '', '', '', '', spec.note ?? ''],
    result,
    duplicate: spec.duplicate ?? false,
  };
}

export const HOSTILE_DOMAIN = 'evil<script>alert(1)</script>.test';

const SPECS: Spec[] = [
  {
    email: 'Alice@Example.com',
    normalized: 'alice@example.com',
    reason: 'accepted',
    name: 'Alice',
    smtp: [250, '2.1.5'],
  },
  { email: 'bob@example.com', normalized: 'bob@example.com', reason: 'accepted', hostile: true },
  {
    email: 'carol@gmail.com',
    normalized: 'carol@gmail.com',
    reason: 'accepted',
    free: true,
    note: '+1',
  },
  { email: 'info@example.com', normalized: 'info@example.com', reason: 'accepted', role: true },
  {
    email: 'dave@gmial.com',
    normalized: 'dave@gmial.com',
    reason: 'accepted',
    suggestion: 'dave@gmail.com',
  },
  {
    email: 'alice@example.com ',
    normalized: 'alice@example.com',
    reason: 'accepted',
    duplicate: true,
    name: 'Alice again',
  },
  { email: 'not an email', normalized: null, reason: 'invalid_syntax', name: 'Nobody' },
  { email: '', normalized: null, reason: 'invalid_syntax', note: 'no address at all' },
  { email: 'eve@nxdomain.test', normalized: 'eve@nxdomain.test', reason: 'no_domain' },
  { email: 'frank@nullmx.test', normalized: 'frank@nullmx.test', reason: 'no_mail_server' },
  {
    email: 'gina@example.com',
    normalized: 'gina@example.com',
    reason: 'mailbox_not_found',
    note: '-2',
    smtp: [550, '5.1.1'],
  },
  {
    email: 'hank@example.com',
    normalized: 'hank@example.com',
    reason: 'mailbox_disabled',
    smtp: [550, '5.2.1'],
    hostile: true,
  },
  {
    email: 'ivan@catchall.test',
    normalized: 'ivan@catchall.test',
    reason: 'catch_all',
    catchAll: true,
    hostile: true,
  },
  {
    email: 'judy@full.test',
    normalized: 'judy@full.test',
    reason: 'mailbox_full',
    smtp: [452, '4.2.2'],
  },
  {
    email: 'kim@mailinator.com',
    normalized: 'kim@mailinator.com',
    reason: 'disposable',
    disposable: true,
  },
  {
    email: 'leo@grey.test',
    normalized: 'leo@grey.test',
    reason: 'greylisted',
    smtp: [450, '4.7.1'],
  },
  {
    email: 'mia@blocked.test',
    normalized: 'mia@blocked.test',
    reason: 'blocked',
    smtp: [554, '5.7.1'],
  },
  { email: 'ned@slow.test', normalized: 'ned@slow.test', reason: 'timeout' },
  { email: 'olga@down.test', normalized: 'olga@down.test', reason: 'connection_failed' },
  { email: 'pat@private.test', normalized: 'pat@private.test', reason: 'mx_not_public' },
  {
    email: 'quinn@temp.test',
    normalized: 'quinn@temp.test',
    reason: 'temporary_failure',
    smtp: [451, '4.3.0'],
  },
  { email: 'rob@garbled.test', normalized: 'rob@garbled.test', reason: 'protocol_error' },
  {
    email: 'GINA@example.com',
    normalized: 'gina@example.com',
    reason: 'mailbox_not_found',
    duplicate: true,
  },
  {
    email: 'ivan@catchall.test',
    normalized: 'ivan@catchall.test',
    reason: 'catch_all',
    catchAll: true,
    duplicate: true,
  },
  {
    email: 'sam@catchall.test',
    normalized: 'sam@catchall.test',
    reason: 'catch_all',
    catchAll: true,
    name: '\tx',
  },
  { email: 'tom@example.com', normalized: 'tom@example.com', reason: 'accepted', name: '\rx' },
  {
    email: `uma@${HOSTILE_DOMAIN}`,
    normalized: `uma@${HOSTILE_DOMAIN}`,
    reason: 'mailbox_not_found',
    name: '<script>alert("x")</script>',
  },
  {
    email: 'vic@example.com',
    normalized: 'vic@example.com',
    reason: 'accepted',
    note: 'two\nlines, "quoted", and\r\nCRLF',
  },
  { email: 'wendy@grey.test', normalized: 'wendy@grey.test', reason: 'greylisted' },
  { email: 'xavier@full.test', normalized: 'xavier@full.test', reason: 'mailbox_full', role: true },
  { email: '-dash@example.com', normalized: '-dash@example.com', reason: 'accepted' },
  {
    email: 'carol@gmail.com',
    normalized: 'carol@gmail.com',
    reason: 'accepted',
    free: true,
    duplicate: true,
  },
  { email: 'bad@@x', normalized: null, reason: 'invalid_syntax' },
  {
    email: 'ruth@bare550.test',
    normalized: 'ruth@bare550.test',
    reason: 'rejected',
    smtp: [550, ''],
  },
];

export function fixtureRows(): ReportInputRow[] {
  return SPECS.map(makeRow);
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'listclean-report-'));
}

export interface BuiltReport {
  dir: string;
  files: Record<ReportFileName, string>;
  text: Record<ReportFileName, string>;
  summary: Summary;
  builder: ReportBuilder;
}

export async function buildReport(
  rows: ReportInputRow[],
  options: Partial<ReportOptions> = {},
): Promise<BuiltReport> {
  const dir = await tempDir();
  const builder = new ReportBuilder({
    columns: COLUMNS,
    includeRisky: false,
    listName: 'Spring newsletter',
    tmpDir: dir,
    ...options,
  });
  for (const row of rows) await builder.add(row);
  const { files, summary } = await builder.finish({ ingest_ms: 12, probe_ms: 3400 });
  const entries = await Promise.all(
    REPORT_FILES.map(async (name) => [name, await readFile(files[name], 'utf8')] as const),
  );
  const text = Object.fromEntries(entries) as Record<ReportFileName, string>;
  return { dir, files, text, summary, builder };
}

export async function removeReport(report: BuiltReport): Promise<void> {
  await report.builder.dispose();
  await rm(report.dir, { recursive: true, force: true });
}

/** Parses our CSV dialect strictly: CRLF record ends, every record the header's width. */
export function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: '\r\n', relax_quotes: false }) as string[][];
}
