/** A runtime for a command that only reads or changes state in Redis and storage, then exits. */
import { readEnv } from '../config/env.ts';
import type { Runtime } from '../runtime/runtime.ts';

export async function withRuntime<T>(work: (rt: Runtime) => Promise<T>): Promise<T> {
  const { createRuntime } = await import('../runtime/runtime.ts');
  const rt = await createRuntime(readEnv());
  try {
    return await work(rt);
  } finally {
    await rt.close();
  }
}
