/**
 * Redis for `clean` and `demo`: the configured one if it answers; otherwise, when REDIS_URL was
 * not set and `redis-server` is installed, a private one on a free port for the length of the
 * command (said on stderr); otherwise a one-line error that says how to get Redis.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { ListcleanError } from '../errors.ts';
import { createRedis } from '../redis/connect.ts';

export interface RedisHandle {
  url: string;
  /** True when we started it (and `stop` ends it). */
  private: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const client = await createRedis(url, { connectTimeoutMs: 1000 });
    client.disconnect();
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function ensureRedis(
  url: string,
  explicitlySet: boolean,
  log: (message: string) => void,
): Promise<RedisHandle> {
  if (await answers(url)) return { url, private: false, stop: async () => {} };
  if (explicitlySet) {
    throw new ListcleanError(
      'redis_unavailable',
      `Cannot reach Redis at ${url}. Start it, or unset REDIS_URL to let listclean start a private one.`,
    );
  }
  const port = await freePort();
  // redis-server under a tiny shell that holds a pipe from us: when this process ends in any
  // way — SIGKILL and out-of-memory included — the pipe closes, `read` returns and the shell
  // stops the server, so a private Redis never outlives its command.
  const child = spawn(
    'sh',
    [
      '-c',
      'command -v redis-server >/dev/null 2>&1 || exit 127; redis-server "$@" & pid=$!; read _; kill $pid 2>/dev/null; wait $pid',
      'listclean-redis',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  const privateUrl = `redis://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; spawned && exitCode === undefined && i < 50; i++) {
    ready = await answers(privateUrl);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!ready) {
    child.stdin?.end();
    throw new ListcleanError(
      'redis_unavailable',
      !spawned || exitCode === 127
        ? `No Redis at ${url} and redis-server is not installed. Install Redis 7 (apt-get install redis-server) or set REDIS_URL.`
        : `No Redis at ${url}, and a private redis-server on port ${port} ${exitCode === undefined ? 'did not answer within 5 s' : `exited with code ${exitCode}`}. Start Redis yourself and set REDIS_URL.`,
    );
  }
  log(`no Redis at ${url}; started a private one at ${privateUrl} (stopped when done)`);
  return {
    url: privateUrl,
    private: true,
    stop: async () => {
      // A server that already died has nothing to wait for (its exit event is long gone).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Closing the pipe is the stop signal: the shell stops the server and waits for it.
      child.stdin?.end();
      await exited;
    },
  };
}
