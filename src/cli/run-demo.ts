/** The body of `listclean demo` (loaded on demand, so `--help` stays fast). */
import path from 'node:path';
import { Redis } from 'ioredis';
import { deletePrefix } from '../redis/index.ts';
import { loadScenario, startWorld } from '../sandbox/index.ts';
import { runClean } from './run-clean.ts';

export async function runDemo(options: {
  root: string;
  outDir: string;
  env: Record<string, string>;
}): Promise<void> {
  const started = Date.now();
  const scenario = await loadScenario(path.join(options.root, 'examples/sandbox-scenario.yaml'));
  const world = await startWorld(scenario);
  const prefix = `listclean-demo-${process.pid}-${Date.now().toString(36)}`;
  const file = path.join(options.root, 'examples/contacts.csv');
  process.stderr.write(
    `listclean demo: sandbox mail world up (DNS ${world.env.DNS_SERVERS}, ` +
      `${Object.keys(world.allStats()).length} SMTP hosts on port ${world.smtpPort}); cleaning ${path.relative(process.cwd(), file)}\n`,
  );
  const env = {
    ...process.env,
    ...world.env,
    ...options.env,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${path.join(options.outDir, '.storage')}`,
  };
  let redisUrl = '';
  try {
    const result = await runClean(file, { out: options.outDir }, env, (m) =>
      process.stderr.write(`listclean: ${m}\n`),
    );
    redisUrl = result.redisUrl;
    const { summary } = result;
    if (!summary) throw new Error('the demo list finished without a summary');
    const stats = Object.values(world.allStats());
    const sessions = stats.reduce((n, s) => n + s.sessions, 0);
    const rcpts = stats.reduce((n, s) => n + s.rcpts, 0);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const reasons = Object.entries(summary.by_reason)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    process.stdout.write(
      [
        '',
        `${summary.rows} rows, ${summary.unique_addresses} unique addresses, ${summary.duplicates} duplicates`,
        `  ${Object.entries(summary.by_status)
          .map(([s, n]) => `${s} ${n}`)
          .join(' · ')}`,
        `  reasons: ${reasons}`,
        `  expected bounce rate: ${pct(summary.expected_bounce_rate.before)} before cleaning → ${pct(summary.expected_bounce_rate.after)} after`,
        ...summary.warnings.map(
          (w) => `  warning: ${w.provider} refused us; ${w.addresses} address(es) not verified`,
        ),
        `  the sandbox saw ${sessions} SMTP sessions and ${rcpts} RCPTs; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
        '',
        `Reports in ${result.outDir}/: cleaned.csv, report.csv, bounce-risk.csv, summary.json, report.html,`,
        '  and by status: deliverable.csv, risky.csv, undeliverable.csv, unknown.csv (all four in by-status.zip)',
        '',
      ].join('\n'),
    );
  } finally {
    await world.close();
    if (redisUrl) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      await deletePrefix(redis, prefix).finally(() => redis.disconnect());
    }
  }
}
