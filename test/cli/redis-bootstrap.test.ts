import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ensureRedis } from '../../src/cli/redis-bootstrap.ts';

describe('ensureRedis', () => {
  it('uses the configured Redis when it answers', async () => {
    const handle = await ensureRedis('redis://127.0.0.1:6379', false, () => {});
    expect(handle).toMatchObject({ url: 'redis://127.0.0.1:6379', private: false });
  });

  it('starts a private redis-server when the default does not answer, says so, and stops it', async () => {
    const messages: string[] = [];
    const handle = await ensureRedis('redis://127.0.0.1:1', false, (m) => messages.push(m));
    expect(handle.private).toBe(true);
    expect(messages.join('\n')).toMatch(
      /no Redis at redis:\/\/127\.0\.0\.1:1; started a private one at redis:\/\/127\.0\.0\.1:\d+/,
    );
    const client = new Redis(handle.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await handle.stop();
    const after = new Redis(handle.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    after.on('error', () => {});
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });

  it('does not start one when REDIS_URL was set explicitly', async () => {
    await expect(ensureRedis('redis://127.0.0.1:1', true, () => {})).rejects.toThrow(
      /Cannot reach Redis/,
    );
  });
});
