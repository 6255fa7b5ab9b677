/**
 * Bench: 100 addresses at one sandbox domain with 20 ms reply latency, verified the listclean way
 * (a few polite sessions, pipelined RCPTs) against one connection per address, in one run, on
 * the same sandbox. Prints wall time and what the sandbox saw.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '../src/config/env.ts';
import { startWorld } from '../src/sandbox/index.ts';
import { createRoundContext } from '../src/verify/context.ts';
import type { RoundContext } from '../src/verify/domain-round.ts';
import { verifyDomainRound } from '../src/verify/domain-round.ts';
import { verifyAddresses } from '../src/verify/verify-addresses.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/listclean.mjs');
const LATENCY_MS = 20;
const valid = Array.from({ length: 90 }, (_, i) => `user${i}`);
const emails = [
  ...valid.map((l) => `${l}@bench.test`),
  ...Array.from({ length: 10 }, (_, i) => `nobody${i}@bench.test`),
];

function cli(args: string[], env: Record<string, string>): Promise<{ ms: number; lines: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, lines: out.trim().split('\n').length })
        : reject(new Error(`listclean exited ${code}`)),
    );
  });
}

export interface Row {
  variant: string;
  ms: number;
  sessions: number;
  rcpts: number;
  maxConcurrent: number;
}

export async function benchVerifySessions(): Promise<Row[]> {
  const world = await startWorld({
    latencyMs: LATENCY_MS,
    domains: { 'bench.test': { mx: [{ host: 'mx.bench.test' }], mailboxes: valid } },
  });
  const env = {
    ...world.env,
    HELO_NAME: 'bench.listclean.test',
    MAIL_FROM: 'verify@listclean.test',
  };
  const rows: Row[] = [];
  const measure = async (variant: string, run: () => Promise<unknown>) => {
    world.resetStats();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    const s = world.stats('mx.bench.test');
    rows.push({
      variant,
      ms,
      sessions: s.sessions,
      rcpts: s.rcpts,
      maxConcurrent: s.maxConcurrentSessions,
    });
  };
  try {
    const config = readEnv(env);
    const options = {
      concurrency: 8,
      greylistDelaysMs: [],
      waitForGreylist: false,
      transientRetries: 0,
      transientBackoffMs: 0,
    };
    await measure('listclean: shared sessions, pipelining (in process)', async () =>
      verifyAddresses(emails, await createRoundContext(config), options),
    );
    await measure('listclean: shared sessions, no pipelining', async () =>
      verifyAddresses(
        emails,
        await createRoundContext(readEnv({ ...env, SMTP_PIPELINING: '0' })),
        options,
      ),
    );
    await measure('`listclean verify` CLI (process start included)', async () => {
      const result = await cli(['verify', ...emails], env);
      if (result.lines !== emails.length) throw new Error('missing output lines');
    });
    // Naive: one SMTP connection per address (no catch-all probe), one after another.
    const naive = async (concurrency: number) => {
      const ctx: RoundContext = await createRoundContext(config);
      ctx.policy.providers.push({ match: 'bench.test', skipCatchAllProbe: true });
      const queue = [...emails];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let email = queue.shift(); email; email = queue.shift()) {
            await verifyDomainRound('bench.test', [email], ctx, { disposable: false });
          }
        }),
      );
    };
    await measure('naive: one connection per address, sequential', () => naive(1));
    await measure('naive: one connection per address, 8 at once', () => naive(8));
  } finally {
    await world.close();
  }
  return rows;
}

export function formatVerifyRows(rows: Row[]): string {
  const base = rows[0]?.ms ?? 1;
  const header = '| variant | wall time | vs listclean | sessions | RCPTs | max concurrent |';
  const sep = '|---|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.variant} | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / base).toFixed(1)}× | ${r.sessions} | ${r.rcpts} | ${r.maxConcurrent} |`,
  );
  return [header, sep, ...lines].join('\n');
}
