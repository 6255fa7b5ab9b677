/** `listclean sandbox --scenario FILE`: runs a sandbox mail world until interrupted. */
import type { Command } from 'commander';
import { SANDBOX_CLIENT_ENV } from '../../sandbox/client-env.ts';
import { loadScenario, startWorld } from '../../sandbox/index.ts';
import { waitForSignal } from '../signals.ts';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run a sandbox mail world (DNS + SMTP servers on 127.0.0.x) from a scenario file')
    .requiredOption(
      '-s, --scenario <file>',
      'scenario, JSON or YAML (see examples/sandbox-scenario.yaml)',
    )
    .option('-p, --port <n>', 'SMTP port to try first (default: a free one)')
    .addHelpText(
      'after',
      '\nPrints the environment that points listclean at the world, e.g.\n' +
        '  listclean sandbox -s examples/sandbox-scenario.yaml > sandbox.env &\n' +
        "  until grep -q '# listclean sandbox: ready' sandbox.env 2>/dev/null; do sleep 0.2; done\n" +
        '  set -a; . ./sandbox.env; set +a; listclean verify alice@acme-corp.com',
    )
    .action(async (flags: { scenario: string; port?: string }) => {
      const scenario = await loadScenario(flags.scenario);
      const world = await startWorld(scenario, flags.port ? { basePort: Number(flags.port) } : {});
      for (const [key, value] of Object.entries({ ...world.env, ...SANDBOX_CLIENT_ENV }))
        process.stdout.write(`${key}=${value}\n`);
      // Last, so a script that waits for it knows every variable is there.
      process.stdout.write('# listclean sandbox: ready\n');
      const hosts = Object.keys(world.allStats());
      process.stderr.write(
        `listclean sandbox: DNS on ${world.env.DNS_SERVERS}, ${hosts.length} SMTP host(s) on port ${world.smtpPort}; ` +
          'Ctrl-C stops it.\n',
      );
      await waitForSignal();
      for (const [host, stats] of Object.entries(world.allStats())) {
        if (stats.sessions === 0) continue;
        process.stderr.write(
          `  ${host}: ${stats.sessions} session(s), ${stats.rcpts} RCPT(s), at most ${stats.maxConcurrentSessions} at once\n`,
        );
      }
      await world.close();
    });
}
