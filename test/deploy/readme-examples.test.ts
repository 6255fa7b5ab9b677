/**
 * The README's shell examples run as written, from a checkout's root: the sandbox + verify
 * recipe, and the HTTP API walk-through (curl against a real `listclean serve` on the sandbox
 * world). They run in a folder that mirrors the repository root (symlinks), so the files they
 * download never land in the checkout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadScenario,
  SANDBOX_CLIENT_ENV,
  type SandboxWorld,
  startWorld,
} from '../../src/sandbox/index.ts';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { freePort } from '../helpers/redis-server.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';

/**
 * Runs a README block with bash in its own process group, and kills the whole group afterwards
 * (a block that starts something in the background and then fails leaves nothing behind).
 */
function runScript(
  script: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`timed out after ${options.timeoutMs} ms: ${stderr}`));
    }, options.timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      killGroup();
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`exited with ${code}: ${stderr}`));
    });
  });
}

/** The README asks for Node ≥ 22; npm refuses `npx listclean` on older ones (engine-strict). */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const ROOT_ENTRIES = [
  'package.json',
  'bin',
  'src',
  'workers',
  'node_modules',
  'examples',
  'tsconfig.json',
];

let readme: string;
let root: string;

/** The ```sh block that contains `marker`. */
function block(marker: string): string {
  for (const m of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    if (m[1]?.includes(marker)) return m[1];
  }
  throw new Error(`no sh block with ${marker} in README.md`);
}

beforeAll(async () => {
  readme = await readFile('README.md', 'utf8');
  root = await mkdtemp(path.join(os.tmpdir(), 'listclean-readme-'));
  for (const entry of ROOT_ENTRIES) await symlink(path.resolve(entry), path.join(root, entry));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('README examples, run as written', () => {
  it.skipIf(NODE_MAJOR < 22)(
    'the sandbox recipe: start it, load its environment, verify the demo addresses',
    async () => {
      const script = block('sandbox.env &');
      const { stdout } = await runScript(script, {
        cwd: root,
        env: { ...process.env, ...TEST_ENV, REDIS_URL },
        timeoutMs: 120_000,
      });
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { status: string });
      const addresses = (await readFile('examples/demo-addresses.txt', 'utf8'))
        .split('\n')
        .filter((line) => line.trim() !== '');
      expect(lines).toHaveLength(addresses.length);
      expect(new Set(lines.map((l) => l.status))).toContain('deliverable');
    },
    150_000,
  );

  describe('the HTTP API walk-through', () => {
    let world: SandboxWorld;
    let serve: ChildProcess;
    let api: string;
    const prefix = `lctest-readme-${process.pid}`;

    beforeAll(async () => {
      world = await startWorld(await loadScenario('examples/sandbox-scenario.yaml'));
      const port = await freePort();
      serve = track(
        spawn(process.execPath, [BIN, 'serve', '--with-workers'], {
          env: {
            ...process.env,
            ...world.env,
            ...TEST_ENV,
            // What `listclean sandbox` prints next to the world's address, as the README says.
            ...SANDBOX_CLIENT_ENV,
            REDIS_URL,
            REDIS_PREFIX: prefix,
            STORAGE_URL: `file:${path.join(root, 'storage')}`,
            API_KEYS: 'acme:0123456789abcdef0123',
            PORT: String(port),
            HOST: '127.0.0.1',
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
      await waitForStderr(serve, 'listening on', 30_000);
      api = `http://127.0.0.1:${port}`;
    }, 60_000);

    afterAll(async () => {
      if (serve) await stopChild(serve);
      await world?.close();
      await deleteTestPrefix(prefix);
    });

    it('uploads, watches, downloads partial and final reports, schedules hygiene', async () => {
      const script = block('KEY=0123456789abcdef0123');
      const { stdout } = await runScript(script, {
        cwd: root,
        env: { ...process.env, API: api },
        timeoutMs: 120_000,
      });
      const files = (await readdir(root)).filter((f) => f.startsWith('contacts-'));
      expect(files.sort()).toEqual([
        'contacts-by-status.zip',
        'contacts-cleaned.csv',
        'contacts-partial-report.csv',
        'contacts-summary.json',
      ]);
      const summary = JSON.parse(await readFile(path.join(root, 'contacts-summary.json'), 'utf8'));
      expect(summary.rows).toBe(974);
      // The schedule and the runs answered as JSON, the xlsx upload too.
      expect(stdout).toMatch(/"next_run":"\d{4}-/);
      expect(stdout).toMatch(/"runs":\[/);
      expect(stdout).toMatch(/"id":"[0-9a-f-]{36}","status":"queued"/);
    }, 150_000);
  });
});
