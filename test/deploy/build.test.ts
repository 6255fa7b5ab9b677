/**
 * The compiled build: `npm pack` builds dist/ and ships it without tests or bench, and the
 * `listclean` command runs from dist/ alone (no tsx, no src/), reply rules included.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { runCli } from '../helpers/cli.ts';
import { TEST_ENV } from '../helpers/verify.ts';

const run = promisify(execFile);
let files: string[];
let world: SandboxWorld;

beforeAll(async () => {
  // `npm pack` runs `prepack` (the build) first; --dry-run writes no tarball.
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts=false'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  files =
    (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map(
      (f) => f.path,
    ) ?? [];
  world = await startWorld({
    domains: {
      'm365.test': {
        mx: [{ host: 'm365-test.mail.protection.outlook.com' }],
        mailboxes: ['mia'],
        unknownReply: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
      },
    },
  });
}, 120_000);
afterAll(async () => {
  await world?.close();
});

describe('the compiled build', () => {
  it('npm pack ships dist/, the bin and the demo files, and no tests, bench or sources', () => {
    expect(files).toContain('bin/listclean.mjs');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('dist/workers/probe.js');
    expect(files).toContain('dist/src/classify/reply-rules.yaml');
    expect(files).toContain('examples/sandbox-scenario.yaml');
    // The web console, bundled (src/console is the bundle's source, not shipped).
    for (const file of ['index.html', 'app.js', 'styles.css', 'icon.svg']) {
      expect(files).toContain(`dist/console/${file}`);
    }
    expect(files.filter((f) => /^(test|bench|src)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('serves the web console from dist/console/, as built, with no bundler at run time', async () => {
    const compiled = path.resolve('dist/src/api/console/assets.js');
    const { loadConsole, runsFromSources } = (await import(
      pathToFileURL(compiled).href
    )) as typeof import('../../src/api/console/assets.ts');
    expect(runsFromSources()).toBe(false);
    const assets = await loadConsole();
    const built = await readFile('dist/console/app.js');
    expect(assets.get('app.js')?.body.equals(built)).toBe(true);
    expect(assets.get('index.html')?.body.toString('utf8')).toContain('/console/app.js');
    // The very files a server running from the sources bundles (what test/e2e drives in Chromium).
    const { bundleConsole } = await import('../../src/api/console/assets.ts');
    for (const [name, body] of Object.entries(await bundleConsole())) {
      expect(assets.get(name)?.body.equals(body), name).toBe(true);
    }
  });

  it('listclean runs from dist/ alone: version, and a verdict decided by a reply rule', async () => {
    const env = { ...world.env, ...TEST_ENV, LISTCLEAN_DIST: 'dist' };
    const version = await runCli(['--version'], { env });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const verified = await runCli(['verify', 'nobody@m365.test'], { env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      status: 'undeliverable',
      reason: 'mailbox_not_found',
      rule: 'provider-microsoft-dbeb',
    });
  });
});
