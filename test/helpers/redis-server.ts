/**
 * A private redis-server for tests that need a Redis of their own (a cache that evicts, a
 * server that goes away): on a free loopback port, nothing on disk, tracked so it never
 * outlives its test file, and resolved only once it answers PING.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { stopChild, track } from './children.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** SIGKILL: gone at once, as in a crash. */
  kill(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  const redis = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts redis-server with `args` added to a disk-less loopback config, on `fixedPort` (default:
 * a free one — give the old port to start it again after a stop).
 */
export async function startPrivateRedis(
  args: string[] = [],
  timeoutMs = 10_000,
  fixedPort?: number,
): Promise<PrivateRedis> {
  const port = fixedPort ?? (await freePort());
  const child: ChildProcess = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
      { stdio: 'ignore' },
    ),
  );
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      await stopChild(child, 0);
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(child),
    kill: () => stopChild(child, 0),
  };
}
