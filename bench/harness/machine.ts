/** The machine and checkout a bench runs on: printed at the top and bottom of the report. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  node: string;
  cores: number;
  cpu: string;
  ramGb: number;
  platform: string;
  release: string;
  startedAt: string;
  commit: string;
  load: string;
}

export function commit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'workers', 'bin') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/workers' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** The 1, 5 and 15 minute load averages. */
export function load(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

export function machineInfo(): MachineInfo {
  return {
    node: process.version,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? '',
    ramGb: Math.round(os.totalmem() / 2 ** 30),
    platform: os.platform(),
    release: os.release(),
    startedAt: new Date().toISOString(),
    commit: commit(),
    load: load(),
  };
}
