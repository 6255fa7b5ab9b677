/**
 * `listclean worker`: the ingest, probe and aggregate pools in a process of their own, until
 * SIGTERM/SIGINT. Stopping finishes the jobs in hand (up to --grace), then hands the rest back:
 * their locks lapse and another worker takes them over.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { readEnv } from '../../config/env.ts';
import { ListcleanError } from '../../errors.ts';
import { waitForSignal } from '../signals.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the worker pools (ingest, probe, aggregate) until SIGTERM/SIGINT')
    .option('--grace <duration>', 'how long to let jobs in hand finish when stopping', '60s')
    .action(async (flags: { grace: string }) => {
      const graceMs = parseDuration(flags.grace);
      if (graceMs === null)
        throw new ListcleanError('usage', `--grace wants a duration like 30s, got ${flags.grace}`);
      const config = readEnv();
      const { createRuntime } = await import('../../runtime/runtime.ts');
      const { startWorkers } = await import('../../../workers/pool.ts');
      const rt = await createRuntime(config);
      const pool = await startWorkers(rt);
      const pools = rt.pools.map((p) => `${p.queue} (${p.concurrency} across all workers)`);
      process.stderr.write(
        `listclean worker: pid ${process.pid}, ${config.WORKER_CONCURRENCY} probe jobs at once` +
          `${pools.length > 0 ? ` + provider pools ${pools.join(', ')}` : ''}, ` +
          `Redis ${config.REDIS_URL}, storage ${rt.storage.describe()}\n`,
      );
      const signal = await waitForSignal();
      process.stderr.write(
        `listclean worker: ${signal}: finishing jobs in hand (up to ${flags.grace})\n`,
      );
      await pool.close(graceMs);
      await rt.close();
    });
}
