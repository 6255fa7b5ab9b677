/**
 * The ingest job: streams the stored CSV once, dedupes normalised addresses across the list,
 * answers what the verification cache knows, and queues one probe job per batch of addresses at
 * one domain, as children of the list's aggregate job (so the aggregate runs only after all of
 * them). Safe to run again after a crash: batches are numbered deterministically from the input
 * and job ids derive from them, so re-adding an existing batch is a no-op.
 */
import { createHash } from 'node:crypto';
import { type Job, type JobsOptions, UnrecoverableError } from 'bullmq';
import { parseAddress } from '../address/index.ts';
import { isListcleanError, ListcleanError } from '../errors.ts';
import { AddressSet } from '../redis/address-hash.ts';
import type { CachedVerdict } from '../redis/compact-verdict.ts';
import { jobIds } from '../redis/keys.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { REASON_STATUS } from '../verdict/types.ts';
import { chunked, emailColumnInfo, inputLayout, inputRows } from './input.ts';
import { listFailure } from './list-failure.ts';
import { failIfListGone } from './list-gone.ts';
import { notifyCompletion } from './notify.ts';
import { registerPools } from './pool-registry.ts';
import { ProbeRouter } from './probe-route.ts';
import { leaveForAnotherWorker } from './storage-elsewhere.ts';
import type { IngestJobData, ProbeJobData } from './types.ts';

/** Rows looked up in Redis per round trip. */
const CHUNK_ROWS = 1000;
/**
 * Addresses buffered across partial batches (≈20 MB) before the largest are flushed early. Only
 * down to half: flushing every buffer would turn a long tail of small domains into one tiny
 * probe job (and SMTP session) per domain each time the cap is hit. A million-row list over
 * 50,000 domains needs 60,427 jobs at least: with a cap of 20,000 it made 266,507 (and took
 * twice as long), with this one 65,835.
 */
const MAX_BUFFERED = 250_000;

/** Options of every probe job (split pool jobs too). */
export const PROBE_JOB_OPTIONS = {
  // A probe job that fails for good must not hold the list hostage: the aggregate reports its
  // addresses as unknown.
  ignoreDependencyOnFailure: true,
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  // A finished job's data (its addresses) is dead weight: its verdicts are in the run's
  // results. The last thousand stay for a look (a day at most), not all of them (issue 14).
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies JobsOptions;

export function probeJobId(listId: string, runId: string, domain: string, batch: number): string {
  const tag = createHash('sha1').update(domain).digest('hex').slice(0, 16);
  return jobIds.probe(listId, runId, tag, batch);
}

export async function runIngest(
  job: Job<IngestJobData>,
  rt: Runtime,
  token?: string,
): Promise<{ rows: number; unique: number }> {
  const { listId, runId } = job.data;
  // Deleted while its jobs waited: no retry brings it back.
  const meta = await rt.lists.require(listId).catch(failIfListGone);
  if (!job.parent?.id) throw new UnrecoverableError('ingest job has no parent aggregate job');
  const parent = { id: job.parent.id, queue: job.parent.queueKey };
  await rt.lists.advance(listId, 'ingesting', { startedAt: new Date().toISOString() });

  let layout: Awaited<ReturnType<typeof inputLayout>>;
  try {
    // Only the email column matters here: the reports' full width is the aggregate's to read.
    layout = await inputLayout(rt.storage, listId, meta.options.column, { wholeFile: false });
  } catch (error) {
    // Another process's upload: a worker that has it will come.
    if (isListcleanError(error) && error.code === 'storage_not_found') {
      return leaveForAnotherWorker(job, token, rt);
    }
    // Storage or Redis away: BullMQ retries with backoff. On the last attempt the list fails
    // with this reason, written before the job fails: the parent aggregate, failed by its child,
    // knows only "a child failed" and must not be the one to say why.
    if (isListcleanError(error) && /^(storage|redis)_unavailable$/.test(error.code)) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await rt.lists.advance(listId, 'failed', { ...listFailure(error) }).catch(() => null);
      }
      throw error;
    }
    // Not CSV, no email column, …: the list fails with the reason, no retry helps.
    return failForGood(rt, listId, runId, error);
  }
  // Which column the list is read by: GET /v1/lists/:id and `clean` show it from now on.
  await rt.lists.set(listId, { column: JSON.stringify(emailColumnInfo(layout)) });

  // Dedupe in process (12 bytes an address, no Redis call): each attempt starts empty, so an
  // interrupted run's batches are rebuilt identically from scratch.
  const seen = new AddressSet();
  rt.results.forget(listId);
  const router = new ProbeRouter(rt);
  // Known before the first batch goes to a pool, so a later policy without it still drains it.
  await registerPools(rt);
  const buffers = new Map<string, string[]>();
  const batchNumbers = new Map<string, number>();
  let buffered = 0;
  let rows = 0;
  let unique = 0;
  let cached = 0;

  const flush = async (domain: string) => {
    const addresses = buffers.get(domain);
    if (!addresses || addresses.length === 0) return;
    buffers.delete(domain);
    buffered -= addresses.length;
    const batch = batchNumbers.get(domain) ?? 0;
    batchNumbers.set(domain, batch + 1);
    const { queue } = await router.route(domain);
    const data: ProbeJobData = {
      listId,
      runId,
      domain,
      addresses,
      waits: 0,
      transientTries: 0,
      greylistedNow: 0,
      ...(meta.options.trace ? { trace: true } : {}),
    };
    await queue.add(`${domain}`, data, {
      jobId: probeJobId(listId, runId, domain, batch),
      parent,
      ...PROBE_JOB_OPTIONS,
    });
  };

  for await (const chunk of chunked(inputRows(rt.storage, listId, layout), CHUNK_ROWS)) {
    rows += chunk.length;
    const candidates: Array<{ normalized: string; domain: string }> = [];
    for (const row of chunk) {
      if (row.malformed || row.email === null) continue;
      const parsed = parseAddress(row.email);
      if (parsed.ok) candidates.push({ normalized: parsed.normalized, domain: parsed.domain });
    }
    if (candidates.length === 0) continue;
    const fresh = candidates.filter((c) => seen.add(c.normalized));
    unique += fresh.length;
    // A traced list asks every address itself: a cached verdict has no transcript to show.
    const cachedAll = meta.options.trace
      ? new Map<string, CachedVerdict>()
      : await rt.cache.get(
          fresh.map((c) => c.normalized),
          { maxAgeMs: rt.config.CACHE_MAX_AGE },
        );
    // Unknown verdicts are never reused: they are what a new attempt may settle.
    const hits = new Map([...cachedAll].filter(([, v]) => REASON_STATUS[v.reason] !== 'unknown'));
    if (hits.size > 0) {
      await rt.results.setMany(listId, runId, [...hits]);
      cached += hits.size;
    }
    for (const candidate of fresh) {
      if (hits.has(candidate.normalized)) continue;
      let buffer = buffers.get(candidate.domain);
      if (!buffer) {
        buffer = [];
        buffers.set(candidate.domain, buffer);
        // Looked up now, in the background: ready by the time the batch is full.
        router.route(candidate.domain).catch(() => undefined);
      }
      buffer.push(candidate.normalized);
      buffered += 1;
      if (buffer.length >= router.batchSize(candidate.domain)) {
        // The shared queue's size is only a guess until the route is known (a pool's batches
        // are bigger): wait for it before cutting the domain's first batch.
        if (!router.settled(candidate.domain)) await router.route(candidate.domain);
        if (buffer.length >= router.batchSize(candidate.domain)) await flush(candidate.domain);
      }
    }
    if (buffered > MAX_BUFFERED) {
      // Largest first (stable sort: ties keep first-seen order, so a re-run batches the same way).
      const largest = [...buffers].sort((a, b) => b[1].length - a[1].length).map(([d]) => d);
      for (const domain of largest) {
        if (buffered <= MAX_BUFFERED / 2) break;
        await flush(domain);
      }
    }
    await rt.lists.set(listId, { rows, unique, cached });
    await job.updateProgress({ rows });
  }
  // A header and nothing else (an upload is refused so; `clean` FILE learns it here).
  if (rows === 0) {
    return failForGood(rt, listId, runId, new ListcleanError('no_rows', NO_ROWS));
  }
  for (const domain of [...buffers.keys()]) await flush(domain);
  // The buckets written so far get their TTL; the aggregate renews it for all at the end.
  await rt.results.touch(listId, runId);
  await rt.lists.set(listId, { rows, unique, cached, ingested: 1 });
  await rt.lists.advance(listId, 'verifying');
  rt.log.info({ listId, runId, rows, unique, cached }, 'list ingested: verifying');
  return { rows, unique };
}

const NO_ROWS =
  'The file has a header row but no data rows: there is nothing to clean. Export the contacts ' +
  'again, with their rows, and use that file.';

/** The list fails with the reason, no retry helps: its input is what it is. */
async function failForGood(
  rt: Runtime,
  listId: string,
  runId: string,
  error: unknown,
): Promise<never> {
  const failure = listFailure(error);
  await rt.lists.advance(listId, 'failed', { ...failure });
  rt.log.warn({ listId, runId, err: error }, 'list failed: its input cannot be read');
  await notifyCompletion(rt, listId);
  throw new UnrecoverableError(`${failure.error} [${failure.errorCode}]`);
}
