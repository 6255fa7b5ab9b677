/** `listclean retry <list id>`: re-runs what failed of a failed list (src/pipeline/retry.ts). */
import type { Command } from 'commander';
import { withRuntime } from '../with-runtime.ts';

export function registerRetry(program: Command): void {
  program
    .command('retry')
    .description('re-run a failed list: only its aggregate when verification had finished')
    .argument('<list-id>', 'the failed list (see `listclean lists`)')
    .addHelpText(
      'after',
      '\nThe work is done by `listclean worker` processes (or `serve --with-workers`). A list of\n' +
        '`listclean clean` is re-run by running the same `clean` command again.',
    )
    .action(async (listId: string) => {
      await withRuntime(async (rt) => {
        const { retryList } = await import('../../pipeline/retry.ts');
        const mode = await retryList(rt, listId);
        process.stdout.write(
          mode === 'aggregate'
            ? `${listId}: its reports are written again from the verdicts it has\n`
            : `${listId}: its run starts over (cached verdicts are reused)\n`,
        );
      });
    });
}
