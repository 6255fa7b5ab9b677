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
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) {
    throw new ListcleanError(
      'redis_unavailable',
      `No Redis at ${url} and redis-server is not installed. Install Redis 7 (apt-get install redis-server) or set REDIS_URL.`,
    );
  }
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(privateUrl)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(`no Redis at ${url}; started a private one at ${privateUrl} (stopped when done)`);
  return {
    url: privateUrl,
    private: true,
    stop: async () => {
      // A server that already died has nothing to wait for (its exit event is long gone).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
