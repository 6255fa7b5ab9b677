/**
 * `listclean serve`: the HTTP API on PORT until SIGTERM/SIGINT; `--with-workers` also runs the
 * worker pools in the same process, for a single-machine deployment.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { ListcleanError } from '../../errors.ts';

export interface ServeFlags {
  withWorkers?: boolean;
  grace: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API on PORT (and, with --with-workers, the worker pools too)')
    .option('--with-workers', 'also run the ingest, probe and aggregate pools in this process')
    .option(
      '--grace <duration>',
      'how long to let requests and jobs in hand finish when stopping',
      '60s',
    )
    .action(async (flags: ServeFlags) => {
      const graceMs = parseDuration(flags.grace);
      if (graceMs === null)
        throw new ListcleanError('usage', `--grace wants a duration like 30s, got ${flags.grace}`);
      const { runServe } = await import('../run-serve.ts');
      await runServe({ withWorkers: flags.withWorkers === true, graceMs });
    });
}
