/**
 * The body of `listclean clean FILE` (loaded on demand): stores the file, runs it through the BullMQ pipeline (in-process
 * workers unless --no-workers), shows progress, and writes the reports into --out. The list id
 * derives from the file's bytes and options, so after Ctrl-C the same command continues the
 * same list instead of starting over.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { readEnv } from '../config/env.ts';
import { ListcleanError } from '../errors.ts';
import { createLogger } from '../log/logger.ts';
import { storageKeys } from '../pipeline/names.ts';
import { listProgress } from '../pipeline/progress.ts';
import { enqueueList, submitList } from '../pipeline/submit.ts';
import type { ListOptions } from '../pipeline/types.ts';
import { REPORT_FILES, type Summary } from '../report/index.ts';
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import { ProgressDisplay } from './progress-line.ts';
import { ensureRedis } from './redis-bootstrap.ts';

/**
 * The file's bytes and every option that changes the result. (Piping the file into the hash
 * ended it: the options were never hashed on Node 20, and Node 24 refuses the late update.)
 */
async function listIdFor(file: string, options: ListOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(options)}\n`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `l${hash.digest('hex').slice(0, 24)}`;
}

async function download(rt: Runtime, listId: string, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const file of REPORT_FILES) {
    const target = path.join(outDir, file);
    await pipeline(
      await rt.storage.get(storageKeys.output(listId, file)),
      createWriteStream(target),
    );
    written.push(target);
  }
  return written;
}

/** The flags of `listclean clean` (src/cli/commands/clean.ts parses them). */
export interface CleanFlags {
  out?: string;
  column?: string;
  includeRisky?: boolean;
  workers?: boolean;
}

export interface CleanResult {
  listId: string;
  outDir: string;
  summary: Summary | null;
  /** The Redis used; empty when it was a private one (already stopped by then). */
  redisUrl: string;
}

/** The whole `clean` flow; `env` lets `demo` and tests override the configuration. */
export async function runClean(
  file: string,
  flags: CleanFlags,
  env: NodeJS.ProcessEnv = process.env,
  log: (message: string) => void = (m) => process.stderr.write(`listclean: ${m}\n`),
): Promise<CleanResult> {
  const fileStat = await stat(file).catch(() => null);
  if (!fileStat?.isFile()) throw new ListcleanError('file_not_found', `No such file: ${file}`);
  const config = readEnv(env);
  const redis = await ensureRedis(config.REDIS_URL, env.REDIS_URL !== undefined, log);
  let rt: Runtime;
  try {
    rt = await createRuntime(
      { ...config, REDIS_URL: redis.url },
      { log: createLogger({ level: config.LOG_LEVEL, format: 'text' }) },
    );
  } catch (error) {
    // A private redis-server must not outlive a command that could not even start.
    await redis.stop();
    throw error;
  }
  let pool: WorkerPool | null = null;
  const display = new ProgressDisplay();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const options: ListOptions = {
      column: flags.column,
      includeRisky: flags.includeRisky === true,
    };
    let listId = await listIdFor(file, options);
    const existing = await rt.lists.get(listId);
    if (existing?.status === 'failed') listId = `${listId}-${Date.now().toString(36)}`;
    if (existing && existing.status !== 'failed') {
      log(`continuing list ${listId} (${existing.status})`);
      await enqueueList(rt, listId);
    } else {
      await submitList(rt, {
        id: listId,
        name: path.basename(file),
        tenant: 'cli',
        options,
        input: createReadStream(file),
      });
    }
    if (flags.workers !== false) pool = await startWorkers(rt);
    else log('--no-workers: waiting for `listclean worker` processes to do the work');

    const warned = new Set<string>();
    for (;;) {
      const meta = await rt.lists.get(listId);
      if (!meta) throw new ListcleanError('list_vanished', `list ${listId} disappeared from Redis`);
      const finished = meta.status === 'done' || meta.status === 'failed';
      for (const warning of await rt.lists.blocked(listId, meta.currentRun)) {
        if (warned.has(warning.provider)) continue;
        warned.add(warning.provider);
        display.interrupt(() =>
          log(
            `warning: ${warning.provider} refused us (${warning.reply}); probing it is paused until ${warning.until} and its addresses are reported unknown/blocked [provider_blocked]`,
          ),
        );
      }
      display.update(meta.status, await listProgress(rt, meta), meta.ingested, finished);
      if (meta.status === 'failed') {
        throw new ListcleanError(
          'list_failed',
          `the list failed: ${meta.error ?? 'unknown reason'}`,
        );
      }
      if (meta.status === 'done') break;
      if (interrupted) {
        throw new ListcleanError(
          'interrupted',
          `interrupted; run the same command again to continue list ${listId}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    display.stop();
    const meta = await rt.lists.get(listId);
    const outDir = flags.out ?? path.join('out', path.basename(file, path.extname(file)));
    await download(rt, listId, outDir);
    return {
      listId,
      outDir,
      summary: meta?.summary ?? null,
      redisUrl: redis.private ? '' : redis.url,
    };
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close(interrupted ? 5000 : 60_000);
    await rt.close();
    await redis.stop();
  }
}
