/**
 * `@bull-board/*` (the operator dashboard and its UI) is loaded only when ADMIN_KEY is set: a real
 * `listclean serve` runs with a module resolve hook (`module.register`, Node ≥ 20.6) that logs
 * every specifier the ESM loader resolves, and the log is read once the server has answered a
 * request. With ADMIN_KEY the same log shows the dashboard, so the hook is known to see it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { ADMIN_KEY, API_KEYS } from './helpers.ts';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.LISTCLEAN_RESOLVE_LOG, specifier + ' ' + result.url + '\\n');
  return result;
}
`;
const REGISTER = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let dir: string;
const prefix = `lctest-admin-lazy-${process.pid}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-admin-lazy-'));
  await writeFile(path.join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(path.join(dir, 'register.mjs'), REGISTER);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await deleteTestPrefix(prefix);
});

/**
 * Starts `listclean serve` with the resolve log, asks /admin/queues once with the admin key,
 * stops it; returns the logged specifiers and URLs and the dashboard's HTTP status.
 */
async function serveAndLog(adminKey: string): Promise<{ resolved: string; status: number }> {
  const name = adminKey === '' ? 'without' : 'with';
  const log = path.join(dir, `resolved-${name}.log`);
  await writeFile(log, '');
  const port = await freePort();
  const child: ChildProcess = track(
    spawn(process.execPath, ['--import', path.join(dir, 'register.mjs'), BIN, 'serve'], {
      env: {
        ...process.env,
        LISTCLEAN_RESOLVE_LOG: log,
        REDIS_URL,
        REDIS_PREFIX: `${prefix}-${name}`,
        API_KEYS,
        ADMIN_KEY: adminKey,
        PORT: String(port),
        HOST: '127.0.0.1',
        STORAGE_URL: `file:${path.join(dir, `storage-${name}`)}`,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  try {
    await waitForStderr(child, 'listening on', 25_000);
    const response = await fetch(`http://127.0.0.1:${port}/admin/queues`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    await response.arrayBuffer();
    return { resolved: await readFile(log, 'utf8'), status: response.status };
  } finally {
    await stopChild(child, 10_000);
  }
}

describe('the queue dashboard is loaded on demand', () => {
  it('listclean serve without ADMIN_KEY never loads @bull-board', async () => {
    const { resolved, status } = await serveAndLog('');
    expect(status).toBe(404);
    // The log does see the server's own packages …
    expect(resolved).toMatch(/^fastify /m);
    expect(resolved).toMatch(/^bullmq /m);
    // … and nothing of the dashboard.
    expect(resolved).not.toContain('@bull-board');
  }, 45_000);

  it('with ADMIN_KEY, it loads @bull-board and serves the dashboard', async () => {
    const { resolved, status } = await serveAndLog(ADMIN_KEY);
    expect(status).toBe(200);
    expect(resolved).toMatch(/^@bull-board\/api /m);
    expect(resolved).toMatch(/^@bull-board\/fastify /m);
  }, 45_000);
});
