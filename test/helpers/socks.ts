/**
 * A real SOCKS5 server for tests: Debian's `microsocks` (`.ci/run` installs it) on a free
 * loopback port, with user/password when asked, tracked so it never outlives its test file.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { stopChild, track } from './children.ts';
import { freePort } from './redis-server.ts';

export interface RunningSocks {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startSocks(
  auth?: { user: string; password: string },
  bindAddress?: string,
): Promise<RunningSocks> {
  const port = await freePort();
  const args = ['-i', '127.0.0.1', '-p', String(port)];
  if (auth) args.push('-u', auth.user, '-P', auth.password);
  // -b: the address its outgoing connections leave from (an egress of its own).
  if (bindAddress) args.push('-b', bindAddress);
  const child = track(spawn('microsocks', args, { stdio: 'ignore' }));
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) {
    throw new Error('microsocks is not installed: apt-get install microsocks (.ci/run does)');
  }
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const credentials = auth ? `${auth.user}:${auth.password}@` : '';
  return {
    port,
    url: `socks5://${credentials}127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}
