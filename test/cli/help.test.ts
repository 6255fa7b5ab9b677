/** What `--help` and `--version` say is true of the code. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/pipeline/names.ts';
import { runCli } from '../helpers/cli.ts';

describe('listclean --help and --version', () => {
  it('worker --help names every pool a worker runs', async () => {
    const run = await runCli(['worker', '--help']);
    expect(run.code).toBe(0);
    const pools: Record<string, RegExp> = {
      [QUEUES.ingest]: /ingest/,
      [QUEUES.probe]: /probe and the provider pools/,
      [QUEUES.aggregate]: /aggregate/,
      [QUEUES.hygiene]: /hygiene/,
      [QUEUES.webhook]: /webhooks/,
    };
    for (const queue of Object.values(QUEUES))
      expect(run.stdout, queue).toMatch(pools[queue] ?? /$^/);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });
});
