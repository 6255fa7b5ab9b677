/**
 * The reply corpus (test/fixtures/reply-corpus/*.csv): real SMTP replies from public sources,
 * each with the verdict it should give. Loads it and runs every row through the classifier;
 * the corpus test and `npm run accuracy` (docs/ACCURACY.md) share this.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { classifyReply } from '../../src/classify/classify-reply.ts';
import type { Classification, ReplyStage } from '../../src/classify/types.ts';
import { ReplyParser, type SmtpReply } from '../../src/smtp/reply.ts';
import { REASON_STATUS, type Reason, type Status } from '../../src/verdict/types.ts';

export const CORPUS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/reply-corpus',
);

export interface CorpusRow {
  id: string;
  provider: string;
  mx_host: string;
  stage: ReplyStage;
  /** The reply as sent: one wire line per line. */
  reply: string;
  status: Status;
  reason: Reason;
  about: string;
  source: string;
  note: string;
  /** The file it came from. */
  file: string;
}

const STAGES: readonly ReplyStage[] = ['banner', 'helo', 'mail', 'rcpt'];

export function loadCorpus(dir = CORPUS_DIR): CorpusRow[] {
  const rows: CorpusRow[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const records = parse(readFileSync(path.join(dir, file)), {
      columns: true,
      skip_empty_lines: true,
    }) as Array<Record<string, string>>;
    for (const record of records) {
      const row = { ...record, file } as unknown as CorpusRow;
      if (!STAGES.includes(row.stage)) throw new Error(`${file} ${row.id}: stage ${row.stage}`);
      if (!Object.hasOwn(REASON_STATUS, row.reason)) {
        throw new Error(`${file} ${row.id}: reason ${row.reason}`);
      }
      if (REASON_STATUS[row.reason] !== row.status) {
        throw new Error(`${file} ${row.id}: ${row.reason} is not a reason of ${row.status}`);
      }
      rows.push(row);
    }
  }
  return rows;
}

/** The reply as the SMTP client parses it off the wire. */
export function wireReply(text: string): SmtpReply {
  const wire = `${text.replace(/\r?\n/g, '\r\n')}\r\n`;
  const replies = new ReplyParser().push(wire);
  if (replies.length !== 1 || !replies[0]) {
    throw new Error(`not exactly one SMTP reply: ${JSON.stringify(text)}`);
  }
  return replies[0];
}

export interface Judged {
  row: CorpusRow;
  classification: Classification;
  status: Status;
  reason: Reason;
  /** The verdict says undeliverable (or deliverable) and the corpus says otherwise. */
  costly: 'false_undeliverable' | 'false_deliverable' | null;
}

export function judge(row: CorpusRow): Judged {
  const classification = classifyReply(wireReply(row.reply), {
    stage: row.stage,
    mxHost: row.mx_host,
  });
  const reason = classification.reason;
  const status = REASON_STATUS[reason];
  let costly: Judged['costly'] = null;
  if (status === 'undeliverable' && row.status !== 'undeliverable') costly = 'false_undeliverable';
  if (status === 'deliverable' && row.status !== 'deliverable') costly = 'false_deliverable';
  return { row, classification, status, reason, costly };
}
