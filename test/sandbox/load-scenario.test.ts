import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/sandbox/index.ts';
import { loadScenario, startWorld } from '../../src/sandbox/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'listclean-scenario-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(name: string, text: string): Promise<{ code: string; message: string }> {
  const path = await file(name, text);
  return loadScenario(path).then(
    () => ({ code: 'none', message: 'loaded' }),
    (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
  );
}

describe('loadScenario', () => {
  it('reads YAML and normalises names to lower case', async () => {
    const path = await file(
      'world.yaml',
      [
        'latencyMs: 5',
        'domains:',
        '  Example.COM:',
        '    mx: [{ host: MX1.Example.com }]',
        '    mailboxes: [alice]',
        '    greylist: { tries: 2, ms: 1000 }',
        'hosts:',
        '  MX1.example.com:',
        '    behavior: normal',
        '    errorLimits: false',
        '    rateLimit: { rcpts: 5, windowMs: 1000 }',
      ].join('\n'),
    );
    const scenario = await loadScenario(path);
    expect(scenario).toEqual({
      latencyMs: 5,
      domains: {
        'example.com': {
          mx: [{ host: 'mx1.example.com' }],
          mailboxes: ['alice'],
          greylist: { tries: 2, ms: 1000 },
        },
      },
      hosts: {
        'mx1.example.com': {
          behavior: 'normal',
          errorLimits: false,
          rateLimit: { rcpts: 5, windowMs: 1000 },
        },
      },
    } satisfies Scenario);
  });

  it('reads JSON', async () => {
    const path = await file(
      'world.json',
      JSON.stringify({ domains: { 'a.test': { nullMx: true } } }),
    );
    expect(await loadScenario(path)).toEqual({
      domains: { 'a.test': { nullMx: true } },
      hosts: {},
    });
  });

  it('says where a file does not parse', async () => {
    const error = await loadError('broken.yaml', 'domains:\n  a.test: { mx: [\n');
    expect(error.code).toBe('sandbox_scenario_unparseable');
    expect(error.message).toMatch(/broken\.yaml is not valid JSON or YAML at line \d+, column \d+/);
  });

  it('names the field that is wrong', async () => {
    const cases: Array<[string, RegExp]> = [
      ['domains:\n  a.test: { mailbox: [alice] }', /domains\["a\.test"\]: .*mailbox/],
      ['domains:\n  a.test: { mx: [{ host: 7 }] }', /domains\["a\.test"\]\.mx\[0\]\.host: /],
      [
        'domains: {}\nhosts:\n  mx.a.test: { behavior: sleepy }',
        /hosts\["mx\.a\.test"\]\.behavior/,
      ],
      ['domains: {}\nhosts:\n  mx.a.test: { ip: 10.0.0.1 }', /\.ip: the sandbox only listens/],
      ['domains:\n  A.test: {}\n  a.TEST: {}', /"a\.test" is listed twice/],
      ['domains:\n  a.test: { nullMx: true, mx: [{ host: mx.a.test }] }', /nullMx: a null MX/],
      ['domains:\n  a.test: { unknownReply: "hello" }', /unknownReply: expected one 4xx or 5xx/],
      ['domains:\n  "bad domain": {}', /domains.*expected a DNS name/],
      ['domains: {}\nhosts:\n  mx.a.test: { errorLimits: { soft: x } }', /errorLimits\.soft: /],
      ['hosts: {}', /domains: /],
      [
        'domains:\n  a.test: { replies: { bob: "550-first\\n551 second" } }',
        /replies\.bob: expected a reply like/,
      ],
      ['domains: {}\nhosts:\n  mx.a.test: { greeting: "220 hello" }', /greeting: expected a reply/],
      ['domains: {}\nhosts:\n  mx.a.test: { recipientLimit: 0 }', /recipientLimit: /],
    ];
    for (const [text, message] of cases) {
      const error = await loadError('bad.yaml', text);
      expect(error.code).toBe('sandbox_scenario_invalid');
      expect(error.message).toMatch(/bad\.yaml: /);
      expect(error.message).toMatch(message);
    }
  });

  it('takes real replies, multi-line ones line by line', async () => {
    const path = await file(
      'replies.yaml',
      [
        'domains:',
        '  a.test:',
        '    mx: [{ host: mx.a.test }]',
        '    replies:',
        '      bob: "550-5.1.1 The email account that you tried to reach does not exist.\\n550 5.1.1 Please try double-checking - gsmtp"',
        'hosts:',
        '  mx.a.test: { mailReply: "553 5.1.8 Sender domain does not exist", recipientLimit: 5 }',
      ].join('\n'),
    );
    const scenario = await loadScenario(path);
    expect(scenario.domains['a.test']?.replies?.bob).toBe(
      '550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 Please try double-checking - gsmtp',
    );
    expect(scenario.hosts?.['mx.a.test']?.recipientLimit).toBe(5);
  });

  it('reports an unreadable file with its path', async () => {
    const error = await loadScenario(join(dir, 'missing.yaml')).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'sandbox_scenario_unreadable' });
    expect((error as Error).message).toContain('missing.yaml (ENOENT)');
  });

  it('startWorld validates a scenario built in code the same way', async () => {
    const scenario = {
      domains: { 'a.test': { mx: [{ host: 'mx.a.test' }] } },
      hosts: { 'mx.a.test': { behavior: 'sleepy' } },
    };
    await expect(startWorld(scenario as unknown as Scenario)).rejects.toMatchObject({
      code: 'sandbox_scenario_invalid',
    });
  });
});
