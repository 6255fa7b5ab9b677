/**
 * A real `listclean serve` and `listclean worker`: both listen only on the interface HOST names
 * (127.0.0.2 here: its port answers, the same port on 127.0.0.1 refuses), and the server's
 * request log (on stderr, with every other log line) never holds a secret query value — `api_key`, `apikey`,
 * `access_token`, `key`, `token`, `sig`, `password` — while other parameters stay readable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';
import { freePort } from '../helpers/redis-server.ts';
import { ACME_KEY, API_KEYS, NO_WORLD } from './helpers.ts';

const HOST = '127.0.0.2';

let harness: PipelineHarness;

beforeAll(async () => {
  harness = await startHarness(NO_WORLD, { API_KEYS });
});

afterAll(async () => {
  await harness?.close();
});

/** Whether something accepts TCP connections on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

/** Resolves once `url` answers at all (the server listens). */
async function answer(url: string, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('listclean serve with HOST', () => {
  let child: ChildProcess;
  let port: number;
  let output = { stdout: '', stderr: () => '' };

  beforeAll(async () => {
    port = await freePort();
    child = track(
      spawn(process.execPath, [BIN, 'serve'], {
        env: {
          ...process.env,
          ...harness.env,
          PORT: String(port),
          HOST,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    child.stdout?.on('data', (chunk) => {
      output.stdout += chunk;
    });
    const { stderr } = await waitForStderr(child, 'listening on', 25_000);
    output = { ...output, stderr };
  }, 30_000);

  afterAll(async () => {
    if (child) await stopChild(child);
  });

  it('listens on HOST only', async () => {
    expect((await fetch(`http://${HOST}:${port}/healthz`)).status).toBe(200);
    expect(await accepts(HOST, port)).toBe(true);
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });

  it('logs requests without the values of secret query parameters', async () => {
    // Raw query names as sent (the last one percent-encoded: the server reads it as api_key).
    const secrets: [string, string][] = [
      ['api_key', 'secret-api-key-1111'],
      ['apikey', 'secret-apikey-2222'],
      ['access_token', 'secret-access-token-3333'],
      ['key', 'secret-key-4444'],
      ['token', 'secret-token-5555'],
      ['sig', 'secret-sig-6666'],
      ['password', 'secret-password-7777'],
      ['X-Api-Key', 'secret-x-api-key-8888'],
      ['api%5Fkey', 'secret-encoded-9999'],
    ];
    const query = [
      ...secrets.map(([name, value]) => `${name}=${value}`),
      'note=visible-value',
    ].join('&');
    const response = await fetch(`http://${HOST}:${port}/v1/lists?${query}`, {
      headers: { authorization: `Bearer ${ACME_KEY}` },
    });
    expect(response.status).toBeLessThan(500);
    const deadline = Date.now() + 10_000;
    const log = () => output.stderr();
    while (!log().includes('request completed') || !log().includes('visible-value')) {
      if (Date.now() > deadline) throw new Error(`no request log line: ${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const logged = log()
      .split('\n')
      .filter((line) => line.includes('/v1/lists?'))
      .map((line) => JSON.parse(line) as { req?: { url?: string } });
    const urls = logged.flatMap((line) => (line.req?.url ? [line.req.url] : []));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      for (const [name] of secrets) expect(url).toContain(`${name}=[redacted]`);
      expect(url).toContain('note=visible-value');
    }
    for (const [, value] of secrets) expect(log()).not.toContain(value);
    expect(log()).not.toContain(ACME_KEY);
    // Every line is on stderr: stdout stays empty.
    expect(output.stdout).toBe('');
  });
});

describe('listclean worker with HOST', () => {
  it('serves its health port on HOST only', async () => {
    const port = await freePort();
    const worker = await harness.spawnWorker({ WORKER_PORT: String(port), HOST });
    try {
      expect((await answer(`http://${HOST}:${port}/healthz`)).status).toBe(200);
      expect(await accepts(HOST, port)).toBe(true);
      expect(await accepts('127.0.0.1', port)).toBe(false);
    } finally {
      await stopChild(worker);
    }
  }, 30_000);
});
