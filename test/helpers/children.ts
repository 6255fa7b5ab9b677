/**
 * Every child process a test starts (`listclean` runs, workers, servers) is tracked here, so
 * none outlives its test file even when the test fails or times out: importing this module
 * (directly, or through cli.ts and pipeline.ts) registers an afterAll that stops whatever is
 * still running, and an exit of the test process kills what is left.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';

// One set per test process, even if this module is evaluated once per test file.
const shared = globalThis as typeof globalThis & { __listcleanTestChildren?: Set<ChildProcess> };
const live = shared.__listcleanTestChildren ?? new Set<ChildProcess>();
if (!shared.__listcleanTestChildren) {
  shared.__listcleanTestChildren = live;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

const hasExited = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/** Tracks `child` until it exits; returns it. */
export function track<T extends ChildProcess>(child: T): T {
  if (hasExited(child)) return child;
  live.add(child);
  child.once('exit', () => live.delete(child));
  // A spawn that failed has no process to stop.
  child.once('error', () => {
    if (child.pid === undefined) live.delete(child);
  });
  return child;
}

/**
 * Stops `child` and resolves once it has exited: SIGTERM first (a `clean` then stops a private
 * redis-server of its own, a worker finishes its jobs), SIGKILL after `graceMs`; `graceMs` 0
 * kills at once.
 */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
  await exited;
  clearTimeout(timer);
}

/** Stops every tracked child still running. */
export async function stopChildren(graceMs = 5000): Promise<void> {
  const children = [...live];
  live.clear();
  await Promise.all(children.map((child) => stopChild(child, graceMs)));
}

afterAll(() => stopChildren(), 30_000);

/**
 * Collects `child`'s stderr and resolves once it contains `marker` (a start line); rejects with
 * what it printed if it exits first or stays silent for `timeoutMs`. `stderr()` reads what has
 * been printed so far, then and later.
 */
export async function waitForStderr(
  child: ChildProcess,
  marker: string,
  timeoutMs = 20_000,
): Promise<{ stderr: () => string }> {
  let text = '';
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${marker}" within ${timeoutMs} ms: ${text}`)),
      timeoutMs,
    );
    const check = () => {
      if (!text.includes(marker)) return;
      clearTimeout(timer);
      child.stderr?.off('data', check);
      resolve();
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${marker}": ${text}`));
    });
  });
  return { stderr: () => text };
}
