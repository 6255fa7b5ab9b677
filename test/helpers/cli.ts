/** Runs the real `listclean` executable (bin/listclean.mjs) as a child process. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { stopChild, track } from './children.ts';
import { REDIS_URL } from './redis-url.ts';

export const BIN = path.resolve('bin/listclean.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The child gets the test Redis as REDIS_URL unless `env` names another one, and is stopped when
 * it overruns `timeoutMs` or its test file ends.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, REDIS_URL, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      void stopChild(child, 2000);
      reject(new Error(`listclean ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
