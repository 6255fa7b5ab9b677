/**
 * `listclean demo`: starts the built-in sandbox mail world (examples/sandbox-scenario.yaml) and
 * cleans examples/contacts.csv end to end through the real pipeline — BullMQ, in-process
 * workers, per-provider throttles in Redis, reports in storage — over real DNS and SMTP sockets
 * on 127.0.0.x. Its Redis keys carry a prefix of their own and are removed afterwards.
 */
import type { Command } from 'commander';
import { packageRoot } from '../../config/package-root.ts';
import { SANDBOX_CLIENT_ENV } from '../../sandbox/client-env.ts';

/** Short waits so the demo's greylisting, tarpit and retries finish in seconds, not hours. */
const DEMO_ENV = {
  HELO_NAME: 'demo.listclean.test',
  MAIL_FROM: 'verify@demo.listclean.test',
  ...SANDBOX_CLIENT_ENV,
  CACHE_MAX_AGE: '0',
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'clean examples/contacts.csv through the pipeline against the built-in sandbox mail world',
    )
    .option('-o, --out <dir>', 'where to write the reports', 'out/demo')
    .action(async (flags: { out: string }) => {
      const { runDemo } = await import('../run-demo.ts');
      await runDemo({
        root: packageRoot(),
        outDir: flags.out,
        env: DEMO_ENV,
      });
    });
}
