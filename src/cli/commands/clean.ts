/** `listclean clean FILE`: options and output; the work is in ../run-clean.ts. */
import type { Command } from 'commander';
import type { CleanFlags } from '../run-clean.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('clean a CSV list through the pipeline and write the reports')
    .argument(
      '<file>',
      'the CSV file (any delimiter, UTF-8/UTF-16/Windows-1252), or an .xlsx workbook (first sheet)',
    )
    .option('-o, --out <dir>', 'output directory (default ./out/<file basename>/)')
    .option('--column <name>', 'the email column, by header name or 1-based number')
    .option('--include-risky', 'also keep risky rows (catch-all, full, disposable) in cleaned.csv')
    .option('--no-workers', 'only submit and wait; `listclean worker` processes do the work')
    .option(
      '--deadline <duration>',
      'finalise what still waits (greylisting, slow servers) this long after the start, e.g. 45m; 0 = never (default LIST_DEADLINE, 2h)',
    )
    .option(
      '--partial',
      'do not wait: once every row is read, write what is known so far (rows still waiting marked pending) and stop; the same command without it continues',
    )
    .option(
      '--trace',
      'keep every SMTP session’s transcript: report.csv’s trace column names it, the files are in <out>/traces/ (every address is asked anew: no cached verdicts)',
    )
    .addHelpText(
      'after',
      '\nWrites report.csv, cleaned.csv, bounce-risk.csv, summary.json, report.html, one CSV per\n' +
        'status (deliverable.csv, risky.csv, undeliverable.csv, unknown.csv) and by-status.zip.\n' +
        'Ctrl-C writes what is known so far (pending rows marked) and leaves the list resumable:\n' +
        'run the same command again to continue it.',
    )
    .action(async (file: string, flags: CleanFlags) => {
      const { runClean } = await import('../run-clean.ts');
      const result = await runClean(file, flags);
      const { summary } = result;
      const counts = Object.entries(summary?.by_status ?? {})
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      const pending = result.partial ? `, ${summary?.pending ?? 0} pending` : '';
      process.stdout.write(
        `${summary?.rows ?? '?'} rows: ${counts}${pending}\n` +
          `${result.partial ? 'Partial reports' : 'Reports'} in ${result.outDir}/\n`,
      );
    });
}
