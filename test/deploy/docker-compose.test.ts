/**
 * docker-compose.yml cannot be started here (no Docker engine), so it is checked as far as the
 * machine allows: schema and best practices with dclint, and every variable it hands to
 * listclean is one the config module knows and accepts.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../src/config/duration.ts';
import { CONFIG_KEYS, readEnv } from '../../src/config/env.ts';

const run = promisify(execFile);

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  deploy?: { replicas?: number };
  stop_grace_period?: string;
}

async function loadCompose(): Promise<{ services: Record<string, Service> }> {
  // `merge: true` resolves the `<<: *listclean-env` anchors the way Compose does.
  return parse(await readFile('docker-compose.yml', 'utf8'), { merge: true });
}

/** `${NAME:-default}` → default; `${NAME:?msg}` → a placeholder a user would set. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+(?::-([^}]*)|:\?[^}]*)?\}/g, (_m, fallback?: string) =>
    fallback === undefined ? 'acme:0123456789abcdef0123' : fallback,
  );
}

describe('docker-compose.yml', () => {
  it('passes dclint (Compose schema and rules) without a warning', async () => {
    // execFile rejects on a non-zero exit, which --max-warnings 0 gives for any finding.
    const { stdout } = await run('npx', ['dclint', '--max-warnings', '0', 'docker-compose.yml']);
    expect(stdout).not.toMatch(/warning|error/);
  });

  it('docker-compose config accepts it with no variable set (API_KEYS included)', async () => {
    // Debian's docker-compose 1.29 (.ci/run installs it); without API_KEYS `ps`/`down` must work.
    const env = { ...process.env };
    delete env.API_KEYS;
    await expect(run('docker-compose', ['config', '-q'], { env })).resolves.toBeDefined();
  });

  it('has redis, an evicting cache, minio with a bucket-creating one-shot, api and a scalable worker', async () => {
    const { services } = await loadCompose();
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'cache',
      'minio',
      'minio-init',
      'redis',
      'worker',
    ]);
    expect(services.api?.command).toEqual(['serve']);
    expect(services.worker?.command?.[0]).toBe('worker');
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(services['minio-init'])).toMatch(/mc mb/);
    expect(services.cache?.command).toEqual(expect.arrayContaining(['allkeys-lru']));
    expect(services.redis?.command).toEqual(expect.arrayContaining(['noeviction']));
    for (const name of ['redis', 'cache', 'minio', 'api', 'worker']) {
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
    // The worker's healthcheck asks its own WORKER_PORT.
    expect(services.worker?.healthcheck?.test?.join(' ')).toContain(
      `:${services.worker?.environment?.WORKER_PORT}/healthz`,
    );
  });

  it("gives workers longer to stop than their --grace, so Docker's SIGKILL comes after it", async () => {
    const { services } = await loadCompose();
    const command = services.worker?.command ?? [];
    const grace = parseDuration(command[command.indexOf('--grace') + 1] ?? '60s');
    const stop = parseDuration(services.worker?.stop_grace_period ?? '10s');
    expect(grace).not.toBeNull();
    expect(stop).toBeGreaterThan((grace ?? 0) + 5_000);
  });

  it('sets only variables the config module knows, with values it accepts', async () => {
    const { services } = await loadCompose();
    for (const name of ['api', 'worker']) {
      const env = services[name]?.environment ?? {};
      expect(Object.keys(env).length).toBeGreaterThan(5);
      for (const key of Object.keys(env)) expect(CONFIG_KEYS).toContain(key);
      const values = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, interpolate(String(v))]),
      );
      expect(() => readEnv(values)).not.toThrow();
    }
  });
});
