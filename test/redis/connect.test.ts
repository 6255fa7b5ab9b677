/** createRedis connects, or fails within its timeout with an error a user can act on. */

import { createServer, type Server } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis/index.ts';
import { REDIS_URL } from './redis-fixture.ts';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server that accepts connections and reads, but never says a word. */
async function silentServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.resume());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

describe('createRedis', () => {
  it('returns a ready client that waits out reconnections (BullMQ-compatible)', async () => {
    const client = await createRedis(REDIS_URL, { prefix: 'lctest:' });
    try {
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      const { options } = client as Redis;
      expect(options.maxRetriesPerRequest).toBeNull();
      expect(options.enableReadyCheck).toBe(true);
      expect(options.keyPrefix ?? '').toBe('');
      expect(await client.client('GETNAME')).toBe('lctest');
    } finally {
      await client.quit();
    }
  });

  it('fails fast with redis_unavailable when the port is closed', async () => {
    const { port, server } = await silentServer();
    await new Promise((resolve) => server.close(resolve));
    const started = Date.now();
    const error = await createRedis(`redis://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: 'redis_unavailable' });
    expect((error as Error).message).toMatch(
      new RegExp(`^Cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect((error as Error).message).toMatch(/redis-server.*REDIS_URL/);
  });

  it('gives up on a server that never answers, without printing its password', async () => {
    const { port } = await silentServer();
    const started = Date.now();
    const error = await createRedis(`redis://user:hunter2@127.0.0.1:${port}`, {
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'redis_unavailable' });
    expect((error as Error).message).not.toContain('hunter2');
  });
});
