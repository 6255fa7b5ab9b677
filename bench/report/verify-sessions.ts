/**
 * Markdown for the verify-sessions benchmark: its heading from the world (OneDomainWorld), the
 * table from the results (VerifySessionsBench).
 */
import type { VerifyRow, VerifySessionsBench } from '../cases/verify-sessions.ts';
import type { OneDomainWorld } from '../worlds/one-domain.ts';
import { int, ms, table } from './markdown.ts';

export function variantLabel(row: VerifyRow): string {
  switch (row.variant) {
    case 'pipelining':
      return 'listclean: shared sessions, pipelining (in process)';
    case 'no pipelining':
      return 'listclean: shared sessions, no pipelining';
    case 'cli':
      return '`listclean verify` CLI (process start included)';
    case 'naive': {
      const at = (row.concurrency ?? 1) === 1 ? 'sequential' : `${row.concurrency} at once`;
      return `naive: one connection per address, ${at}`;
    }
  }
}

export function verifySessionsTitle(world: OneDomainWorld): string {
  return (
    `${int(world.existing + world.missing)} addresses at one domain (${int(world.existing)} ` +
    `exist, ${int(world.missing)} do not), ${ms(world.latencyMs)} sandbox reply latency`
  );
}

export function verifySessionsTable(bench: VerifySessionsBench): string {
  const base = bench.rows[0]?.ms ?? 1;
  return table(
    ['variant', 'wall time', 'vs listclean', 'sessions', 'RCPTs', 'max concurrent'],
    bench.rows.map((r) => [
      variantLabel(r),
      `${(r.ms / 1000).toFixed(2)} s`,
      `${(r.ms / base).toFixed(1)}×`,
      r.sessions,
      r.rcpts,
      r.maxConcurrent,
    ]),
  );
}

/** The whole section, its heading first. */
export function verifySessionsSection(world: OneDomainWorld, bench: VerifySessionsBench): string {
  return [`## ${verifySessionsTitle(world)}`, verifySessionsTable(bench)].join('\n\n');
}
