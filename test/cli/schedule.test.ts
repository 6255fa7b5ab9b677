/** `listclean schedule` and `listclean lists` against a real Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitList } from '../../src/pipeline/submit.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';

let world: SandboxWorld;
let harness: PipelineHarness;
beforeAll(async () => {
  world = await startWorld({ domains: {} });
  harness = await startHarness(world);
  await submitList(harness.rt, {
    id: 'cli-list',
    name: 'n.csv',
    tenant: 'acme',
    options: { includeRisky: false },
    input: 'email\na@b.test\n',
  });
});
afterAll(async () => {
  await harness?.close();
  await world?.close();
});

describe('listclean schedule / lists', () => {
  it('sets, shows and removes a schedule; lists the list', async () => {
    const set = await runCli(
      ['schedule', 'cli-list', '--cron', '30 2 * * *', '--timezone', 'Europe/Berlin'],
      { env: harness.env },
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ cron: '30 2 * * *', timezone: 'Europe/Berlin' });
    const shown = await runCli(['schedule', 'cli-list'], { env: harness.env });
    // The API's shape exactly: snake_case, nothing more.
    expect(JSON.parse(shown.stdout)).toEqual({
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      next_run: expect.stringMatching(/T0[01]:30:00/),
    });
    const lists = await runCli(['lists', '--tenant', 'acme'], { env: harness.env });
    expect(lists.stdout).toMatch(/^cli-list\tacme\t\w+\t/m);
    const off = await runCli(['schedule', 'cli-list', '--off'], { env: harness.env });
    expect(off.stdout).toMatch(/schedule removed/);
    const none = await runCli(['schedule', 'cli-list'], { env: harness.env });
    expect(JSON.parse(none.stdout)).toEqual({ list: 'cli-list', schedule: null });
  }, 60_000);

  it('says what is wrong with a bad cron, a bad zone or an unknown list', async () => {
    const cron = await runCli(['schedule', 'cli-list', '--cron', 'every night'], {
      env: harness.env,
    });
    expect(cron.code).toBe(1);
    expect(cron.stderr).toMatch(/\[invalid_cron\]/);
    const zone = await runCli(
      ['schedule', 'cli-list', '--cron', '0 3 * * *', '--timezone', 'Mars/Olympus'],
      { env: harness.env },
    );
    expect(zone.stderr).toMatch(/Unknown time zone "Mars\/Olympus".*\[invalid_timezone\]/);
    const missing = await runCli(['schedule', 'nope'], { env: harness.env });
    expect(missing.stderr).toMatch(
      /No list "nope"\. `listclean lists` shows the lists\. \[list_not_found\]/,
    );
  }, 60_000);
});
