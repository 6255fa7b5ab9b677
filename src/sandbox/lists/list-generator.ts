/**
 * Generated lists with their ground truth: a scenario for the sandbox world and rows of
 * addresses whose expected verdict follows from it. Tests compare the pipeline's reports with
 * the truth; the benchmark uses the same generator at larger sizes. Deterministic per seed.
 */
import type { Reason } from '../../verdict/types.ts';
import type { Scenario, ScenarioDomain, ScenarioHost } from '../scenario/scenario.ts';

export interface GeneratedRow {
  email: string;
  /** The verdict reason the sandbox's behaviour implies. */
  expected: Reason;
}

export interface GeneratedList {
  scenario: Scenario;
  rows: GeneratedRow[];
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DomainKind {
  name: string;
  domain: ScenarioDomain;
  host?: ScenarioHost;
  /** Expected reason for an address that exists there / one that does not. */
  exists: Reason;
  missing: Reason;
}

/** One domain of each special kind: every verdict of DESIGN §3 appears in a mixed list. */
function specialKinds(): DomainKind[] {
  const mx = (name: string) => [{ host: `mx.${name}` }];
  return [
    {
      name: 'catchall.test',
      domain: { mx: mx('catchall.test'), catchAll: true },
      exists: 'catch_all',
      missing: 'catch_all',
    },
    {
      name: 'nullmx.test',
      domain: { nullMx: true },
      exists: 'no_mail_server',
      missing: 'no_mail_server',
    },
    { name: 'nomx.test', domain: {}, exists: 'no_mail_server', missing: 'no_mail_server' },
    {
      name: 'mailinator.com',
      domain: { mx: mx('mailinator.com'), catchAll: true },
      exists: 'disposable',
      missing: 'disposable',
    },
    {
      name: 'greyforever.test',
      domain: { mx: mx('greyforever.test'), greylist: { tries: -1 } },
      exists: 'greylisted',
      missing: 'greylisted',
    },
    {
      name: 'policy.test',
      domain: { mx: mx('policy.test'), policyBlock: true },
      exists: 'blocked',
      missing: 'blocked',
    },
    {
      name: 'listed.test',
      domain: { mx: mx('listed.test') },
      host: { blockSender: true },
      exists: 'blocked',
      missing: 'blocked',
    },
    {
      name: 'tarpit.test',
      domain: { mx: mx('tarpit.test') },
      host: { behavior: 'tarpit' },
      exists: 'timeout',
      missing: 'timeout',
    },
    {
      name: 'refused.test',
      domain: { mx: mx('refused.test') },
      host: { behavior: 'refuse' },
      exists: 'connection_failed',
      missing: 'connection_failed',
    },
    {
      name: 'garbage.test',
      domain: { mx: mx('garbage.test') },
      host: { behavior: 'garbage' },
      exists: 'protocol_error',
      missing: 'protocol_error',
    },
    {
      name: 'dropper.test',
      domain: { mx: mx('dropper.test') },
      host: { behavior: 'drop-mid-session' },
      exists: 'connection_failed',
      missing: 'connection_failed',
    },
    {
      name: 'busy.test',
      domain: { mx: mx('busy.test'), unknownReply: '452 4.3.1 Insufficient system resources' },
      exists: 'accepted',
      missing: 'temporary_failure',
    },
    {
      // Microsoft's directory-based edge blocking means "no such user" only at its own MX.
      name: 'm365.test',
      domain: {
        mx: [{ host: 'm365-test.mail.protection.outlook.com' }],
        unknownReply: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
      },
      exists: 'accepted',
      missing: 'mailbox_not_found',
    },
    {
      // RFC 5321's generic text names no cause: a refusal, not evidence the mailbox is gone.
      name: 'bare550.test',
      domain: {
        mx: mx('bare550.test'),
        unknownReply: '550 Requested action not taken: mailbox unavailable',
      },
      exists: 'accepted',
      missing: 'rejected',
    },
    {
      name: 'intranet.test',
      domain: { a: ['10.1.2.3'] },
      exists: 'mx_not_public',
      missing: 'mx_not_public',
    },
  ];
}

export interface GenerateOptions {
  rows: number;
  /** Ordinary domains (mailboxes; some disabled/full) besides the special ones. */
  domains: number;
  seed?: number;
  /** Include the special domains (every verdict kind). */
  specials?: boolean;
  /** Zipf exponent for how rows spread over ordinary domains (0 = uniform). */
  zipf?: number;
  /** Ordinary domains share this many MX providers (host `mx<N>.provider<k>.test`); 0 = each its own. */
  providers?: number;
  /** Share of rows at ordinary domains whose mailbox exists. */
  existingShare?: number;
  /** Share of rows that are exact or case-changed duplicates of an earlier row. */
  duplicateShare?: number;
  /** Share of rows with an address that is not valid syntax. */
  invalidShare?: number;
}

export function generateList(options: GenerateOptions): GeneratedList {
  const random = seededRandom(options.seed ?? 1);
  const scenario: Scenario = { domains: {}, hosts: {} };
  const kinds: DomainKind[] = options.specials === false ? [] : specialKinds();
  for (const kind of kinds) {
    scenario.domains[kind.name] = { ...kind.domain, mailboxes: ['alice', 'bob'] };
    if (kind.host && scenario.hosts) scenario.hosts[`mx.${kind.name}`] = kind.host;
  }
  const ordinary: string[] = [];
  for (let i = 0; i < options.domains; i++) {
    const name = `company${i}.test`;
    ordinary.push(name);
    const host = options.providers ? `mx.provider${i % options.providers}.test` : `mx.${name}`;
    scenario.domains[name] = {
      mx: [{ host }],
      mailboxes: [],
      disabled: ['gone'],
      full: ['stuffed'],
    };
  }
  // Zipf weights: a few big domains, a long tail.
  const weights = ordinary.map((_, i) => 1 / (i + 1) ** (options.zipf ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, w) => {
    cumulative.push((sum + w) / total);
    return sum + w;
  }, 0);
  const pickOrdinary = () => {
    const r = random();
    const index = cumulative.findIndex((c) => r <= c);
    return ordinary[index < 0 ? ordinary.length - 1 : index] as string;
  };

  const rows: GeneratedRow[] = [];
  const specialShare = kinds.length > 0 ? 0.15 : 0;
  // The last row is a domain that does not exist at all.
  for (let i = 0; rows.length < options.rows - 1; i++) {
    const r = random();
    if (rows.length > 0 && r < (options.duplicateShare ?? 0)) {
      const original = rows[Math.floor(random() * rows.length)] as GeneratedRow;
      rows.push({
        email: random() < 0.5 ? original.email.toUpperCase() : original.email,
        expected: original.expected,
      });
      continue;
    }
    if (r < (options.duplicateShare ?? 0) + (options.invalidShare ?? 0)) {
      rows.push({
        email: ['not-an-email', `user${i}@`, `a b${i}@x.test`, ''][i % 4] as string,
        expected: 'invalid_syntax',
      });
      continue;
    }
    if (random() < specialShare) {
      const kind = kinds[Math.floor(random() * kinds.length)] as DomainKind;
      const exists = random() < 0.5;
      rows.push({
        email: `${exists ? 'alice' : `nobody${i}`}@${kind.name}`,
        expected: exists ? kind.exists : kind.missing,
      });
      continue;
    }
    const domain = pickOrdinary();
    const spec = scenario.domains[domain] as ScenarioDomain;
    const roll = random();
    if (roll < 0.01) rows.push({ email: `gone@${domain}`, expected: 'mailbox_disabled' });
    else if (roll < 0.02) rows.push({ email: `stuffed@${domain}`, expected: 'mailbox_full' });
    else if (roll < 0.02 + (options.existingShare ?? 0.8)) {
      const local = `user${i}`;
      spec.mailboxes?.push(local);
      rows.push({ email: `${local}@${domain}`, expected: 'accepted' });
    } else rows.push({ email: `ghost${i}@${domain}`, expected: 'mailbox_not_found' });
  }
  rows.push({ email: 'someone@no-such-domain.test', expected: 'no_domain' });
  return { scenario, rows };
}

/** The rows as CSV text with an id and a name column around the email (comma, LF). */
export function toCsv(rows: readonly GeneratedRow[]): string {
  const quote = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  const lines = [
    'id,email,name',
    ...rows.map((row, i) => `${i + 1},${quote(row.email)},Person ${i + 1}`),
  ];
  return `${lines.join('\n')}\n`;
}
