/** `listclean sandbox` runs a world another process can use, and stops cleanly on SIGINT. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stopChild, track } from '../helpers/children.ts';
import { BIN, runCli } from '../helpers/cli.ts';
import { TEST_ENV } from '../helpers/verify.ts';

describe('listclean sandbox', () => {
  it('prints the env, serves verify from another process, and reports what it saw on Ctrl-C', async () => {
    const child = track(
      spawn(process.execPath, [BIN, 'sandbox', '--scenario', 'examples/sandbox-scenario.yaml']),
    );
    // Stopped even when an expectation fails before the SIGINT below.
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c) => {
        stderr += c;
      });
      const env: Record<string, string> = {};
      await new Promise<void>((resolve, reject) => {
        child.on('exit', () => reject(new Error(`sandbox exited early: ${stderr}`)));
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          for (const line of stdout.split('\n')) {
            const [key, value] = line.split('=');
            if (key && value) env[key] = value;
          }
          if (env.DNS_SERVERS && env.SMTP_PORT && env.ALLOW_PRIVATE_MX) resolve();
        });
      });
      expect(env.ALLOW_PRIVATE_MX).toBe('127.0.0.0/8');

      // --ordered: two domains finish in either order; the assertion names them by position.
      const run = await runCli(['verify', '--ordered', 'alice@acme-corp.com', 'nobody@globex.io'], {
        env: { ...env, ...TEST_ENV },
      });
      expect(run.code).toBe(0);
      const reasons = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).reason);
      expect(reasons).toEqual(['accepted', 'mailbox_not_found']);

      child.removeAllListeners('exit');
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stderr).toMatch(/mx2\.acme-corp\.com: 1 session\(s\), 2 RCPT\(s\)/);
    } finally {
      await stopChild(child);
    }
  });

  it('names the field of a bad scenario', async () => {
    const run = await runCli(['sandbox', '--scenario', 'package.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/package\.json.*domains/);
  });
});
