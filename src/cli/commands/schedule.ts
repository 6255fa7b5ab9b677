/** `listclean schedule <list id>` and `listclean lists`: hygiene schedules and lists from the shell. */
import type { Command } from 'commander';
import { withRuntime } from '../with-runtime.ts';

interface ScheduleFlags {
  cron?: string;
  timezone: string;
  off?: boolean;
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('show, set or remove the hygiene schedule of a list')
    .argument('<list-id>', 'the list (see `listclean lists`)')
    .option(
      '--cron <expr>',
      'cron pattern, 5 fields or 6 with seconds (default 0 3 * * *: nightly at 03:00)',
    )
    .option('--timezone <tz>', 'IANA time zone of the pattern', 'UTC')
    .option('--off', 'remove the schedule')
    .addHelpText(
      'after',
      '\nWithout --cron or --off it prints the current schedule. Runs are done by `listclean worker`.',
    )
    .action(async (listId: string, flags: ScheduleFlags) => {
      await withRuntime(async (rt) => {
        const { getSchedule, removeSchedule, scheduleJson, setSchedule } = await import(
          '../../pipeline/schedule.ts'
        );
        await rt.lists.require(listId, '`listclean lists` shows the lists.');
        if (flags.off) {
          const removed = await removeSchedule(rt, listId);
          process.stdout.write(
            `${removed ? 'schedule removed' : 'no schedule to remove'} for ${listId}\n`,
          );
          return;
        }
        const schedule = flags.cron
          ? await setSchedule(rt, listId, flags.cron, flags.timezone)
          : await getSchedule(rt, listId);
        // The API's shape (next_run), so scripts read both alike.
        process.stdout.write(
          `${JSON.stringify(schedule ? scheduleJson(schedule) : { list: listId, schedule: null })}\n`,
        );
      });
    });

  program
    .command('lists')
    .description('list the lists in this deployment, newest first')
    .option('--tenant <name>', 'only this tenant’s lists (the CLI’s own are under `cli`)')
    .action(async (flags: { tenant?: string }) => {
      await withRuntime(async (rt) => {
        const ids = flags.tenant
          ? await rt.lists.idsOf(flags.tenant, 1000)
          : Object.keys(await rt.redis.hgetall(rt.lists.statusIndexKey()));
        const metas = (await Promise.all(ids.map((id) => rt.lists.get(id)))).filter(
          (m) => m !== null,
        );
        metas.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        for (const m of metas) {
          process.stdout.write(
            `${[m.id, m.tenant, m.status, `${m.rows} rows`, m.createdAt, m.name].join('\t')}\n`,
          );
        }
        if (metas.length === 0) process.stderr.write('listclean: no lists\n');
      });
    });
}
