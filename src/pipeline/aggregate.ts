/**
 * The aggregate job: runs once every child (ingest and all probe jobs) has finished. Streams the
 * stored input again, joins each row with its address's verdict from the list's results, and
 * writes the five reports to storage. Rows are never dropped: a row without a usable address is
 * `invalid_syntax`, and an address without a recorded verdict (a probe job that failed for good)
 * is `unknown / temporary_failure` with a detail saying so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { isListcleanError } from '../errors.ts';
import { AddressSet } from '../redis/address-hash.ts';
import { REPORT_FILES, ReportBuilder } from '../report/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Status } from '../verdict/types.ts';
import { ChangesTracker } from './changes.ts';
import { inputLayout, reportLayout } from './input.ts';
import { joinedChunks, putReports } from './join-rows.ts';
import { failIfListGone } from './list-gone.ts';
import { storageKeys } from './names.ts';
import { notifyCompletion } from './notify.ts';
import { pruneRuns } from './run-retention.ts';
import { leaveForAnotherWorker } from './storage-elsewhere.ts';
import type { AggregateJobData } from './types.ts';

export async function runAggregate(
  job: Job<AggregateJobData>,
  rt: Runtime,
  token?: string,
): Promise<void> {
  const { listId, runId } = job.data;
  // Deleted while its jobs waited: no retry brings it back.
  const meta = await rt.lists.require(listId).catch(failIfListGone);
  const started = Date.now();
  // Read first: a worker without the list's input leaves the job before touching the list.
  const layout = await inputLayout(rt.storage, listId, meta.options.column).catch((error) =>
    isListcleanError(error) && error.code === 'storage_not_found'
      ? leaveForAnotherWorker(job, token, rt)
      : Promise.reject(error),
  );
  await rt.lists.advance(listId, 'aggregating');
  await rt.lists.increment(listId, 'aggregateRuns', 1);
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), `listclean-${listId}-`));
  const builder = new ReportBuilder({
    ...reportLayout(layout),
    includeRisky: meta.options.includeRisky,
    listName: meta.name,
    tmpDir,
  });
  // Duplicates in process, per attempt (issue 14: no Redis set, no call per row).
  const seen = new AddressSet();
  rt.results.forget(listId);
  const changes = new ChangesTracker(rt, listId, runId, tmpDir);
  try {
    for await (const rows of joinedChunks(rt, listId, runId, layout, seen)) {
      const firsts: Array<{ address: string; status: Status }> = [];
      for (const r of rows) {
        if (r.normalized && !r.duplicate)
          firsts.push({ address: r.normalized, status: r.result.status });
        await builder.add({ fields: r.fields, result: r.result, duplicate: r.duplicate });
      }
      await changes.check(firsts);
    }
    const meta2 = await rt.lists.get(listId);
    const { files, summary } = await builder.finish(
      {
        ingest_ms: meta2?.startedAt ? started - Date.parse(meta2.startedAt) : 0,
        aggregate_ms: Date.now() - started,
      },
      await rt.lists.blocked(listId, runId),
    );
    await changes.finish();
    const outputs: Array<[string, string]> = [
      ...REPORT_FILES.map((file) => [file, files[file]] as [string, string]),
      ['changes.csv', changes.file],
    ];
    // Each run keeps its own reports; the list's top-level reports are the latest run's.
    await putReports(rt, outputs, (file) => storageKeys.runOutput(listId, runId, file));
    await putReports(rt, outputs, (file) => storageKeys.output(listId, file));
    const finishedAt = new Date().toISOString();
    const run = await rt.lists.getRun(listId, runId);
    await rt.lists.saveRun(listId, {
      id: runId,
      status: 'done',
      startedAt: run?.startedAt ?? meta.createdAt,
      finishedAt,
      summary,
      changes: changes.count,
    });
    await rt.lists.advance(listId, 'done', { summary: JSON.stringify(summary), finishedAt });
    // The run's verdicts outlive it by the results TTL, counted from now.
    await rt.results
      .touch(listId, runId)
      .catch((error: unknown) =>
        rt.log.warn({ listId, err: error }, 'could not renew the TTL of the run’s results'),
      );
    await pruneRuns(rt, listId, rt.config.RUNS_KEEP).catch((error: unknown) =>
      rt.log.warn({ listId, err: error }, 'could not remove old runs; the next run tries again'),
    );
    rt.log.info({ listId, runId, rows: summary.rows }, 'list done: reports written');
    await notifyCompletion(rt, listId);
  } finally {
    await builder.dispose();
    await rm(tmpDir, { recursive: true, force: true });
  }
}
