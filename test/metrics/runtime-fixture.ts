/**
 * A pipeline runtime on a key prefix of its own (real Redis, disk storage in a temp dir), for
 * tests that need `rt` but no mail world. Deletes its keys and files afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readEnv } from '../../src/config/env.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';

export interface RuntimeFixture {
  rt: Runtime;
  close(): Promise<void>;
}

export async function startRuntime(env: Record<string, string> = {}): Promise<RuntimeFixture> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'listclean-rt-'));
  const prefix = `lctest-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const config = readEnv({
    REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${storageDir}`,
    HELO_NAME: 'probe.listclean.test',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const rt = await createRuntime(config);
  return {
    rt,
    async close() {
      try {
        await rt.close();
      } finally {
        await deleteTestPrefix(prefix, config.REDIS_URL);
        await rm(storageDir, { recursive: true, force: true });
      }
    },
  };
}
