import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostBehavior, SandboxWorld, Scenario } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { RawSmtpClient } from './raw-smtp-client.ts';

const behaviours: HostBehavior[] = [
  'tarpit',
  'silent',
  'drop-after-banner',
  'drop-mid-session',
  'garbage',
  'huge-line',
  'banner-554',
  'banner-421',
  'refuse',
];

/** One domain per behaviour: `<behaviour>.test`, served by `mx.<behaviour>.test`. */
const scenario: Scenario = {
  domains: Object.fromEntries(
    behaviours.map((b) => [`${b}.test`, { mx: [{ host: `mx.${b}.test` }], catchAll: true }]),
  ),
  hosts: Object.fromEntries(behaviours.map((b) => [`mx.${b}.test`, { behavior: b }])),
};

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld(scenario);
});
afterAll(() => world.close());

const connect = (behaviour: HostBehavior) =>
  RawSmtpClient.connect(world.hostIp(`mx.${behaviour}.test`), world.smtpPort);

describe('hostile hosts', () => {
  it('tarpit: accepts the connection and never sends a byte', async () => {
    const client = await connect('tarpit');
    client.send('EHLO probe.test');
    expect(await client.waitForBytes(1, 300)).toBe(0);
    expect(await client.closesWithin(0)).toBe(false);
    const stats = world.stats('mx.tarpit.test');
    expect(stats.currentSessions).toBe(1);
    expect(stats.commands).toEqual(['EHLO probe.test']);
    client.close();
  });

  it('silent: greets, then never answers', async () => {
    const client = await connect('silent');
    expect((await client.reply()).code).toBe(220);
    client.send('EHLO probe.test');
    expect(await client.waitForBytes(1, 300)).toBe(0);
    expect(world.stats('mx.silent.test').commands).toEqual(['EHLO probe.test']);
    client.close();
  });

  it('drop-after-banner: greets, then closes', async () => {
    const client = await connect('drop-after-banner');
    expect((await client.reply()).code).toBe(220);
    expect(await client.closesWithin(1000)).toBe(true);
  });

  it('drop-mid-session: closes without a reply on the first RCPT', async () => {
    const client = await connect('drop-mid-session');
    await client.reply();
    expect((await client.command('EHLO probe.test')).code).toBe(250);
    expect((await client.command('MAIL FROM:<p@probe.test>')).code).toBe(250);
    client.send('RCPT TO:<a@drop-mid-session.test>');
    expect(await client.closesWithin(1000)).toBe(true);
    expect(client.takeBuffered().length).toBe(0);
    expect(world.stats('mx.drop-mid-session.test').rcpts).toBe(1);
  });

  it('garbage: sends bytes that are not SMTP replies', async () => {
    const client = await connect('garbage');
    await client.waitForBytes(1, 1000);
    const banner = client.takeBuffered().toString('latin1');
    expect(banner).not.toMatch(/^\d{3}[ -]/);
    client.send('EHLO probe.test');
    await client.waitForBytes(1, 1000);
    expect(client.takeBuffered().toString('latin1')).not.toMatch(/^\d{3}[ -]/);
    client.close();
  });

  it('huge-line: sends 1 MiB without a line end', async () => {
    const client = await connect('huge-line');
    const received = await client.waitForBytes(1024 * 1024, 5000);
    expect(received).toBe(1024 * 1024);
    const bytes = client.takeBuffered();
    expect(bytes.subarray(0, 4).toString()).toBe('220 ');
    expect(bytes.includes('\n')).toBe(false);
    client.close();
  });

  it('banner-554: refuses every command with 503 until QUIT', async () => {
    const client = await connect('banner-554');
    const banner = await client.reply();
    expect(banner.code).toBe(554);
    expect(banner.raw).toContain('5.7.1');
    expect((await client.command('EHLO probe.test')).code).toBe(503);
    expect((await client.command('MAIL FROM:<p@probe.test>')).code).toBe(503);
    expect((await client.command('QUIT')).code).toBe(221);
    expect(await client.closesWithin(1000)).toBe(true);
  });

  it('banner-421: says try later and closes', async () => {
    const client = await connect('banner-421');
    const banner = await client.reply();
    expect(banner.code).toBe(421);
    expect(banner.raw).toMatch(/^421 4\.7\.0 mx\.banner-421\.test /);
    expect(await client.closesWithin(1000)).toBe(true);
  });

  it('refuse: has an address that nothing listens on', async () => {
    const ip = world.hostIp('mx.refuse.test');
    expect(ip).toMatch(/^127\./);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = net.connect({ host: ip, port: world.smtpPort });
      socket.on('error', resolve);
      socket.on('connect', () => socket.destroy());
    });
    expect(error.code).toBe('ECONNREFUSED');
  });
});
