/**
 * `listclean doctor [--json]`: is this host ready to verify addresses? One line per check —
 * pass, warn or fail — with the evidence and the fix; exit status 1 when a check fails.
 */
import type { Command } from 'commander';
import { readEnv } from '../../config/env.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the sending side (port 25 per egress, PTR, HELO, SPF/MX, blocklists) and Redis, storage, policy',
    )
    .option('--json', 'print the checks as a JSON array of {check, target, status, evidence, fix}')
    .addHelpText(
      'after',
      '\nRuns every check at once, within DOCTOR_TIMEOUT (20s). It opens one TCP connection per\n' +
        'egress to DOCTOR_PROBE_HOST (gmail-smtp-in.l.google.com) on SMTP_PORT, reads the banner\n' +
        'and quits; DNS questions go to DNS_SERVERS (else the system resolver). Exit status 1 when\n' +
        'any check fails, 0 when all pass or only warn.',
    )
    .action(async (flags: { json?: boolean }) => {
      const config = readEnv();
      const { formatCheck, formatSummary, hasFailure, runDoctor } = await import(
        '../../doctor/index.ts'
      );
      const started = performance.now();
      const checks = await runDoctor(config);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      } else {
        const lines = checks.map(formatCheck);
        lines.push(formatSummary(checks, performance.now() - started));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (hasFailure(checks)) process.exitCode = 1;
    });
}
