/**
 * A sandbox mail world that answers with replies of the reply corpus, so they are exercised
 * over real sockets by `verify` and `clean`: every MX host keeps the corpus row's host name (so
 * provider rules apply), a recipient's local part is its row id, and a reply given before RCPT
 * (banner, EHLO, MAIL FROM) gets a host of its own.
 */
import type { Scenario } from '../../src/sandbox/index.ts';
import { type CorpusRow, judge } from './corpus.ts';

export interface CorpusWorld {
  scenario: Scenario;
  /** The address that gets each row's reply. */
  addresses: Map<string, CorpusRow>;
}

/**
 * Rows whose reply ends a session or fills a transaction (421, "too many recipients") would
 * also stop the rows after them in the same session: they get a domain and host of their own.
 */
function needsOwnHost(row: CorpusRow): boolean {
  const cls = judge(row).classification;
  return row.stage !== 'rcpt' || row.reply.startsWith('421') || cls.retry?.kind === 'transient';
}

export function corpusWorld(rows: readonly CorpusRow[]): CorpusWorld {
  const scenario: Scenario = { domains: {}, hosts: {}, latencyMs: 1 };
  const hosts = scenario.hosts ?? {};
  const addresses = new Map<string, CorpusRow>();
  const shared = new Map<string, string>();
  for (const row of rows) {
    if (needsOwnHost(row)) {
      const host = `${row.id}.${row.mx_host}`;
      const domain = `${row.id}.corpus.test`;
      scenario.domains[domain] = { mx: [{ host }], mailboxes: [] };
      if (row.stage === 'banner') hosts[host] = { greeting: row.reply };
      else if (row.stage === 'helo') hosts[host] = { heloReply: row.reply };
      else if (row.stage === 'mail') hosts[host] = { mailReply: row.reply };
      else scenario.domains[domain] = { mx: [{ host }], replies: { [row.id]: row.reply } };
      addresses.set(`${row.id}@${domain}`, row);
      continue;
    }
    let domain = shared.get(row.mx_host);
    if (!domain) {
      domain = `d${shared.size}.corpus.test`;
      shared.set(row.mx_host, domain);
      scenario.domains[domain] = { mx: [{ host: row.mx_host }], replies: {} };
    }
    const replies = scenario.domains[domain]?.replies;
    if (replies) replies[row.id] = row.reply;
    addresses.set(`${row.id}@${domain}`, row);
  }
  return { scenario, addresses };
}

/** A few dozen rows from every file: every `step`-th row of each. */
export function sampleRows(rows: readonly CorpusRow[], step: number): CorpusRow[] {
  const byFile = new Map<string, CorpusRow[]>();
  for (const row of rows) byFile.set(row.file, [...(byFile.get(row.file) ?? []), row]);
  return [...byFile.values()].flatMap((list) => list.filter((_, i) => i % step === 0));
}
