/**
 * SMTP transcripts (`--trace`): what a session records, over real sockets against the sandbox
 * (commands, replies, TLS, failures, times), and that a hostile server cannot smuggle terminal
 * escapes or unbounded text into one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { probeDomain } from '../../src/smtp/probe-domain.ts';
import { runSession, type SessionOptions, type SmtpTarget } from '../../src/smtp/session.ts';
import {
  collectingRecorder,
  printable,
  redactCredentials,
  TraceRecorder,
  Transcript,
} from '../../src/smtp/transcript.ts';

const scenario: Scenario = {
  domains: {
    'plain.test': {
      mx: [{ host: 'mx.plain.test' }],
      mailboxes: ['alice'],
      // ESC [2J clears a terminal; U+202E turns the rest of a line around.
      replies: { evil: '550 5.1.1 \u001b[2J\u202eresu on <evil@plain.test>' },
    },
    'tls.test': { mx: [{ host: 'mx.tls.test' }], mailboxes: ['bob'] },
    'down.test': { mx: [{ host: 'mx.down.test' }], mailboxes: ['carl'] },
  },
  hosts: {
    'mx.tls.test': { starttls: true },
    'mx.down.test': { behavior: 'refuse' },
  },
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for.
const UNSAFE_IN_TEXT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}]/u;

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world?.close());

function options(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    port: world.smtpPort,
    heloName: 'probe.listclean.test',
    mailFrom: 'probe@listclean.test',
    timeouts: { connectMs: 2000, bannerMs: 2000, commandMs: 2000, quitMs: 2000 },
    pipelining: true,
    starttls: true,
    maxRcptsPerSession: 50,
    maxRejectsPerSession: 10,
    ...extra,
  };
}

function target(host: string): SmtpTarget {
  return { host, ip: world.hostIp(host) };
}

/** The transcript's event lines (header aside), without their times. */
function events(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.replace(/^ *\+\d+ms /, ''));
}

describe('a traced session', () => {
  it('records every command and reply with its time, named as the result says', async () => {
    const { recorder, finished } = collectingRecorder((n) => `t-${n}`);
    const result = await runSession(
      target('mx.plain.test'),
      ['alice@plain.test', 'nobody@plain.test'],
      options({ trace: recorder }),
    );
    expect(result.trace).toBe('t-1');
    expect(finished.map((t) => t.name)).toEqual(['t-1']);
    const text = finished[0]?.text() ?? '';
    expect(text).toMatch(/^# listclean SMTP transcript t-1\n# started \d{4}-\d\d-\d\dT/);
    expect(text).toContain(`# mx mx.plain.test ${world.hostIp('mx.plain.test')}:${world.smtpPort}`);
    expect(text).toContain('# egress the default route');
    const lines = events(text);
    expect(lines[0]).toMatch(/^\* {2}connected; our end of the socket is 127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^S: 220 /);
    expect(lines).toContain('C: EHLO probe.listclean.test');
    expect(lines).toContain('C: MAIL FROM:<probe@listclean.test>');
    expect(lines).toContain('C: RCPT TO:<alice@plain.test>');
    expect(lines).toContain('C: RCPT TO:<nobody@plain.test>');
    expect(lines.filter((line) => /^S: 250[ -]/.test(line)).length).toBeGreaterThan(2);
    expect(lines.some((line) => /^S: 550 5\.1\.1 /.test(line))).toBe(true);
    expect(lines).toContain('C: QUIT');
    expect(lines.at(-1)).toBe('*  session over: 2 RCPT answer(s)');
    expect(text).not.toMatch(/\bDATA\b/);
    // Times only go forward.
    const times = text.match(/\+(\d+)ms/g)?.map((t) => Number(t.slice(1, -2))) ?? [];
    expect(times.length).toBe(lines.length);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('notes the TLS upgrade and what was said after it', async () => {
    const { recorder, finished } = collectingRecorder((n) => `tls-${n}`);
    const result = await runSession(
      target('mx.tls.test'),
      ['bob@tls.test'],
      options({ trace: recorder }),
    );
    expect(result.tls).toBe(true);
    const lines = events(finished[0]?.text() ?? '');
    const tls = lines.findIndex((line) => line.startsWith('*  TLS established: TLSv1.'));
    expect(tls).toBeGreaterThan(lines.indexOf('C: STARTTLS'));
    expect(lines[tls]).toContain('certificate not verified');
    // EHLO again inside TLS, then the transaction.
    expect(lines.slice(tls).filter((line) => line.startsWith('C: EHLO'))).toHaveLength(1);
    expect(lines.slice(tls)).toContain('C: RCPT TO:<bob@tls.test>');
  });

  it('records a connection that fails, and why', async () => {
    const { recorder, finished } = collectingRecorder((n) => `down-${n}`);
    const result = await runSession(
      target('mx.down.test'),
      ['carl@down.test'],
      options({ trace: recorder }),
    );
    expect(result.failure).toMatchObject({ stage: 'connect' });
    expect(result.trace).toBe('down-1');
    const lines = events(finished[0]?.text() ?? '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\* {2}session ended early at connect \(connect_failed\): cannot connect/,
    );
  });

  it('shows a hostile reply’s control and format characters as escapes', async () => {
    const { recorder, finished } = collectingRecorder(() => 'evil');
    await runSession(target('mx.plain.test'), ['evil@plain.test'], options({ trace: recorder }));
    const text = finished[0]?.text() ?? '';
    expect(text).toContain('S: 550 5.1.1 \\x1b[2J\\u{202e}resu on <evil@plain.test>');
    // Newlines end lines; nothing else below U+0020 is left.
    expect(text).not.toMatch(UNSAFE_IN_TEXT);
  });

  it('is not recorded at all without a recorder', async () => {
    const result = await runSession(target('mx.plain.test'), ['alice@plain.test'], options());
    expect(result.trace).toBeNull();
  });

  it('names on every outcome the session that gave it, across sessions', async () => {
    const recorder = new TraceRecorder(
      (n) => `s${n}`,
      () => undefined,
    );
    const probed = await probeDomain(
      [target('mx.plain.test')],
      ['alice@plain.test', 'x1@plain.test', 'x2@plain.test', 'x3@plain.test'],
      { ...options({ trace: recorder }), maxRejectsPerSession: 2, midSessionRetries: 0 },
    );
    expect(probed.sessions).toBeGreaterThan(1);
    expect(recorder.opened).toBe(probed.sessions);
    const traces = [...probed.outcomes.values()].map((o) => o.trace);
    expect(traces.every((t) => t !== undefined && /^s\d+$/.test(t))).toBe(true);
    expect(new Set(traces).size).toBe(probed.sessions);
  });
});

describe('transcript text', () => {
  it('escapes every control and format character, and nothing else', () => {
    expect(printable('250 ok')).toBe('250 ok');
    expect(printable('a\tb\u0000c\u007f\u0085\u200bd\\')).toBe(
      'a\\x09b\\x00c\\x7f\\x85\\u{200b}d\\\\',
    );
    expect(printable('Grüße, 日本')).toBe('Grüße, 日本');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = printable(text);
        expect(shown).not.toMatch(UNSAFE);
      }),
    );
  });

  it('never shows proxy credentials', () => {
    expect(redactCredentials('eu1 (socks5://user:s3cret@10.0.0.5:1080)')).toBe(
      'eu1 (socks5://10.0.0.5:1080)',
    );
    const transcript = new Transcript('x', {
      target: { host: 'mx.example', ip: '192.0.2.1' },
      port: 25,
      egress: 'socks5://bob:hunter2@proxy.example:1080',
      heloName: 'h',
      mailFrom: 'm@h',
    });
    transcript.note('cannot reach socks5://bob:hunter2@proxy.example:1080');
    expect(transcript.text()).not.toContain('hunter2');
    expect(transcript.text()).toContain('# egress socks5://proxy.example:1080');
  });

  it('decodes UTF-8 replies, keeps other bytes, and bounds lines and transcripts', () => {
    const transcript = new Transcript('x', {
      target: { host: 'mx', ip: '2001:db8::1' },
      port: 25,
      egress: 'default',
      heloName: 'h',
      mailFrom: 'm@h',
    });
    transcript.received(Buffer.from('550 Benutzer unbekannt: Müller', 'utf8').toString('latin1'));
    transcript.received('550 \u00ff\u00fe');
    transcript.received(`550 ${'x'.repeat(5000)}`);
    for (let i = 0; i < 2100; i++) transcript.sent(`RCPT TO:<a${i}@x>`);
    const text = transcript.text();
    expect(text).toContain('# mx mx [2001:db8::1]:25');
    expect(text).toContain('S: 550 Benutzer unbekannt: Müller');
    expect(text).toContain('S: 550 ÿþ');
    expect(text).toContain(`S: 550 ${'x'.repeat(1020)}… (3980 more characters)`);
    expect(text).toMatch(/# … 103 more lines not kept \(limit 2000\)\n$/);
  });

  it('hands a transcript over once, and keeps nothing after its end', () => {
    const ended: string[] = [];
    const recorder = new TraceRecorder(
      (n) => `n${n}`,
      (t) => ended.push(t.name),
    );
    const context = {
      target: { host: 'mx', ip: '192.0.2.1' },
      port: 25,
      egress: 'default',
      heloName: 'h',
      mailFrom: 'm@h',
    };
    const a = recorder.open(context);
    const b = recorder.open(context);
    a.note('before');
    a.end();
    a.note('after');
    a.end();
    b.end();
    expect(ended).toEqual(['n1', 'n2']);
    expect(a.ended).toBe(true);
    expect(a.text()).toContain('*  before');
    expect(a.text()).not.toContain('after');
  });
});
