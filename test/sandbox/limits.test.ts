import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { openTransaction, RawSmtpClient } from './raw-smtp-client.ts';

const scenario: Scenario = {
  domains: {
    'soft.test': { mx: [{ host: 'mx.soft.test' }], mailboxes: ['alice'] },
    'hard.test': { mx: [{ host: 'mx.hard.test' }] },
    'grey.test': { mx: [{ host: 'mx.grey.test' }], mailboxes: ['alice'], greylist: { tries: 2 } },
    'greytime.test': { mx: [{ host: 'mx.grey.test' }], mailboxes: ['bob'], greylist: { ms: 300 } },
    'greyforever.test': { mx: [{ host: 'mx.grey.test' }], catchAll: true, greylist: { tries: -1 } },
    'busy.test': { mx: [{ host: 'mx.busy.test' }], catchAll: true },
    'capped.test': { mx: [{ host: 'mx.capped.test' }], catchAll: true },
    'rated.test': { mx: [{ host: 'mx.rated.test' }], catchAll: true },
  },
  hosts: {
    'mx.soft.test': { errorLimits: { soft: 10, hard: 20, sleepMs: 200 } },
    'mx.hard.test': { errorLimits: { soft: 10, hard: 20, sleepMs: 20 } },
    'mx.grey.test': { errorLimits: false },
    'mx.capped.test': { maxConcurrent: 2 },
    'mx.rated.test': { rateLimit: { rcpts: 3, windowMs: 400 } },
  },
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world.close());

const open = (host: string, mailFrom?: string, localAddress?: string) =>
  openTransaction(world.hostIp(host), world.smtpPort, mailFrom, localAddress);

describe('Postfix-like error limits', () => {
  it('after 10 rejected RCPTs every reply waits sleepMs, RSET included', async () => {
    const client = await open('mx.soft.test');
    for (let i = 1; i <= 10; i++) {
      const rejected = await client.command(`RCPT TO:<nobody${i}@soft.test>`);
      expect(rejected.code).toBe(550);
      expect(rejected.elapsedMs).toBeLessThan(150);
    }
    const eleventh = await client.command('RCPT TO:<alice@soft.test>');
    expect(eleventh.code).toBe(250);
    expect(eleventh.elapsedMs).toBeGreaterThanOrEqual(195);
    expect((await client.command('RSET')).elapsedMs).toBeGreaterThanOrEqual(195);
    // RSET did not forgive the errors.
    expect((await client.command('NOOP')).elapsedMs).toBeGreaterThanOrEqual(195);
    client.close();
  });

  it('the 20th rejection is followed by 421 too many errors and a hang-up', async () => {
    const client = await open('mx.hard.test');
    for (let i = 1; i <= 20; i++) {
      expect((await client.command(`RCPT TO:<nobody${i}@hard.test>`)).code).toBe(550);
    }
    expect((await client.reply()).raw).toBe('421 4.7.0 mx.hard.test Error: too many errors\r\n');
    expect(await client.closesWithin(1000)).toBe(true);
  });

  it('answers at most 20 pipelined rejections before the 421', async () => {
    const client = await open('mx.hard.test');
    const rcpts = Array.from({ length: 25 }, (_, i) => `RCPT TO:<piped${i}@hard.test>\r\n`);
    client.socket.write(rcpts.join(''));
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await client.reply()).code);
    expect(codes).toEqual([...Array(20).fill(550), 421]);
    expect(await client.closesWithin(1000)).toBe(true);
    expect(world.stats('mx.hard.test').rcptsByAddress['piped24@hard.test']).toBe(1);
  });
});

describe('greylisting', () => {
  it('defers a triplet for its first `tries` attempts, then lets it through for good', async () => {
    const replies: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const client = await open('mx.grey.test', 'sender@probe.test');
      replies.push((await client.command('RCPT TO:<alice@grey.test>')).raw.trim());
      client.close();
    }
    const greylisted =
      '450 4.2.0 <alice@grey.test>: Recipient address rejected: Greylisted, ' +
      'see http://postgrey.schweikert.ch/help/grey.test.html';
    expect(replies).toEqual([greylisted, greylisted, '250 2.1.5 Ok', '250 2.1.5 Ok']);
  });

  it('starts over for another MAIL FROM or another client IP', async () => {
    const otherSender = await open('mx.grey.test', 'someone-else@probe.test');
    expect((await otherSender.command('RCPT TO:<alice@grey.test>')).code).toBe(450);
    otherSender.close();
    const otherIp = await open('mx.grey.test', 'sender@probe.test', '127.0.0.77');
    expect((await otherIp.command('RCPT TO:<alice@grey.test>')).code).toBe(450);
    otherIp.close();
    expect(world.stats('mx.grey.test').clientIps).toContain('127.0.0.77');
  });

  it('hides whether the mailbox exists until the triplet passes', async () => {
    const client = await open('mx.grey.test', 'hider@probe.test');
    expect((await client.command('RCPT TO:<nobody@grey.test>')).code).toBe(450);
    expect((await client.command('RCPT TO:<nobody@grey.test>')).code).toBe(450);
    expect((await client.command('RCPT TO:<nobody@grey.test>')).code).toBe(550);
    client.close();
  });

  it('with `ms`, defers until that long after the first attempt', async () => {
    const client = await open('mx.grey.test');
    expect((await client.command('RCPT TO:<bob@greytime.test>')).code).toBe(450);
    expect((await client.command('RCPT TO:<bob@greytime.test>')).code).toBe(450);
    await sleep(320);
    expect((await client.command('RCPT TO:<bob@greytime.test>')).code).toBe(250);
    client.close();
  });

  it('with tries -1, defers forever', async () => {
    const client = await open('mx.grey.test');
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await client.command('RCPT TO:<x@greyforever.test>')).code).toBe(450);
    }
    client.close();
  });
});

describe('concurrency', () => {
  it('counts concurrent sessions', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => open('mx.busy.test')));
    const stats = world.stats('mx.busy.test');
    expect(stats.currentSessions).toBe(3);
    expect(stats.maxConcurrentSessions).toBe(3);
    for (const client of clients) client.close();
    await Promise.all(clients.map((client) => client.closed));
    await waitFor(() => stats.currentSessions === 0);
    expect(stats.maxConcurrentSessions).toBe(3);
    expect(stats.sessions).toBe(3);
  });

  it('turns away sessions over maxConcurrent with a 421', async () => {
    const ip = world.hostIp('mx.capped.test');
    const first = await open('mx.capped.test');
    const second = await open('mx.capped.test');
    const third = await RawSmtpClient.connect(ip, world.smtpPort);
    expect((await third.reply()).raw).toBe(
      '421 4.7.0 Too many concurrent SMTP connections; try again later\r\n',
    );
    expect(await third.closesWithin(1000)).toBe(true);
    const stats = world.stats('mx.capped.test');
    expect(stats.turnedAway).toBe(1);
    expect(stats.maxConcurrentSessions).toBe(3);
    first.close();
    await waitFor(() => stats.currentSessions === 1);
    const fourth = await open('mx.capped.test');
    expect((await fourth.command('RCPT TO:<a@capped.test>')).code).toBe(250);
    second.close();
    fourth.close();
  });
});

describe('rate limit', () => {
  it('answers 421 4.7.28 once the RCPT budget is spent, until the window ends', async () => {
    const client = await open('mx.rated.test');
    for (let i = 0; i < 3; i++) {
      expect((await client.command(`RCPT TO:<a${i}@rated.test>`)).code).toBe(250);
    }
    const limited = await client.command('RCPT TO:<a3@rated.test>');
    expect(limited.raw).toMatch(/^421 4\.7\.28 .*rate limited\r\n$/);
    expect(await client.closesWithin(1000)).toBe(true);

    const again = await RawSmtpClient.connect(world.hostIp('mx.rated.test'), world.smtpPort);
    expect((await again.reply()).raw).toMatch(/^421 4\.7\.28 /);
    again.close();

    await sleep(420);
    const later = await open('mx.rated.test');
    expect((await later.command('RCPT TO:<a4@rated.test>')).code).toBe(250);
    later.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
