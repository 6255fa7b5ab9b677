/**
 * Child processes of the benchmark: TypeScript bench children (bench/child.ts, run through tsx,
 * like bin/listclean.mjs) that report one JSON result, `listclean worker` processes, and the peak
 * resident memory of a running process read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.resolve(HERE, '../../bin/listclean.mjs');
const CHILD = path.resolve(HERE, '../child.ts');
const RESULT_MARK = 'BENCH_RESULT ';

/**
 * Runs bench/child.ts with `job` and resolves with the JSON it prints after `BENCH_RESULT`.
 * The child's stderr passes through, so a failure says why.
 */
export function runChild<T>(job: unknown, env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_MARK.length)) as T);
      else reject(new Error(`bench child exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** What a child prints as its last word (see runChild). */
export function reportResult(result: unknown): void {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/**
 * Starts `listclean worker` and resolves once it logged its start line. That line is logged at
 * `info`, so the worker runs at LOG_LEVEL=info whatever `env` says (at `warn` it never says it
 * started); its log is read up to that line, then thrown away.
 */
export function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--grace', '2s'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave it behind: a worker that did not say it started may still be running.
      child.kill('SIGKILL');
      reject(new Error(`worker did not start: ${stderr}`));
    }, 30_000);
    child.stderr?.on('data', (chunk) => {
      if (started) return;
      stderr += chunk;
      if (stderr.includes('listclean worker: pid')) {
        started = true;
        stderr = '';
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}

/** Stops a worker with SIGTERM (SIGKILL after `graceMs`) and waits for it to exit. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Peak resident set (VmHWM) of a live process, in bytes; 0 if it cannot be read. */
export async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** CPU time (user + system) a live process has used so far, in ms; 0 if it cannot be read. */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces) start at index 2 of the split.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
