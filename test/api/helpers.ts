/**
 * The API under test: a pipeline harness (sandbox world, own Redis prefix and storage) with the
 * app listening on a real socket on 127.0.0.1, driven with Node's fetch.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/index.ts';
import { scanTargets } from '../../src/redis/index.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';

export const ACME_KEY = 'acme-key-0123456789abcdef';
export const GLOBEX_KEY = 'globex-key-0123456789abcdef';
export const ADMIN_KEY = 'admin-key-0123456789abcdef';
export const API_KEYS = `acme:${ACME_KEY},globex:${GLOBEX_KEY}`;

export interface ApiUnderTest {
  base: string;
  app: FastifyInstance;
  harness: PipelineHarness;
  /** fetch against the API, with `Authorization: Bearer <key>` when a key is given. */
  call(route: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** A world whose DNS is never asked: for suites that run no list through the workers. */
export const NO_WORLD = { env: {} } as unknown as SandboxWorld;

export async function startApi(
  world: SandboxWorld,
  env: Record<string, string> = {},
): Promise<ApiUnderTest> {
  const harness = await startHarness(world, { API_KEYS, ...env });
  const app = await buildApp(harness.rt, { logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    app,
    harness,
    call(route, init = {}) {
      const { key, headers, ...rest } = init;
      const all = new Headers(headers);
      if (key !== undefined) all.set('authorization', `Bearer ${key}`);
      return fetch(`${base}${route}`, { ...rest, headers: all });
    },
    async close() {
      await app.close();
      await harness.close();
    },
  };
}

/** Every file under a folder, recursively (relative paths). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

/** The list-related Redis keys under the harness's prefix (rate-limit counters aside). */
export async function listKeysIn(api: ApiUnderTest): Promise<string[]> {
  const { rt } = api.harness;
  // Every master of a Redis Cluster.
  const found = await Promise.all(
    scanTargets(rt.redis).map((node) => node.keys(`${rt.prefix}list*`)),
  );
  return found.flat();
}

export async function waitForStatus(
  api: ApiUnderTest,
  id: string,
  key: string,
  want: string,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api.call(`/v1/lists/${id}`, { key });
    const body = (await response.json()) as Record<string, unknown>;
    if (body.status === want) return body;
    if (body.status === 'failed' || Date.now() > deadline)
      throw new Error(`list ${id} is ${body.status}, want ${want}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
