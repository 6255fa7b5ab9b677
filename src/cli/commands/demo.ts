/**
 * `listclean demo`: starts the built-in sandbox mail world and verifies the example addresses
 * through it, end to end over real DNS and SMTP sockets on 127.0.0.x. (Until the bulk pipeline
 * lands this runs `verify`; see the README.)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { readEnv } from '../../config/env.ts';
import { loadScenario, startWorld } from '../../sandbox/index.ts';
import type { AddressResult } from '../../verdict/result.ts';
import { createRoundContext } from '../../verify/context.ts';
import { verifyAddresses } from '../../verify/verify-addresses.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Short waits so the demo's greylisting, tarpit and retries finish in seconds. */
const DEMO_ENV = {
  HELO_NAME: 'demo.listclean.test',
  MAIL_FROM: 'verify@demo.listclean.test',
  SMTP_CONNECT_TIMEOUT: '2s',
  SMTP_BANNER_TIMEOUT: '2s',
  SMTP_COMMAND_TIMEOUT: '3s',
  GREYLIST_RETRY_DELAYS: '1s,2s',
};

function table(results: AddressResult[]): string {
  const rows = results.map((r) => [
    r.email,
    r.status,
    r.reason,
    String(r.risk_score),
    r.suggestion ?? '',
  ]);
  const head = ['email', 'status', 'reason', 'risk', 'suggestion'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('verify examples/demo-addresses.txt through the built-in sandbox mail world')
    .option('-o, --out <dir>', 'where to write the results', 'out/demo')
    .action(async (flags: { out: string }) => {
      const started = Date.now();
      const scenario = await loadScenario(path.join(ROOT, 'examples/sandbox-scenario.yaml'));
      const world = await startWorld(scenario);
      try {
        const emails = (await readFile(path.join(ROOT, 'examples/demo-addresses.txt'), 'utf8'))
          .split('\n')
          .filter((line) => line.trim() !== '');
        process.stderr.write(
          `listclean demo: sandbox world up (DNS ${world.env.DNS_SERVERS}, SMTP port ${world.smtpPort}); ` +
            `verifying ${emails.length} addresses…\n`,
        );
        const config = readEnv({ ...process.env, ...world.env, ...DEMO_ENV });
        const results = await verifyAddresses(emails, await createRoundContext(config), {
          concurrency: 16,
          greylistDelaysMs: config.GREYLIST_RETRY_DELAYS,
          waitForGreylist: true,
          transientRetries: 1,
          transientBackoffMs: 500,
          onProgress: (message) => process.stderr.write(`  ${message}\n`),
        });
        await mkdir(flags.out, { recursive: true });
        const file = path.join(flags.out, 'verify.jsonl');
        await writeFile(
          file,
          results
            .map((r) => JSON.stringify(r))
            .join('\n')
            .concat('\n'),
        );

        const stats = Object.values(world.allStats());
        const counts = new Map<string, number>();
        for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        process.stdout.write(`${table(results)}\n\n`);
        process.stdout.write(
          `${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')} — ` +
            `${stats.reduce((n, s) => n + s.sessions, 0)} SMTP sessions, ` +
            `${stats.reduce((n, s) => n + s.rcpts, 0)} RCPTs, ` +
            `${((Date.now() - started) / 1000).toFixed(1)} s\n` +
            `Full results (one JSON object per address): ${file}\n`,
        );
      } finally {
        await world.close();
      }
    });
}
