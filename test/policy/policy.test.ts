import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerKey } from '../../src/dns/provider.ts';
import { ListcleanError } from '../../src/errors.ts';
import {
  DEFAULT_LIMITS,
  isGlob,
  loadPolicy,
  type Policy,
  type ProviderLimits,
  type ProviderRule,
  parsePolicy,
  policyFor,
  ruleMatches,
} from '../../src/policy/policy.ts';
import { poolFor, poolQueueName, probePools } from '../../src/policy/pools.ts';

const LIMIT_KEYS = [
  'connectionsPerMinute',
  'maxConcurrentSessions',
  'maxRcptsPerSession',
  'maxRejectsPerSession',
];

const BASE: ProviderLimits = {
  maxConcurrentSessions: 7,
  connectionsPerMinute: 120,
  maxRcptsPerSession: 25,
  maxRejectsPerSession: 4,
};

function policy(providers: ProviderRule[], defaults: ProviderLimits = DEFAULT_LIMITS): Policy {
  return { defaults: { ...defaults }, providers };
}

// ---- generators ------------------------------------------------------------------------------

/** Matches that overlap: case variants, globs, same-slug clashes, hosts and provider keys. */
const matchArb = fc.constantFrom(
  'google.com',
  'Google.COM',
  'google-com',
  '*.google.com',
  'any.google.com',
  '*.l.google.com',
  'aspmx.l.google.com',
  'outlook.com',
  '*.mail.protection.outlook.com',
  'mx?.example.net',
  'mx1.example.net',
  'example.net',
  '*',
  '?',
);

const hostArb = fc.constantFrom(
  'aspmx.l.google.com',
  'ALT1.ASPMX.L.GOOGLE.COM',
  'any.google.com',
  'contoso-com.mail.protection.outlook.com',
  'mx1.example.net',
  'mx12.example.net',
  'mx.other.org',
);

const ruleArb: fc.Arbitrary<ProviderRule> = fc.record(
  {
    match: matchArb,
    maxConcurrentSessions: fc.integer({ min: 1, max: 1000 }),
    connectionsPerMinute: fc.integer({ min: 1, max: 100_000 }),
    maxRcptsPerSession: fc.integer({ min: 1, max: 1000 }),
    maxRejectsPerSession: fc.integer({ min: 1, max: 100 }),
    skipCatchAllProbe: fc.boolean(),
    acceptsAllRecipients: fc.boolean(),
    pool: fc.boolean(),
  },
  { requiredKeys: ['match'] },
);

/** Generated policies, loaded as a file would be. */
const policyArb: fc.Arbitrary<Policy> = fc
  .array(ruleArb, { maxLength: 8 })
  .map((providers) => {
    try {
      return parsePolicy({ providers }, 'generated', BASE);
    } catch {
      return null;
    }
  })
  .filter((p): p is Policy => p !== null);

/** The ListcleanError `fn` throws (fails the test when it throws nothing or something else). */
function caught(fn: () => unknown): ListcleanError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ListcleanError);
    return error as ListcleanError;
  }
  throw new Error('expected a ListcleanError, nothing was thrown');
}

describe('DEFAULT_LIMITS', () => {
  it('holds the built-in limits', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxConcurrentSessions: 3,
      connectionsPerMinute: 60,
      maxRcptsPerSession: 50,
      maxRejectsPerSession: 8,
    });
  });
});

describe('parsePolicy', () => {
  it('fills every default from DEFAULT_LIMITS when nothing is given', () => {
    expect(parsePolicy({})).toEqual({ defaults: DEFAULT_LIMITS, providers: [] });
  });

  it('refuses a misspelt key instead of silently not applying it', () => {
    const inRule = caught(() =>
      parsePolicy({ providers: [{ match: 'a.com', maxConcurentSessions: 1 }] }),
    );
    expect(inRule.code).toBe('policy_invalid');
    expect(inRule.message).toMatch(/providers\.0.*maxConcurentSessions/);
    const inDefaults = caught(() => parsePolicy({ defaults: { maxRcpts: 5 } }));
    expect(inDefaults.message).toMatch(/defaults.*maxRcpts/);
    expect(caught(() => parsePolicy({ provider: [] })).message).toMatch(/provider/);
  });

  it('keeps the base value for a default given as undefined (a policy built in code)', () => {
    const p = parsePolicy({ defaults: { maxConcurrentSessions: undefined } }, 'code', BASE);
    expect(p.defaults.maxConcurrentSessions).toBe(BASE.maxConcurrentSessions);
  });

  it('fills missing defaults from base and keeps the ones the document sets', () => {
    const parsed = parsePolicy({ defaults: { maxConcurrentSessions: 2 } }, 'p.yaml', BASE);
    expect(parsed.defaults).toEqual({ ...BASE, maxConcurrentSessions: 2 });
    expect(parsed.providers).toEqual([]);
  });

  it('does not share or mutate base', () => {
    const base = { ...BASE };
    const parsed = parsePolicy({ defaults: { maxRcptsPerSession: 9 } }, 'p', base);
    expect(base).toEqual(BASE);
    parsed.defaults.connectionsPerMinute = 1;
    expect(base.connectionsPerMinute).toBe(BASE.connectionsPerMinute);
  });

  it('keeps provider rules as given, in order, with only the fields they set', () => {
    const parsed = parsePolicy({
      providers: [
        { match: 'google.com', maxConcurrentSessions: 5, pool: false },
        { match: '*.mail.protection.outlook.com', skipCatchAllProbe: true },
        { match: 'yahoodns.net', acceptsAllRecipients: true, maxRcptsPerSession: 10 },
      ],
    });
    expect(parsed.providers).toEqual([
      { match: 'google.com', maxConcurrentSessions: 5, pool: false },
      { match: '*.mail.protection.outlook.com', skipCatchAllProbe: true },
      { match: 'yahoodns.net', acceptsAllRecipients: true, maxRcptsPerSession: 10 },
    ]);
    expect(Object.keys(parsed.providers[1] ?? {}).sort()).toEqual(['match', 'skipCatchAllProbe']);
  });

  it('accepts the bounds of every limit', () => {
    const low = { maxConcurrentSessions: 1, connectionsPerMinute: 1 };
    const high = {
      maxConcurrentSessions: 1000,
      connectionsPerMinute: 100_000,
      maxRcptsPerSession: 1000,
      maxRejectsPerSession: 100,
    };
    expect(parsePolicy({ defaults: low }).defaults).toMatchObject(low);
    expect(parsePolicy({ defaults: high }).defaults).toEqual(high);
  });

  const invalid: Array<[string, unknown, string]> = [
    [
      'a negative default',
      { defaults: { maxConcurrentSessions: -1 } },
      'defaults.maxConcurrentSessions',
    ],
    ['a zero default', { defaults: { connectionsPerMinute: 0 } }, 'defaults.connectionsPerMinute'],
    [
      'a fractional default',
      { defaults: { maxRcptsPerSession: 2.5 } },
      'defaults.maxRcptsPerSession',
    ],
    [
      'a default over its maximum',
      { defaults: { maxRejectsPerSession: 101 } },
      'defaults.maxRejectsPerSession',
    ],
    [
      'a negative rule limit',
      { providers: [{ match: 'a.com' }, { match: 'b.com', connectionsPerMinute: -5 }] },
      'providers.1.connectionsPerMinute',
    ],
    [
      'a rule limit over its maximum',
      { providers: [{ match: 'a.com', maxConcurrentSessions: 1001 }] },
      'providers.0.maxConcurrentSessions',
    ],
    [
      'a string where a number belongs',
      { providers: [{ match: 'a.com', maxRcptsPerSession: '50' }] },
      'providers.0.maxRcptsPerSession',
    ],
    [
      'a string where a boolean belongs',
      { providers: [{ match: 'a.com', skipCatchAllProbe: 'yes' }] },
      'providers.0.skipCatchAllProbe',
    ],
    ['a non-boolean pool', { providers: [{ match: 'a.com', pool: 1 }] }, 'providers.0.pool'],
    ['a numeric match', { providers: [{ match: 42 }] }, 'providers.0.match'],
    ['a missing match', { providers: [{ maxConcurrentSessions: 2 }] }, 'providers.0.match'],
    ['an empty match', { providers: [{ match: 'a.com' }, { match: '' }] }, 'providers.1.match'],
    ['providers that is not a list', { providers: { match: 'a.com' } }, 'providers'],
    ['a null provider', { providers: [null] }, 'providers.0'],
    ['defaults that is not an object', { defaults: 3 }, 'defaults'],
    [
      'null limits',
      { defaults: { maxConcurrentSessions: null } },
      'defaults.maxConcurrentSessions',
    ],
  ];

  it.each(invalid)('rejects %s with policy_invalid naming the path', (_name, doc, path) => {
    const error = caught(() => parsePolicy(doc, 'throttle.yaml'));
    expect(error.code).toBe('policy_invalid');
    expect(error.message).toMatch(/^throttle\.yaml is not a valid provider policy: /);
    expect(error.message).toContain(`${path}: `);
  });

  it.each([
    ['null', null],
    ['a string', 'providers: []'],
    ['a number', 3],
    ['a list', [{ match: 'a.com' }]],
    ['undefined', undefined],
  ])('rejects a root that is %s, naming (root)', (_name, doc) => {
    const error = caught(() => parsePolicy(doc));
    expect(error.code).toBe('policy_invalid');
    expect(error.message).toContain('policy is not a valid provider policy');
    expect(error.message).toContain('(root): ');
  });

  it('names every problem, separated by semicolons', () => {
    const error = caught(() =>
      parsePolicy({
        defaults: { maxConcurrentSessions: -1 },
        providers: [{ match: 'a.com' }, { connectionsPerMinute: 0 }],
      }),
    );
    expect(error.code).toBe('policy_invalid');
    expect(error.message).toContain('defaults.maxConcurrentSessions: ');
    expect(error.message).toContain('providers.1.match: ');
    expect(error.message).toContain('providers.1.connectionsPerMinute: ');
    expect(error.message.split('; ').length).toBeGreaterThanOrEqual(3);
  });

  it('property: any valid document parses, defaults complete, rules kept', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            defaults: fc.record(
              {
                maxConcurrentSessions: fc.integer({ min: 1, max: 1000 }),
                connectionsPerMinute: fc.integer({ min: 1, max: 100_000 }),
                maxRcptsPerSession: fc.integer({ min: 1, max: 1000 }),
                maxRejectsPerSession: fc.integer({ min: 1, max: 100 }),
              },
              { requiredKeys: [] },
            ),
            providers: fc.array(ruleArb, { maxLength: 6 }),
          },
          { requiredKeys: [] },
        ),
        (doc) => {
          const parsed = parsePolicy(doc, 'p', BASE);
          expect(Object.keys(parsed.defaults).sort()).toEqual(LIMIT_KEYS);
          expect(parsed.defaults).toEqual({ ...BASE, ...doc.defaults });
          expect(parsed.providers).toEqual(doc.providers ?? []);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('loadPolicy', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'listclean-policy-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    return path;
  }

  it('loads a JSON file', async () => {
    const path = await file(
      'policy.json',
      JSON.stringify({
        defaults: { maxConcurrentSessions: 4 },
        providers: [{ match: 'google.com', maxConcurrentSessions: 10, skipCatchAllProbe: true }],
      }),
    );
    await expect(loadPolicy(path)).resolves.toEqual({
      defaults: { ...DEFAULT_LIMITS, maxConcurrentSessions: 4 },
      providers: [{ match: 'google.com', maxConcurrentSessions: 10, skipCatchAllProbe: true }],
    });
  });

  it('reads an upper-case .JSON extension as JSON', async () => {
    const path = await file('UPPER.JSON', '{"providers":[{"match":"a.com","pool":true}]}');
    await expect(loadPolicy(path)).resolves.toEqual({
      defaults: DEFAULT_LIMITS,
      providers: [{ match: 'a.com', pool: true }],
    });
  });

  it('loads a YAML file and fills defaults from base', async () => {
    const path = await file(
      'policy.yaml',
      [
        '# provider policy',
        'defaults:',
        '  maxRcptsPerSession: 20',
        'providers:',
        '  - match: google.com',
        '    maxConcurrentSessions: 10',
        "  - match: '*.mail.protection.outlook.com'",
        '    acceptsAllRecipients: true',
        '    pool: true',
        '',
      ].join('\n'),
    );
    await expect(loadPolicy(path, BASE)).resolves.toEqual({
      defaults: { ...BASE, maxRcptsPerSession: 20 },
      providers: [
        { match: 'google.com', maxConcurrentSessions: 10 },
        { match: '*.mail.protection.outlook.com', acceptsAllRecipients: true, pool: true },
      ],
    });
  });

  it('reads a file without a known extension as YAML', async () => {
    const path = await file('throttle-policy', 'providers:\n  - match: yahoodns.net\n');
    await expect(loadPolicy(path)).resolves.toEqual({
      defaults: DEFAULT_LIMITS,
      providers: [{ match: 'yahoodns.net' }],
    });
  });

  it('reports a missing file as policy_unreadable, naming the path', async () => {
    const path = join(dir, 'does-not-exist.yaml');
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListcleanError);
    expect(error).toMatchObject({ code: 'policy_unreadable' });
    expect((error as Error).message).toContain(path);
  });

  it('reports a directory as policy_unreadable', async () => {
    const sub = join(dir, 'a-directory.json');
    await mkdir(sub);
    await expect(loadPolicy(sub)).rejects.toMatchObject({ code: 'policy_unreadable' });
  });

  it('reports bad JSON as policy_invalid, naming the path', async () => {
    const path = await file('broken.json', '{"providers": [ {"match": "a.com", } ');
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListcleanError);
    expect(error).toMatchObject({ code: 'policy_invalid' });
    expect((error as Error).message).toContain(`${path} is not valid JSON/YAML`);
  });

  it('reports bad YAML as policy_invalid, naming the path', async () => {
    const path = await file('broken.yml', 'providers: [ {match: a.com\ndefaults: : :\n');
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListcleanError);
    expect(error).toMatchObject({ code: 'policy_invalid' });
    expect((error as Error).message).toContain(`${path} is not valid JSON/YAML`);
  });

  it('reports a well-formed file that breaks the schema as policy_invalid with the path', async () => {
    const path = await file(
      'schema.yaml',
      'providers:\n  - match: a.com\n  - maxConcurrentSessions: -3\n',
    );
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListcleanError);
    expect(error).toMatchObject({ code: 'policy_invalid' });
    const message = (error as Error).message;
    expect(message).toContain(`${path} is not a valid provider policy`);
    expect(message).toContain('providers.1.match: ');
    expect(message).toContain('providers.1.maxConcurrentSessions: ');
  });
});

describe('isGlob', () => {
  it('is true for * and ?, false otherwise', () => {
    expect(isGlob('*.mail.protection.outlook.com')).toBe(true);
    expect(isGlob('mx?.example.com')).toBe(true);
    expect(isGlob('google.com')).toBe(false);
    expect(isGlob('mx1.example.com')).toBe(false);
  });
});

describe('ruleMatches', () => {
  const outlook = { match: '*.mail.protection.outlook.com' };

  it('matches by provider key', () => {
    expect(ruleMatches({ match: 'google.com' }, 'aspmx.l.google.com', 'google.com')).toBe(true);
    expect(ruleMatches({ match: 'google.com' }, 'mx.example.net', 'example.net')).toBe(false);
  });

  it('matches by the exact MX host, case-insensitively', () => {
    const rule = { match: 'MX1.Example.NET' };
    expect(ruleMatches(rule, 'mx1.example.net', 'example.net')).toBe(true);
    expect(ruleMatches(rule, 'MX1.EXAMPLE.NET', 'example.net')).toBe(true);
    expect(ruleMatches(rule, 'mx2.example.net', 'example.net')).toBe(false);
  });

  it('matches a provider key case-insensitively on the rule side', () => {
    expect(ruleMatches({ match: 'Google.COM' }, 'aspmx.l.google.com', 'google.com')).toBe(true);
  });

  it('matches a host glob, case-insensitively', () => {
    expect(ruleMatches(outlook, 'contoso-com.mail.protection.outlook.com', 'outlook.com')).toBe(
      true,
    );
    expect(ruleMatches(outlook, 'Contoso-COM.Mail.Protection.Outlook.COM', 'outlook.com')).toBe(
      true,
    );
  });

  it('anchors a glob and treats its dots literally', () => {
    expect(ruleMatches(outlook, 'mail.protection.outlook.com', 'outlook.com')).toBe(false);
    expect(ruleMatches(outlook, 'x.mail.protection.outlook.com.evil.net', 'evil.net')).toBe(false);
    expect(ruleMatches(outlook, 'x.mailXprotection.outlook.com', 'outlook.com')).toBe(false);
    expect(ruleMatches(outlook, 'x.mail.protection.outlookXcom', 'outlookxcom')).toBe(false);
  });

  it('treats ? as exactly one character', () => {
    const rule = { match: 'mx?.example.com' };
    expect(ruleMatches(rule, 'mx1.example.com', 'example.com')).toBe(true);
    expect(ruleMatches(rule, 'mx.example.com', 'example.com')).toBe(false);
    expect(ruleMatches(rule, 'mx12.example.com', 'example.com')).toBe(false);
  });

  it('tests a glob against the MX host only, not the provider key', () => {
    expect(ruleMatches({ match: '*.google.com' }, 'mx.other.net', 'google.com')).toBe(false);
    expect(ruleMatches({ match: 'google.*' }, 'mx.other.net', 'google.com')).toBe(false);
  });

  it('escapes regex specials in a glob', () => {
    const rule = { match: '*.a+b.example.com' };
    expect(ruleMatches(rule, 'mx.a+b.example.com', 'example.com')).toBe(true);
    expect(ruleMatches(rule, 'mx.aab.example.com', 'example.com')).toBe(false);
  });
});

describe('policyFor', () => {
  it('gives the defaults (a copy) and no flags when nothing matches', () => {
    const p = policy([{ match: 'google.com', maxConcurrentSessions: 9, skipCatchAllProbe: true }]);
    const resolved = policyFor(p, 'mx.example.net', 'example.net');
    expect(resolved).toEqual({
      limits: DEFAULT_LIMITS,
      skipCatchAllProbe: false,
      acceptsAllRecipients: false,
      egress: null,
    });
    resolved.limits.maxConcurrentSessions = 999;
    expect(p.defaults.maxConcurrentSessions).toBe(DEFAULT_LIMITS.maxConcurrentSessions);
  });

  it('overrides only the limits a matching rule sets', () => {
    const p = policy([{ match: 'google.com', maxConcurrentSessions: 10 }], BASE);
    expect(policyFor(p, 'aspmx.l.google.com', 'google.com').limits).toEqual({
      ...BASE,
      maxConcurrentSessions: 10,
    });
  });

  it('lets later matching rules override earlier ones, field by field', () => {
    const p = policy([
      { match: 'google.com', maxConcurrentSessions: 10, maxRcptsPerSession: 20 },
      { match: 'mx.other.net', maxConcurrentSessions: 1 },
      { match: '*.l.google.com', maxConcurrentSessions: 4, connectionsPerMinute: 30 },
    ]);
    expect(policyFor(p, 'aspmx.l.google.com', 'google.com').limits).toEqual({
      maxConcurrentSessions: 4,
      connectionsPerMinute: 30,
      maxRcptsPerSession: 20,
      maxRejectsPerSession: DEFAULT_LIMITS.maxRejectsPerSession,
    });
    // The same rules in the other order: the provider rule is now the later one.
    const reversed = policy([...p.providers].reverse());
    expect(policyFor(reversed, 'aspmx.l.google.com', 'google.com').limits).toEqual({
      maxConcurrentSessions: 10,
      connectionsPerMinute: 30,
      maxRcptsPerSession: 20,
      maxRejectsPerSession: DEFAULT_LIMITS.maxRejectsPerSession,
    });
  });

  it('matches by exact MX host, case-insensitively', () => {
    const p = policy([{ match: 'MX1.Example.NET', maxRejectsPerSession: 2 }]);
    expect(policyFor(p, 'mx1.example.net', 'example.net').limits.maxRejectsPerSession).toBe(2);
    expect(policyFor(p, 'mx1.EXAMPLE.net', 'example.net').limits.maxRejectsPerSession).toBe(2);
    expect(policyFor(p, 'mx2.example.net', 'example.net').limits.maxRejectsPerSession).toBe(
      DEFAULT_LIMITS.maxRejectsPerSession,
    );
  });

  it('matches a glob, case-insensitively', () => {
    const p = policy([{ match: '*.mail.protection.outlook.com', connectionsPerMinute: 12 }]);
    for (const host of [
      'contoso-com.mail.protection.outlook.com',
      'CONTOSO-COM.MAIL.PROTECTION.OUTLOOK.COM',
    ]) {
      expect(policyFor(p, host, 'outlook.com').limits.connectionsPerMinute).toBe(12);
    }
    expect(policyFor(p, 'outlook-com.olc.protection.outlook.com', 'outlook.com').limits).toEqual(
      DEFAULT_LIMITS,
    );
  });

  it('carries skipCatchAllProbe and acceptsAllRecipients; later rules override them', () => {
    const p = policy([
      { match: 'google.com', skipCatchAllProbe: true },
      { match: '*.google.com', acceptsAllRecipients: true },
    ]);
    expect(policyFor(p, 'aspmx.l.google.com', 'google.com')).toMatchObject({
      skipCatchAllProbe: true,
      acceptsAllRecipients: true,
    });
    const undone = policy([
      ...p.providers,
      { match: 'aspmx.l.google.com', skipCatchAllProbe: false },
    ]);
    expect(policyFor(undone, 'aspmx.l.google.com', 'google.com')).toMatchObject({
      skipCatchAllProbe: false,
      acceptsAllRecipients: true,
    });
    // A rule that leaves a flag out does not reset it.
    const silent = policy([...p.providers, { match: 'google.com', maxConcurrentSessions: 2 }]);
    expect(policyFor(silent, 'aspmx.l.google.com', 'google.com')).toMatchObject({
      skipCatchAllProbe: true,
      acceptsAllRecipients: true,
    });
  });

  it('never lets the pool field (or the rule fields) leak into limits', () => {
    const p = parsePolicy({
      providers: [
        { match: 'google.com', pool: true, maxConcurrentSessions: 5 },
        { match: '*.google.com', pool: false, skipCatchAllProbe: true, acceptsAllRecipients: true },
      ],
    });
    const { limits } = policyFor(p, 'aspmx.l.google.com', 'google.com');
    expect(Object.keys(limits).sort()).toEqual(LIMIT_KEYS);
    expect(limits).not.toHaveProperty('pool');
    expect(limits).not.toHaveProperty('match');
    expect(limits.maxConcurrentSessions).toBe(5);
  });

  it('property: limits always hold exactly the four numeric limits, each from a matching rule or the defaults', () => {
    fc.assert(
      fc.property(policyArb, hostArb, (p, host) => {
        const provider = providerKey(host);
        const { limits } = policyFor(p, host, provider);
        expect(Object.keys(limits).sort()).toEqual(LIMIT_KEYS);
        const matching = p.providers.filter((r) => ruleMatches(r, host, provider));
        for (const key of LIMIT_KEYS as Array<keyof ProviderLimits>) {
          const last = matching.findLast((r) => r[key] !== undefined);
          expect(limits[key]).toBe(last ? last[key] : p.defaults[key]);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('poolQueueName', () => {
  it('makes a safe queue name from a match', () => {
    expect(poolQueueName('google.com')).toBe('probe-google.com');
    expect(poolQueueName('Google.COM')).toBe('probe-google.com');
    expect(poolQueueName('*.mail.protection.outlook.com')).toBe(
      'probe-_2a.mail.protection.outlook.com',
    );
    expect(poolQueueName('mx?.example.com')).toBe('probe-mx_3f.example.com');
    expect(poolQueueName('google-com')).toBe('probe-google-com');
    expect(poolQueueName('[192.0.2.1]')).toBe('probe-_5b192.0.2.1_5d');
  });

  it('property: different matches (ignoring case) get different queues', () => {
    const match = fc.string({ unit: fc.constantFrom(...'ab0.-_*?:'), maxLength: 12 });
    fc.assert(
      fc.property(match, match, (a, b) => {
        fc.pre(a.toLowerCase() !== b.toLowerCase());
        expect(poolQueueName(a)).not.toBe(poolQueueName(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: always /^probe-[a-z0-9._-]*$/ (no ":"), and stable', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'aZ09.-_*?:[]/ \u00fc\u0130\u212a'), maxLength: 30 }),
    );
    fc.assert(
      fc.property(anyString, (match) => {
        const name = poolQueueName(match);
        expect(name).toMatch(/^probe-[a-z0-9._-]*$/);
        expect(name).not.toContain(':');
        expect(poolQueueName(match)).toBe(name);
        expect(poolQueueName(match.toLowerCase())).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('probePools', () => {
  it('gives a pool to an exact rule with maxConcurrentSessions', () => {
    const p = policy([{ match: 'google.com', maxConcurrentSessions: 12 }], BASE);
    expect(probePools(p)).toEqual([
      {
        queue: 'probe-google.com',
        match: 'google.com',
        concurrency: 12,
        maxRcptsPerSession: BASE.maxRcptsPerSession,
      },
    ]);
  });

  it("takes the rule's maxRcptsPerSession when it sets one", () => {
    const p = policy([{ match: 'google.com', maxConcurrentSessions: 12, maxRcptsPerSession: 99 }]);
    expect(probePools(p)).toEqual([
      { queue: 'probe-google.com', match: 'google.com', concurrency: 12, maxRcptsPerSession: 99 },
    ]);
  });

  it('gives no pool to an exact rule without maxConcurrentSessions', () => {
    const p = policy([{ match: 'google.com', maxRcptsPerSession: 10, skipCatchAllProbe: true }]);
    expect(probePools(p)).toEqual([]);
  });

  it('gives no pool to a glob rule unless pool: true', () => {
    const glob = { match: '*.mail.protection.outlook.com', maxConcurrentSessions: 6 };
    expect(probePools(policy([glob]))).toEqual([]);
    expect(probePools(policy([{ ...glob, pool: true }]))).toEqual([
      {
        queue: 'probe-_2a.mail.protection.outlook.com',
        match: '*.mail.protection.outlook.com',
        concurrency: 6,
        maxRcptsPerSession: DEFAULT_LIMITS.maxRcptsPerSession,
      },
    ]);
  });

  it('lets pool: false opt out', () => {
    const p = policy([{ match: 'google.com', maxConcurrentSessions: 12, pool: false }]);
    expect(probePools(p)).toEqual([]);
  });

  it("gives pool: true without maxConcurrentSessions the defaults' concurrency", () => {
    const p = policy([{ match: 'yahoodns.net', pool: true }], BASE);
    expect(probePools(p)).toEqual([
      {
        queue: 'probe-yahoodns.net',
        match: 'yahoodns.net',
        concurrency: BASE.maxConcurrentSessions,
        maxRcptsPerSession: BASE.maxRcptsPerSession,
      },
    ]);
  });

  it('gives one pool per slug, the later rule winning', () => {
    const p = policy([
      { match: 'google.com', maxConcurrentSessions: 5 },
      { match: 'outlook.com', maxConcurrentSessions: 8 },
      { match: 'Google.COM', maxConcurrentSessions: 9, maxRcptsPerSession: 30 },
    ]);
    const pools = probePools(p);
    expect(pools).toHaveLength(2);
    expect(pools.find((x) => x.queue === 'probe-google.com')).toEqual({
      queue: 'probe-google.com',
      match: 'Google.COM',
      concurrency: 9,
      maxRcptsPerSession: 30,
    });
    expect(pools.find((x) => x.queue === 'probe-outlook.com')?.concurrency).toBe(8);
  });

  it('is empty for a policy without rules', () => {
    expect(probePools(policy([]))).toEqual([]);
  });

  it('property: queue names are unique and safe', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const queues = probePools(p).map((x) => x.queue);
        expect(new Set(queues).size).toBe(queues.length);
        for (const q of queues) expect(q).toMatch(/^probe-[a-z0-9._-]*$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('poolFor', () => {
  const p = policy(
    [
      { match: 'google.com', maxConcurrentSessions: 10 },
      { match: '*.mail.protection.outlook.com', maxConcurrentSessions: 6, pool: true },
      { match: '*.l.google.com', maxConcurrentSessions: 4, pool: true },
      { match: 'yahoodns.net', maxConcurrentSessions: 3, pool: false },
      { match: '*.other.net', maxConcurrentSessions: 2 },
    ],
    BASE,
  );

  it('returns the last matching pool rule’s pool', () => {
    expect(poolFor(p, 'aspmx.l.google.com', 'google.com')).toEqual({
      queue: 'probe-_2a.l.google.com',
      match: '*.l.google.com',
      concurrency: 4,
      maxRcptsPerSession: BASE.maxRcptsPerSession,
    });
    expect(poolFor(p, 'alt1.aspmx.google.com', 'google.com')).toEqual({
      queue: 'probe-google.com',
      match: 'google.com',
      concurrency: 10,
      maxRcptsPerSession: BASE.maxRcptsPerSession,
    });
    expect(poolFor(p, 'Contoso.Mail.Protection.Outlook.com', 'outlook.com')?.queue).toBe(
      'probe-_2a.mail.protection.outlook.com',
    );
  });

  it('returns undefined when no pool rule matches', () => {
    expect(poolFor(p, 'mx.example.net', 'example.net')).toBeUndefined();
    // Matching rules exist, but they have no pool (opted out / glob without pool: true).
    expect(poolFor(p, 'mta5.am0.yahoodns.net', 'yahoodns.net')).toBeUndefined();
    expect(poolFor(p, 'mx.other.net', 'other.net')).toBeUndefined();
    expect(poolFor(policy([]), 'aspmx.l.google.com', 'google.com')).toBeUndefined();
  });

  it('ignores a later matching rule without a pool', () => {
    const q = policy([
      { match: 'google.com', maxConcurrentSessions: 10 },
      { match: '*.google.com', maxConcurrentSessions: 2 },
    ]);
    expect(poolFor(q, 'aspmx.l.google.com', 'google.com')?.queue).toBe('probe-google.com');
  });

  it('returns the pool as registered when a later rule repeats the match', () => {
    const q = policy([
      { match: 'google.com', maxConcurrentSessions: 10 },
      { match: 'Google.com', maxConcurrentSessions: 4 },
    ]);
    expect(poolFor(q, 'aspmx.l.google.com', 'google.com')?.concurrency).toBe(4);
  });

  it('property: every pool it returns is one of probePools (by queue name)', () => {
    fc.assert(
      fc.property(policyArb, hostArb, fc.boolean(), (pol, host, ownKey) => {
        const provider = ownKey ? providerKey(host) : 'google.com';
        const pool = poolFor(pol, host, provider);
        const queues = probePools(pol).map((x) => x.queue);
        if (pool) expect(queues).toContain(pool.queue);
        // And a pool comes back exactly when some pool rule matches.
        const anyPoolRule = pol.providers.some(
          (r) =>
            (r.pool ?? (!isGlob(r.match) && r.maxConcurrentSessions !== undefined)) &&
            ruleMatches(r, host, provider),
        );
        expect(pool !== undefined).toBe(anyPoolRule);
      }),
      { numRuns: 1000 },
    );
  });
});
