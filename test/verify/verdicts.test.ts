/**
 * Every row of the verdict table (DESIGN §3), each produced by a sandbox server that really
 * answers that way over SMTP and DNS, and checked against what the sandbox saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, type Scenario, startWorld } from '../../src/sandbox/index.ts';
import { REASONS } from '../../src/verdict/types.ts';
import { contextFor, verifyIn } from '../helpers/verify.ts';

const scenario: Scenario = {
  domains: {
    'ok.test': {
      mx: [{ host: 'mx.ok.test' }],
      mailboxes: ['alice', 'bob', 'info'],
      disabled: ['carol'],
      full: ['dave'],
    },
    'catchall.test': { mx: [{ host: 'mx.catchall.test' }], catchAll: true, mailboxes: ['real'] },
    'nullmx.test': { nullMx: true },
    'nomx.test': {},
    'implicit.test': { implicitMx: true, mailboxes: ['ann'] },
    'mailinator.com': { mx: [{ host: 'mx.ok.test' }], catchAll: true },
    'greyforever.test': {
      mx: [{ host: 'mx.grey.test' }],
      mailboxes: ['gina'],
      greylist: { tries: -1 },
    },
    'greytwice.test': {
      mx: [{ host: 'mx.grey.test' }],
      mailboxes: ['gus'],
      greylist: { tries: 2 },
    },
    'policy.test': { mx: [{ host: 'mx.ok.test' }], mailboxes: ['pat'], policyBlock: true },
    'listed.test': { mx: [{ host: 'mx.listed.test' }], mailboxes: ['lee'] },
    'banner554.test': { mx: [{ host: 'mx.banner554.test' }], mailboxes: ['bo'] },
    'tarpit.test': { mx: [{ host: 'mx.tarpit.test' }], mailboxes: ['tim'] },
    'refused.test': {
      mx: [{ host: 'mx1.refused.test' }, { host: 'mx2.refused.test' }],
      mailboxes: ['rob'],
    },
    'busy.test': {
      mx: [{ host: 'mx.busy.test' }],
      mailboxes: ['bea'],
      unknownReply: '452 4.3.1 Insufficient system resources',
    },
    'garbage.test': { mx: [{ host: 'mx.garbage.test' }], mailboxes: ['gil'] },
    'huge.test': { mx: [{ host: 'mx.huge.test' }], mailboxes: ['hal'] },
    'dropped.test': { mx: [{ host: 'mx.dropped.test' }], mailboxes: ['dan'] },
    'silent.test': { mx: [{ host: 'mx.silent.test' }], mailboxes: ['sam'] },
    'microsoft.test': {
      mx: [{ host: 'microsoft-test.mail.protection.outlook.com' }],
      mailboxes: ['mia'],
      unknownReply: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
    },
    // The same words from a server that is not Microsoft's are a refusal, not "no such user".
    'lookalike.test': {
      mx: [{ host: 'mx.lookalike.test' }],
      mailboxes: ['lou'],
      unknownReply: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
    },
    'bare550.test': {
      mx: [{ host: 'mx.bare550.test' }],
      mailboxes: ['bea'],
      unknownReply: '550 Requested action not taken: mailbox unavailable',
    },
    'backup.test': {
      mx: [
        { host: 'mx1.backup.test', preference: 5 },
        { host: 'mx2.backup.test', preference: 10 },
      ],
      mailboxes: ['ben'],
    },
    'helo.test': { mx: [{ host: 'mx.helo.test' }], mailboxes: ['hugo'] },
  },
  hosts: {
    'mx.listed.test': { blockSender: true },
    'mx.banner554.test': { behavior: 'banner-554' },
    'mx.tarpit.test': { behavior: 'tarpit' },
    'mx1.refused.test': { behavior: 'refuse' },
    'mx2.refused.test': { behavior: 'refuse' },
    'mx.garbage.test': { behavior: 'garbage' },
    'mx.huge.test': { behavior: 'huge-line' },
    'mx.dropped.test': { behavior: 'drop-mid-session' },
    'mx.silent.test': { behavior: 'silent' },
    'mx1.backup.test': { behavior: 'refuse' },
    'mx.helo.test': { heloOnly: true },
  },
};

let world: SandboxWorld;

beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(async () => {
  await world?.close();
});

/** Address, status, reason, and the rule that must decide it. */
const cases: Array<[string, string, string, string]> = [
  ['alice@ok.test', 'deliverable', 'accepted', 'accepted'],
  ['not an address', 'undeliverable', 'invalid_syntax', 'syntax-missing-at'],
  ['someone@nxdomain.test', 'undeliverable', 'no_domain', 'dns-nxdomain'],
  ['someone@nullmx.test', 'undeliverable', 'no_mail_server', 'dns-no-mail-server'],
  ['someone@nomx.test', 'undeliverable', 'no_mail_server', 'dns-no-mail-server'],
  ['nobody@ok.test', 'undeliverable', 'mailbox_not_found', 'enhanced-5.1.1'],
  ['nobody@microsoft.test', 'undeliverable', 'mailbox_not_found', 'provider-microsoft-dbeb'],
  ['nobody@lookalike.test', 'unknown', 'blocked', 'text-policy'],
  ['nobody@bare550.test', 'unknown', 'rejected', 'bare-5xx'],
  ['carol@ok.test', 'undeliverable', 'mailbox_disabled', 'enhanced-5.2.1'],
  ['anyone@catchall.test', 'risky', 'catch_all', 'accepted'],
  ['dave@ok.test', 'risky', 'mailbox_full', 'enhanced-4.2.2'],
  ['someone@mailinator.com', 'risky', 'disposable', 'disposable-domain'],
  ['gina@greyforever.test', 'unknown', 'greylisted', 'greylist'],
  ['lee@listed.test', 'unknown', 'blocked', 'mail-refused'],
  ['pat@policy.test', 'unknown', 'blocked', 'policy-5.7'],
  ['bo@banner554.test', 'unknown', 'blocked', 'banner-refused'],
  ['tim@tarpit.test', 'unknown', 'timeout', 'smtp-timeout'],
  ['sam@silent.test', 'unknown', 'timeout', 'smtp-timeout'],
  ['rob@refused.test', 'unknown', 'connection_failed', 'smtp-connect-failed'],
  ['dan@dropped.test', 'unknown', 'connection_failed', 'smtp-closed'],
  ['nobody@busy.test', 'unknown', 'temporary_failure', 'server-trouble-4xx'],
  ['gil@garbage.test', 'unknown', 'protocol_error', 'smtp-protocol'],
  ['hal@huge.test', 'unknown', 'protocol_error', 'smtp-protocol'],
  ['ann@implicit.test', 'deliverable', 'accepted', 'accepted'],
  ['gus@greytwice.test', 'deliverable', 'accepted', 'accepted'],
  ['ben@backup.test', 'deliverable', 'accepted', 'accepted'],
  ['hugo@helo.test', 'deliverable', 'accepted', 'accepted'],
];

describe('verdicts against the sandbox (DESIGN §3)', () => {
  let results: Awaited<ReturnType<typeof verifyIn>>;

  beforeAll(async () => {
    const ctx = await contextFor(world);
    results = await verifyIn(
      ctx,
      cases.map(([email]) => email),
      { greylistDelaysMs: [100, 100, 100] },
    );
  });

  it.each(cases)('%s → %s / %s by rule %s', (email, status, reason, rule) => {
    const result = results.get(email);
    expect(result, email).toBeDefined();
    expect({
      status: result?.status,
      reason: result?.reason,
      rule: result?.rule,
      detail: result?.detail,
    }).toMatchObject({ status, reason, rule });
  });

  it('covers every reason of the table, mx_not_public aside (tested with ALLOW_PRIVATE_MX=0)', () => {
    const seen = new Set([...results.values()].map((r) => r.reason));
    expect(REASONS.filter((r) => !seen.has(r))).toEqual(['mx_not_public']);
  });

  it('reports the server reply it judged by', () => {
    expect(results.get('nobody@ok.test')).toMatchObject({
      smtp_code: 550,
      smtp_enhanced_code: '5.1.1',
      mx_host: 'mx.ok.test',
    });
    expect(results.get('carol@ok.test')).toMatchObject({
      smtp_code: 550,
      smtp_enhanced_code: '5.2.1',
    });
    expect(results.get('dave@ok.test')).toMatchObject({
      smtp_code: 452,
      smtp_enhanced_code: '4.2.2',
    });
    expect(results.get('alice@ok.test')).toMatchObject({
      smtp_code: 250,
      catch_all: false,
      risk_score: 2,
    });
    expect(results.get('anyone@catchall.test')).toMatchObject({ catch_all: true, smtp_code: 250 });
    expect(results.get('someone@mailinator.com')).toMatchObject({ disposable: true, free: false });
  });

  it('fell back to the backup MX and to HELO, and never sent DATA', () => {
    expect(world.stats('mx2.backup.test').rcptsByAddress['ben@backup.test']).toBe(1);
    expect(world.stats('mx.helo.test').commands.some((c) => c.startsWith('HELO '))).toBe(true);
    for (const stats of Object.values(world.allStats())) {
      expect(stats.commands.filter((c) => /^DATA/i.test(c))).toEqual([]);
    }
  });

  it('did not probe the disposable domain', () => {
    expect(world.stats('mx.ok.test').rcptsByAddress['someone@mailinator.com']).toBeUndefined();
  });

  it('retried greylisting with the same MAIL FROM and client address', () => {
    const stats = world.stats('mx.grey.test');
    expect(stats.rcptsByAddress['gus@greytwice.test']).toBe(3);
    expect(new Set(stats.mailFroms)).toEqual(new Set(['verify@listclean.test']));
    expect(new Set(stats.clientIps).size).toBe(1);
  });
});

describe('mx_not_public', () => {
  it('refuses sandbox MX hosts on loopback unless ALLOW_PRIVATE_MX=1, without connecting', async () => {
    world.resetStats();
    const ctx = await contextFor(world, { ALLOW_PRIVATE_MX: '0' });
    const results = await verifyIn(ctx, ['alice@ok.test']);
    expect(results.get('alice@ok.test')).toMatchObject({
      status: 'unknown',
      reason: 'mx_not_public',
    });
    expect(world.stats('mx.ok.test').sessions).toBe(0);
  });
});
