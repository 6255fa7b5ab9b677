/** The fault suite's hostile hosts: a banner that drips forever, and a huge line of any size. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { RawSmtpClient } from './raw-smtp-client.ts';

let world: SandboxWorld;
beforeAll(async () => {
  world = await startWorld({
    domains: {
      'drip.test': { mx: [{ host: 'mx.drip.test' }], catchAll: true },
      'long.test': { mx: [{ host: 'mx.long.test' }], catchAll: true },
    },
    hosts: {
      'mx.drip.test': { behavior: 'drip', latencyMs: 20 },
      'mx.long.test': { behavior: 'huge-line', hugeLineBytes: 2 * 1024 * 1024 },
    },
  });
});
afterAll(() => world.close());

describe('slow and long hosts', () => {
  it('drip: a byte at a time, never a line end', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.drip.test'), world.smtpPort);
    const first = await client.waitForBytes(3, 2000);
    expect(first).toBeGreaterThanOrEqual(3);
    // 20 ms a byte: far fewer bytes than a burst would bring, and still coming.
    const got = await client.waitForBytes(1000, 600);
    expect(got).toBeGreaterThan(5);
    expect(got).toBeLessThan(100);
    const bytes = client.takeBuffered();
    expect(bytes.subarray(0, 4).toString()).toBe('220-');
    expect(bytes.includes('\n')).toBe(false);
    client.close();
  });

  it('huge-line: hugeLineBytes sets its length (2 MiB here)', async () => {
    const client = await RawSmtpClient.connect(world.hostIp('mx.long.test'), world.smtpPort);
    expect(await client.waitForBytes(2 * 1024 * 1024, 10_000)).toBe(2 * 1024 * 1024);
    const bytes = client.takeBuffered();
    expect(bytes.subarray(0, 4).toString()).toBe('220 ');
    expect(bytes.includes('\n')).toBe(false);
    client.close();
  });
});
