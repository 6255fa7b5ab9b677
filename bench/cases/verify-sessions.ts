/**
 * Bench: the addresses of one sandbox domain (worlds/one-domain.ts), verified the listclean way
 * (a few polite sessions, pipelined RCPTs) against one connection per address, in one run, on
 * the same sandbox. Measures wall time and what the sandbox saw.
 */
import { spawn } from 'node:child_process';
import { readEnv } from '../../src/config/env.ts';
import { startWorld } from '../../src/sandbox/index.ts';
import { createRoundContext } from '../../src/verify/context.ts';
import type { RoundContext } from '../../src/verify/domain-round.ts';
import { verifyDomainRound } from '../../src/verify/domain-round.ts';
import { verifyAddresses } from '../../src/verify/verify-addresses.ts';
import { BIN } from '../harness/processes.ts';
import {
  type OneDomainWorld,
  oneDomainAddresses,
  oneDomainScenario,
} from '../worlds/one-domain.ts';
import { PROCESS_ENV } from '../worlds/process-env.ts';

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

/**
 * How the addresses were verified: verifyAddresses with and without pipelining, the
 * `listclean verify` CLI, or the naive loop (one connection per address, `concurrency` at once).
 */
export type VerifyVariant = 'pipelining' | 'no pipelining' | 'cli' | 'naive';

export interface VerifyRow {
  variant: VerifyVariant;
  /** Connections at once (naive only). */
  concurrency?: number;
  ms: number;
  sessions: number;
  rcpts: number;
  maxConcurrent: number;
}

export interface VerifySessionsBench {
  /** In the order measured; the first is the baseline. */
  rows: VerifyRow[];
}

export async function benchVerifySessions(world: OneDomainWorld): Promise<VerifySessionsBench> {
  const emails = oneDomainAddresses(world);
  const sandbox = await startWorld(oneDomainScenario(world));
  const env = {
    ...sandbox.env,
    HELO_NAME: PROCESS_ENV.heloName,
    MAIL_FROM: PROCESS_ENV.mailFrom,
  };
  const rows: VerifyRow[] = [];
  const measure = async (
    variant: Pick<VerifyRow, 'variant' | 'concurrency'>,
    run: () => Promise<unknown>,
  ) => {
    sandbox.resetStats();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    const s = sandbox.stats(world.mxHost);
    rows.push({
      ...variant,
      ms,
      sessions: s.sessions,
      rcpts: s.rcpts,
      maxConcurrent: s.maxConcurrentSessions,
    });
  };
  try {
    const config = readEnv(env);
    const options = {
      concurrency: world.concurrency,
      greylistDelaysMs: [],
      waitForGreylist: false,
      transientRetries: 0,
      transientBackoffMs: 0,
    };
    await measure({ variant: 'pipelining' }, async () =>
      verifyAddresses(emails, await createRoundContext(config), options),
    );
    await measure({ variant: 'no pipelining' }, async () =>
      verifyAddresses(
        emails,
        await createRoundContext(readEnv({ ...env, SMTP_PIPELINING: '0' })),
        options,
      ),
    );
    await measure({ variant: 'cli' }, async () => {
      const result = await cli(['verify', ...emails], env);
      if (result.lines !== emails.length) throw new Error('missing output lines');
    });
    // Naive: one SMTP connection per address (no catch-all probe), `concurrency` at once.
    const naive = async (concurrency: number) => {
      const ctx: RoundContext = await createRoundContext(config);
      ctx.policy.providers.push({ match: world.domain, skipCatchAllProbe: true });
      const queue = [...emails];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let email = queue.shift(); email; email = queue.shift()) {
            await verifyDomainRound(world.domain, [email], ctx, { disposable: false });
          }
        }),
      );
    };
    for (const concurrency of world.naiveConcurrency) {
      await measure({ variant: 'naive', concurrency }, () => naive(concurrency));
    }
  } finally {
    await sandbox.close();
  }
  return { rows };
}
