import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRedis, type RedisHandle } from '../../src/cli/redis-bootstrap.ts';
import { stopChild, track } from '../helpers/children.ts';
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

describe('a private redis-server', () => {
  it('stops when the command that started it is killed outright (SIGKILL)', async () => {
    // A command that starts one and then hangs, killed the way an OOM killer would.
    const script = [
      "import { ensureRedis } from './src/cli/redis-bootstrap.ts';",
      "const handle = await ensureRedis('redis://127.0.0.1:1', false, () => {});",
      "process.stdout.write(handle.url + '\\n');",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = track(
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before starting Redis`)));
    });
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = new Redis(url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    await stopChild(child, 0);
    const deadline = Date.now() + 10_000;
    let stillThere = true;
    while (stillThere && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const probe = new Redis(url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => {});
      stillThere = await probe.connect().then(
        () => true,
        () => false,
      );
      probe.disconnect();
    }
    expect(stillThere).toBe(false);
  }, 30_000);
});
