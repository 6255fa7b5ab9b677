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
import { parseDuration } from '../config/duration.ts';
import { readEnv } from '../config/env.ts';
import { ListcleanError } from '../errors.ts';
import { createLogger } from '../log/logger.ts';
import { fileInput } from '../pipeline/input.ts';
import { storageKeys } from '../pipeline/names.ts';
import { writePartialReports } from '../pipeline/partial-reports.ts';
import { listProgress } from '../pipeline/progress.ts';
import { enqueueList, submitList } from '../pipeline/submit.ts';
import { downloadTraces } from '../pipeline/traces.ts';
import type { ListOptions } from '../pipeline/types.ts';
import { REPORT_FILES, type Summary } from '../report/index.ts';
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import { ProgressDisplay } from './progress-line.ts';
import { ensureRedis } from './redis-bootstrap.ts';

/**
 * The file's bytes and every option that changes the result. (Piping the file into the hash
 * ended it: the options were never hashed on Node 20, and Node 24 refuses the late update.)
 */
export async function listIdFor(file: string, options: ListOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(options)}\n`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `l${hash.digest('hex').slice(0, 24)}`;
}

async function download(
  rt: Runtime,
  listId: string,
  outDir: string,
  keyOf: (listId: string, file: string) => string = storageKeys.output,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const file of REPORT_FILES) {
    const target = path.join(outDir, file);
    await pipeline(await rt.storage.get(keyOf(listId, file)), createWriteStream(target));
    written.push(target);
  }
  return written;
}

/** `--trace`: the run's transcripts into `<out>/traces/`, named as report.csv's `trace` says. */
async function copyTraces(
  rt: Runtime,
  listId: string,
  runId: string,
  outDir: string,
  log: (message: string) => void,
): Promise<void> {
  const dir = path.join(outDir, 'traces');
  const copied = await downloadTraces(rt, listId, runId, dir);
  log(`${copied} SMTP transcript(s) in ${dir}/`);
}

/** Removes every queue of the runtime's namespace, jobs and all. */
async function dropQueues(rt: Runtime): Promise<void> {
  const queues = [...Object.values(rt.queues), ...rt.pools.map((pool) => pool.bull)];
  for (const queue of queues) await queue.obliterate({ force: true });
}

/** The flags of `listclean clean` (src/cli/commands/clean.ts parses them). */
export interface CleanFlags {
  out?: string;
  column?: string;
  includeRisky?: boolean;
  workers?: boolean;
  /** `45m`, `2h`, `0` (never); default LIST_DEADLINE. */
  deadline?: string;
  /** Do not wait for the list: write what is known once every row is read, then stop. */
  partial?: boolean;
  /** Keep every SMTP session's transcript; they are written into `<out>/traces/` too. */
  trace?: boolean;
}

export interface CleanResult {
  listId: string;
  outDir: string;
  summary: Summary | null;
  /** The reports are of what was known then (`--partial`): pending rows are marked. */
  partial: boolean;
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
  if (fileStat?.isDirectory()) {
    throw new ListcleanError('file_not_found', `${file} is a directory; name the CSV file in it`);
  }
  if (!fileStat?.isFile()) throw new ListcleanError('file_not_found', `No such file: ${file}`);
  const deadlineMs = flags.deadline === undefined ? undefined : parseDuration(flags.deadline);
  if (deadlineMs === null) {
    throw new ListcleanError(
      'usage',
      `--deadline wants a duration such as 45m, 2h or 0 (never), got ${JSON.stringify(flags.deadline)}`,
    );
  }
  const config = readEnv(env);
  const options: ListOptions = {
    column: flags.column,
    includeRisky: flags.includeRisky === true,
    deadlineMs: deadlineMs ?? config.LIST_DEADLINE,
    // Only when asked: an absent option keeps the list ids of earlier versions.
    ...(flags.trace ? { trace: true as const } : {}),
  };
  const baseId = await listIdFor(file, options);
  const inProcess = flags.workers !== false;
  const redis = await ensureRedis(config.REDIS_URL, env.REDIS_URL !== undefined, log);
  let rt: Runtime;
  try {
    rt = await createRuntime(
      { ...config, REDIS_URL: redis.url },
      {
        log: createLogger({ level: config.LOG_LEVEL, format: 'text' }),
        // In-process workers get queues of the list's own: a `serve` or `worker` on the same
        // Redis never takes this list's jobs, and these workers never take theirs. The same
        // command resumed finds the same queues.
        queueNamespace: inProcess ? `clean-${baseId}` : null,
      },
    );
  } catch (error) {
    // A private redis-server must not outlive a command that could not even start.
    await redis.stop();
    throw error;
  }
  let pool: WorkerPool | null = null;
  let finished = false;
  let failed = false;
  const display = new ProgressDisplay();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let listId = baseId;
    const existing = await rt.lists.get(listId);
    if (existing?.status === 'failed') listId = `${listId}-${Date.now().toString(36)}`;
    if (existing && existing.status !== 'failed') {
      log(`continuing list ${listId} (${existing.status})`);
      // The deadline counts from this start, not the interrupted one's.
      if (existing.status !== 'done') {
        await rt.lists.restartDeadline(listId, options.deadlineMs ?? 0);
        await enqueueList(rt, listId);
      }
    } else {
      await submitList(rt, {
        id: listId,
        name: path.basename(file),
        tenant: 'cli',
        options,
        // A CSV as it is; an .xlsx workbook's first sheet as CSV.
        input: await fileInput(file),
      });
    }
    if (inProcess) pool = await startWorkers(rt);
    else log('--no-workers: waiting for `listclean worker` processes to do the work');

    const outDir = flags.out ?? path.join('out', path.basename(file, path.extname(file)));
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
      display.column = meta.column;
      display.update(meta.status, await listProgress(rt, meta), meta.ingested, finished);
      if (meta.status === 'failed') {
        failed = true;
        // One code: the failure's own (column_not_found, not_csv, …), else list_failed.
        throw new ListcleanError(
          meta.errorCode ?? 'list_failed',
          `the list failed: ${meta.error ?? 'unknown reason'}`,
        );
      }
      if (meta.status === 'done') break;
      if (interrupted || (flags.partial && meta.ingested)) {
        display.stop();
        if (interrupted)
          log(`interrupted: writing what is known so far into ${outDir}/ (Ctrl-C again to skip)`);
        const summary = await writePartialReports(rt, listId);
        await download(rt, listId, outDir, storageKeys.partial);
        if (options.trace) await copyTraces(rt, listId, meta.currentRun, outDir, log);
        if (interrupted) {
          throw new ListcleanError(
            'interrupted',
            `interrupted; what is known so far is in ${outDir}/ (${summary.pending ?? 0} rows pending); run the same command again to continue list ${listId}`,
          );
        }
        return { listId, outDir, summary, partial: true, redisUrl: redis.private ? '' : redis.url };
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    display.stop();
    finished = true;
    const meta = await rt.lists.get(listId);
    await download(rt, listId, outDir);
    if (options.trace && meta) await copyTraces(rt, listId, meta.currentRun, outDir, log);
    return {
      listId,
      outDir,
      summary: meta?.summary ?? null,
      partial: false,
      redisUrl: redis.private ? '' : redis.url,
    };
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close(interrupted || flags.partial ? 5000 : 60_000);
    // A finished list's private queues are of no more use; an interrupted one's are resumed.
    if (inProcess && (finished || failed)) await dropQueues(rt).catch(() => undefined);
    await rt.close();
    await redis.stop();
  }
}
