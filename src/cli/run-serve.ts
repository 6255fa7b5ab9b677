/**
 * The body of `listclean serve` (loaded on demand): runtime, API, optionally the worker pools;
 * on SIGTERM/SIGINT the server stops taking requests and finishes those in flight, then the
 * pools finish their jobs (up to the grace period), then the runtime closes.
 */

import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { buildApp } from '../api/index.ts';
import { assertServeConfig } from '../api/serve-config.ts';
import { readEnv } from '../config/env.ts';
import { createRuntime } from '../runtime/runtime.ts';
import { waitForSignal } from './signals.ts';

export interface ServeOptions {
  withWorkers: boolean;
  graceMs: number;
}

export async function runServe(
  options: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const config = readEnv(env);
  // Before connecting to anything: a server no key can use is a configuration mistake.
  assertServeConfig(config);
  const rt = await createRuntime(config);
  const log = (message: string) => rt.log.info(`listclean serve: ${message}`);
  let pool: WorkerPool | null = null;
  try {
    const app = await buildApp(rt);
    try {
      if (options.withWorkers) pool = await startWorkers(rt);
      const address = await app.listen({ port: config.PORT, host: config.HOST });
      const tenants = new Set(config.API_KEYS.map((k) => k.tenant)).size;
      log(
        `listening on ${address} (pid ${process.pid}; console at ${address}/; docs at ${address}/docs; ` +
          `${tenants} tenant(s); storage ${rt.storage.describe()}` +
          `${pool ? `; worker pools in this process, ${config.WORKER_CONCURRENCY} probe jobs at once` : ''}` +
          `${config.ADMIN_KEY ? '; queue dashboard at /admin/queues' : ''})`,
      );
      const signal = await waitForSignal();
      log(`${signal}: finishing requests in flight${pool ? ' and jobs in hand' : ''}`);
    } finally {
      await app.close();
    }
  } finally {
    await pool?.close(options.graceMs);
    await rt.close();
  }
}
