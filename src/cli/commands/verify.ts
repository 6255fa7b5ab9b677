/**
 * `listclean verify <email>...|-`: one JSON line per address as soon as its verdict is final
 * (`--ordered`: in input order).
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { parseDurationList } from '../../config/duration.ts';
import { readEnv } from '../../config/env.ts';
import { ListcleanError } from '../../errors.ts';
import { TraceRecorder } from '../../smtp/transcript.ts';
import { createRoundContext } from '../../verify/context.ts';
import { INTERACTIVE_TRANSIENT_RETRY, verifyAddresses } from '../../verify/verify-addresses.ts';

interface VerifyFlags {
  concurrency: string;
  greylistWait: boolean;
  greylistDelays?: string;
  ordered?: boolean;
  trace?: boolean;
}

/** `--trace`: each session's transcript on stderr as it ends, named `stderr#<n>`. */
function stderrTrace(): TraceRecorder {
  return new TraceRecorder(
    (n) => `stderr#${n}`,
    (transcript) => process.stderr.write(`${transcript.text()}\n`),
  );
}

async function readStdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({
    input: process.stdin,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.trim() !== '') lines.push(line);
  }
  return lines;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'verify addresses; prints one JSON object per address per line as soon as its verdict is final',
    )
    .argument('<email...>', 'addresses to verify, or - to read one per line from stdin')
    .option('-c, --concurrency <n>', 'domains verified at once', '16')
    .option(
      '--ordered',
      'print in input order (a greylisted address then holds back the lines after it)',
    )
    .option('--no-greylist-wait', 'report greylisted addresses as unknown/greylisted at once')
    .option('--greylist-delays <list>', 'override GREYLIST_RETRY_DELAYS, e.g. 30s,2m')
    .option(
      '--trace',
      'print every SMTP session’s transcript to stderr; each result names its own ("trace": "stderr#3")',
    )
    .addHelpText(
      'after',
      '\nLines come in the order verdicts become final (quick domains first, greylisted\n' +
        'addresses after their retries); each carries "email" as given. --ordered keeps input order.\n' +
        'Exit status 0 when every address got a verdict (whatever it is).\n' +
        'Configuration comes from the environment (DNS_SERVERS, SMTP_PORT, HELO_NAME, MAIL_FROM, …).',
    )
    .action(async (emails: string[], flags: VerifyFlags) => {
      const config = readEnv();
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new ListcleanError(
          'usage',
          `--concurrency wants a positive integer, got ${flags.concurrency}`,
        );
      }
      const delays = flags.greylistDelays
        ? parseDurationList(flags.greylistDelays)
        : config.GREYLIST_RETRY_DELAYS;
      if (!delays) {
        throw new ListcleanError(
          'usage',
          `--greylist-delays wants durations like 30s,2m; got ${flags.greylistDelays}`,
        );
      }
      const inputs = emails.length === 1 && emails[0] === '-' ? await readStdinLines() : emails;
      const ctx = await createRoundContext(config);
      await verifyAddresses(inputs, ctx, {
        concurrency,
        greylistDelaysMs: delays,
        waitForGreylist: flags.greylistWait,
        ordered: flags.ordered === true,
        ...INTERACTIVE_TRANSIENT_RETRY,
        onResult: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
        onProgress: (message) => process.stderr.write(`listclean: ${message}\n`),
        ...(flags.trace ? { trace: stderrTrace() } : {}),
      });
    });
}
