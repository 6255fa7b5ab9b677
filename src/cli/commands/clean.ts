/** `listclean clean FILE`: options and output; the work is in ../run-clean.ts. */
import type { Command } from 'commander';
import type { CleanFlags } from '../run-clean.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('clean a CSV list through the pipeline and write the reports')
    .argument('<file>', 'the CSV file (any delimiter, UTF-8/UTF-16/Windows-1252)')
    .option('-o, --out <dir>', 'output directory (default ./out/<file basename>/)')
    .option('--column <name>', 'the email column, by header name or 1-based number')
    .option('--include-risky', 'also keep risky rows (catch-all, full, disposable) in cleaned.csv')
    .option('--no-workers', 'only submit and wait; `listclean worker` processes do the work')
    .addHelpText(
      'after',
      '\nWrites report.csv, cleaned.csv, bounce-risk.csv, summary.json and report.html.\n' +
        'Ctrl-C leaves the list resumable: run the same command again to continue it.',
    )
    .action(async (file: string, flags: CleanFlags) => {
      const { runClean } = await import('../run-clean.ts');
      const result = await runClean(file, flags);
      const { summary } = result;
      const counts = Object.entries(summary?.by_status ?? {})
        .map(([status, n]) => `${n} ${status}`)
        .join(', ');
      process.stdout.write(
        `${summary?.rows ?? '?'} rows: ${counts}\nReports in ${result.outDir}/\n`,
      );
    });
}
