/**
 * Reports of what is known so far, while a list is still verified: the same files as the final
 * ones, made the same way (src/pipeline/join-rows.ts), with every address still waiting marked
 * `pending` in report.csv and counted in summary.json's `pending`. They go to
 * `lists/<id>/partial/`, never over the final reports; one build at a time per list (a Redis
 * lock), so two downloads at once get one consistent set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AddressSet } from '../redis/address-hash.ts';
import { listKeys } from '../redis/keys.ts';
import { REPORT_FILES, ReportBuilder, type Summary } from '../report/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { inputLayout, reportLayout } from './input.ts';
import { joinedChunks, putReports } from './join-rows.ts';
import { storageKeys } from './names.ts';

/** A build that takes longer is presumed dead (its process went away) and its lock lapses. */
const LOCK_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds the partial reports of the list's current run into storage and returns their summary.
 * If another process is building them right now, waits for that build instead.
 */
export async function writePartialReports(rt: Runtime, listId: string): Promise<Summary> {
  const meta = await rt.lists.require(listId);
  const keys = listKeys(rt.prefix, listId);
  const lock = `${keys.meta}:partial-lock`;
  const token = `${process.pid}-${Date.now()}-${Math.random()}`;
  while ((await rt.redis.set(lock, token, 'PX', LOCK_MS, 'NX')) === null) {
    // Someone else builds: theirs is as fresh as ours would be.
    while ((await rt.redis.exists(lock)) === 1) await sleep(200);
    const summary = await readPartialSummary(rt, listId);
    if (summary) return summary;
  }
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), `listclean-partial-${listId}-`));
  const started = Date.now();
  try {
    const layout = await inputLayout(rt.storage, listId, meta.options.column);
    const builder = new ReportBuilder({
      ...reportLayout(layout),
      includeRisky: meta.options.includeRisky,
      listName: meta.name,
      tmpDir,
    });
    try {
      const seen = new AddressSet();
      for await (const rows of joinedChunks(rt, listId, meta.currentRun, layout, seen)) {
        for (const r of rows) {
          await builder.add({
            fields: r.fields,
            result: r.result,
            duplicate: r.duplicate,
            pending: r.pending,
          });
        }
      }
      const { files, summary } = await builder.finish(
        { partial_ms: Date.now() - started },
        await rt.lists.blocked(listId, meta.currentRun),
      );
      const outputs = REPORT_FILES.map((file) => [file, files[file]] as const);
      await putReports(rt, outputs, (file) => storageKeys.partial(listId, file));
      return summary;
    } finally {
      await builder.dispose();
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
    // Only our own lock: one that lapsed and was taken by another build is theirs.
    if ((await rt.redis.get(lock)) === token) await rt.redis.del(lock);
  }
}

async function readPartialSummary(rt: Runtime, listId: string): Promise<Summary | null> {
  try {
    const stream = await rt.storage.get(storageKeys.partial(listId, 'summary.json'));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Summary;
  } catch {
    return null;
  }
}
