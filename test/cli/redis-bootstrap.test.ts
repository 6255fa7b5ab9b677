import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRedis, type RedisHandle } from '../../src/cli/redis-bootstrap.ts';
import { REDIS_URL } from '../helpers/redis-url.ts';

// A private redis-server this file started is stopped even when an expectation failed.
const handles: RedisHandle[] = [];
afterAll(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.stop()));
});

describe('ensureRedis', () => {
  it('uses the configured Redis when it answers', async () => {
    const handle = await ensureRedis(REDIS_URL, false, () => {});
    handles.push(handle);
    expect(handle).toMatchObject({ url: REDIS_URL, private: false });
  });

  it('starts a private redis-server when the default does not answer, says so, and stops it', async () => {
    const messages: string[] = [];
    // Port 1: a Redis that is not there.
    const handle = await ensureRedis('redis://127.0.0.1:1', false, (m) => messages.push(m));
    handles.push(handle);
    expect(handle.private).toBe(true);
    expect(messages.join('\n')).toMatch(
      /no Redis at redis:\/\/127\.0\.0\.1:1; started a private one at redis:\/\/127\.0\.0\.1:\d+/,
    );
    const client = new Redis(handle.url);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
    handles.splice(handles.indexOf(handle), 1);
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
