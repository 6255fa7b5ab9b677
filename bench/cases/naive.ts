/**
 * The naive verifier of the comparison: a minimal loop, not a real product (deep-email-validator
 * and friends cannot be pointed at the sandbox's DNS server and SMTP port). One SMTP connection
 * per address — banner, EHLO, MAIL, one RCPT, QUIT — through verifyDomainRound with a single
 * address per call, no catch-all probe, `concurrency` connections at once, and the same
 * per-provider session limits as the pipeline, held in process. By default the policy's
 * connection-rate budget is lifted ("equal session limits"): one connection per address would
 * spend it at once and then wait for tokens, so the loop would measure the policy, not the
 * connections. With `connectionBudget` it is kept ("the same policy": sessions and connections
 * per minute per provider), which is what providers enforce. The naive loop never pipelines
 * (SMTP_PIPELINING=0 in its child): a naive tool waits for every reply.
 *
 * runNaive runs in a bench child process (bench/child.ts); naiveRun starts that child against a
 * running sandbox world and counts the sessions the world saw.
 */
import { createReadStream } from 'node:fs';
import { parseAddress } from '../../src/address/index.ts';
import type { RawConfig } from '../../src/config/env.ts';
import { readCsvRows, SNIFF_SAMPLE_BYTES, sniffCsv } from '../../src/csv/index.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import { createRoundContext } from '../../src/verify/context.ts';
import { verifyDomainRound } from '../../src/verify/domain-round.ts';
import { runChild } from '../harness/processes.ts';

const UNLIMITED_CONNECTIONS_PER_MINUTE = 100_000;

/** The replies one naive connection waits for, one after another. */
export const NAIVE_REPLIES = ['banner', 'EHLO', 'MAIL', 'RCPT', 'QUIT'] as const;

export interface NaiveResult {
  addresses: number;
  ms: number;
  byReason: Record<string, number>;
  maxRss: number;
}

/** The list's distinct valid addresses, in order (a naive tool dedupes too). */
export async function readAddresses(csvPath: string): Promise<string[]> {
  const sample = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(csvPath, { end: SNIFF_SAMPLE_BYTES - 1 })
      .on('data', (c) => chunks.push(Buffer.from(c)))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  const layout = sniffCsv(sample, {});
  const seen = new Set<string>();
  for await (const row of readCsvRows(createReadStream(csvPath), layout)) {
    const parsed = row.email && !row.malformed ? parseAddress(row.email) : null;
    if (parsed?.ok) seen.add(parsed.normalized);
  }
  return [...seen];
}

export async function runNaive(
  config: RawConfig,
  csvPath: string,
  concurrency: number,
  connectionBudget = false,
): Promise<NaiveResult> {
  const addresses = await readAddresses(csvPath);
  const ctx = await createRoundContext(config);
  ctx.policy.providers.push({ match: '*', skipCatchAllProbe: true });
  if (!connectionBudget) {
    ctx.policy.defaults.connectionsPerMinute = UNLIMITED_CONNECTIONS_PER_MINUTE;
    for (const rule of ctx.policy.providers) {
      if (rule.connectionsPerMinute !== undefined) {
        rule.connectionsPerMinute = UNLIMITED_CONNECTIONS_PER_MINUTE;
      }
    }
  }
  const byReason: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < addresses.length; i = next++) {
        const address = addresses[i] as string;
        const domain = address.slice(address.lastIndexOf('@') + 1);
        const round = await verifyDomainRound(domain, [address], ctx, { disposable: false });
        const reason = round.outcomes.get(address)?.reason ?? 'none';
        byReason[reason] = (byReason[reason] ?? 0) + 1;
      }
    }),
  );
  return {
    addresses: addresses.length,
    ms: performance.now() - started,
    byReason,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

/** One naive run against a sandbox world. */
export interface NaiveRun {
  latencyMs: number;
  /** The policy's connections per minute were in force (else lifted). */
  connectionBudget?: boolean;
  result: NaiveResult;
  /** SMTP sessions the sandbox saw. */
  sessions: number;
}

/** Runs the naive loop in a child process against `sandbox`, at `latencyMs` (the world's). */
export async function naiveRun(
  sandbox: SandboxWorld,
  csvPath: string,
  concurrency: number,
  latencyMs: number,
  env: Record<string, string>,
  connectionBudget = false,
): Promise<NaiveRun> {
  sandbox.resetStats();
  const result = await runChild<NaiveResult>(
    { kind: 'naive', csvPath, concurrency, connectionBudget },
    { ...sandbox.env, ...env, SMTP_PIPELINING: '0' },
  );
  const sessions = Object.values(sandbox.allStats()).reduce((n, s) => n + s.sessions, 0);
  return { latencyMs, result, sessions, ...(connectionBudget ? { connectionBudget } : {}) };
}
