/**
 * The `listclean` command line (DESIGN §5). Each command lives in its own file; this one wires
 * them to commander and turns errors into a one-line reason and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from '../config/package-root.ts';
import { isListcleanError } from '../errors.ts';
import { registerClean } from './commands/clean.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerRetry } from './commands/retry.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerServe } from './commands/serve.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWorker } from './commands/worker.ts';

export function buildProgram(): Command {
  const program = new Command('listclean')
    .description('Clean email lists without sending mail: syntax, DNS/MX and SMTP RCPT checks.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  registerVerify(program);
  registerClean(program);
  registerWorker(program);
  registerServe(program);
  registerSchedule(program);
  registerRetry(program);
  registerSandbox(program);
  registerDemo(program);
  registerDoctor(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = isListcleanError(error)
      ? `listclean: ${error.message} [${error.code}]`
      : `listclean: unexpected error: ${(error as Error)?.stack ?? String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  }
}
