/**
 * The aggregate job: runs once every child (ingest and all probe jobs) has finished. Streams the
 * stored input again, joins each row with its address's verdict from the list's results, and
 * writes the five reports to storage. Rows are never dropped: a row without a usable address is
 * `invalid_syntax`, and an address without a recorded verdict (a probe job that failed for good)
 * is `unknown / temporary_failure` with a detail saying so.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { addressFlags, parseAddress } from '../address/index.ts';
import type { CsvRow } from '../csv/index.ts';
import type { CachedVerdict } from '../redis/index.ts';
import { listKeys } from '../redis/keys.ts';
import { REPORT_FILES, ReportBuilder } from '../report/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import {
  type AddressResult,
  buildResult,
  invalidSyntaxResult,
  syntaxResult,
} from '../verdict/result.ts';
import type { Status } from '../verdict/types.ts';
import { ChangesTracker } from './changes.ts';
import { chunked, inputLayout, inputRows } from './input.ts';
import { failIfListGone } from './list-gone.ts';
import { storageKeys } from './names.ts';
import { notifyCompletion } from './notify.ts';
import type { AggregateJobData } from './types.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
};

const CHUNK_ROWS = 1000;

function resultFor(
  row: CsvRow,
  verdicts: Map<string, CachedVerdict>,
  column: string,
): {
  result: AddressResult;
  normalized: string | null;
} {
  if (row.malformed)
    return {
      result: invalidSyntaxResult('', `malformed CSV row: ${row.malformed}`, 'malformed-row'),
      normalized: null,
    };
  const email = row.email ?? '';
  if (email.trim() === '')
    return {
      result: invalidSyntaxResult(email, `no address in column "${column}"`, 'empty-cell'),
      normalized: null,
    };
  const parsed = parseAddress(email);
  if (!parsed.ok)
    return {
      result: syntaxResult(email, parsed),
      normalized: null,
    };
  const verdict = verdicts.get(parsed.normalized);
  const flags = addressFlags(parsed.local, parsed.domain);
  return {
    normalized: parsed.normalized,
    result: buildResult({
      email,
      normalized: parsed.normalized,
      reason: verdict?.reason ?? 'temporary_failure',
      flags,
      catchAll: verdict?.catchAll ?? false,
      mxHost: verdict?.mxHost ?? null,
      smtpCode: verdict?.smtpCode ?? null,
      smtpEnhancedCode: verdict?.smtpEnhancedCode ?? null,
      detail: verdict
        ? verdict.detail
        : 'no verdict was recorded (its probe job failed); try again later',
      checkedAt: verdict?.checkedAt ?? new Date(),
      rule: verdict ? verdict.rule : 'no-verdict-recorded',
    }),
  };
}

export async function runAggregate(job: Job<AggregateJobData>, rt: Runtime): Promise<void> {
  const { listId, runId } = job.data;
  // Deleted while its jobs waited: no retry brings it back.
  const meta = await rt.lists.require(listId).catch(failIfListGone);
  await rt.lists.advance(listId, 'aggregating');
  await rt.lists.increment(listId, 'aggregateRuns', 1);
  const started = Date.now();
  const layout = await inputLayout(rt.storage, listId, meta.options.column);
  const column = layout.columns[layout.emailColumn] ?? '';
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), `listclean-${listId}-`));
  const builder = new ReportBuilder({
    columns: layout.columns,
    includeRisky: meta.options.includeRisky,
    listName: meta.name,
    tmpDir,
  });
  const seenKey = listKeys(rt.prefix, listId).run(runId).aggregateSeen;
  const changes = new ChangesTracker(rt, listId, tmpDir);
  await rt.redis.del(seenKey);
  try {
    for await (const chunk of chunked(inputRows(rt.storage, listId, layout), CHUNK_ROWS)) {
      const addresses = new Set<string>();
      for (const row of chunk) {
        const parsed = row.email && !row.malformed ? parseAddress(row.email) : null;
        if (parsed?.ok) addresses.add(parsed.normalized);
      }
      const verdicts = await rt.results.getMany(listId, runId, [...addresses]);
      const rows = chunk.map((row) => ({ row, ...resultFor(row, verdicts, column) }));
      // Pipelined SADD in row order: 0 means an earlier row had the same address.
      const pipeline = rt.redis.pipeline();
      for (const r of rows) if (r.normalized) pipeline.sadd(seenKey, r.normalized);
      const answers = (await pipeline.exec()) ?? [];
      let answer = 0;
      const firsts: Array<{ address: string; status: Status }> = [];
      for (const r of rows) {
        const duplicate = r.normalized ? answers[answer++]?.[1] === 0 : false;
        if (r.normalized && !duplicate)
          firsts.push({ address: r.normalized, status: r.result.status });
        await builder.add({ fields: r.row.fields, result: r.result, duplicate });
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
    for (const [file, local] of outputs) {
      const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      await rt.storage.put(storageKeys.runOutput(listId, runId, file), createReadStream(local), {
        contentType,
      });
      await rt.storage.put(storageKeys.output(listId, file), createReadStream(local), {
        contentType,
      });
    }
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
    rt.log.info({ listId, runId, rows: summary.rows }, 'list done: reports written');
    await notifyCompletion(rt, listId);
  } finally {
    await rt.redis.del(seenKey);
    await builder.dispose();
    await rm(tmpDir, { recursive: true, force: true });
  }
}
