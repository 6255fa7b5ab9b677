/**
 * `listclean worker`: the ingest, probe and aggregate pools in a process of their own, until
 * SIGTERM/SIGINT. Stopping finishes the jobs in hand (up to --grace), then hands the rest back:
 * their locks lapse and another worker takes them over.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { readEnv } from '../../config/env.ts';
import { ListcleanError } from '../../errors.ts';
import { redactRedisUrl } from '../../redis/redis-url.ts';
import { waitForSignal } from '../signals.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run the worker pools (ingest, probe and the provider pools, aggregate, hygiene, webhooks) until SIGTERM/SIGINT',
    )
    .option('--grace <duration>', 'how long to let jobs in hand finish when stopping', '60s')
    .action(async (flags: { grace: string }) => {
      const graceMs = parseDuration(flags.grace);
      if (graceMs === null)
        throw new ListcleanError('usage', `--grace wants a duration like 30s, got ${flags.grace}`);
      const config = readEnv();
      const { createRuntime } = await import('../../runtime/runtime.ts');
      const { startWorkers } = await import('../../../workers/pool.ts');
      const { startHealthServer } = await import('../../../workers/health.ts');
      const rt = await createRuntime(config);
      const pool = await startWorkers(rt);
      const health = config.WORKER_PORT ? await startHealthServer(rt, config.WORKER_PORT) : null;
      rt.log.info(
        {
          probeConcurrency: config.WORKER_CONCURRENCY,
          pools: rt.pools.map((p) => ({ queue: p.queue, concurrency: p.concurrency })),
          egresses: rt.round.egresses.map((egress) => egress.name),
          redis: redactRedisUrl(config.REDIS_URL),
          storage: rt.storage.describe(),
          healthPort: config.WORKER_PORT || null,
        },
        `listclean worker: pid ${process.pid} started, ${config.WORKER_CONCURRENCY} probe jobs at once` +
          `${rt.pools.length > 0 ? ` + provider pools ${rt.pools.map((p) => `${p.queue} (${p.concurrency} across all workers)`).join(', ')}` : ''}`,
      );
      const signal = await waitForSignal();
      rt.log.info({ signal, grace: flags.grace }, 'stopping: finishing jobs in hand');
      await pool.close(graceMs);
      await health?.close();
      await rt.close();
    });
}
