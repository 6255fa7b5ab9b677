/**
 * A list's SMTP transcripts (`--trace`, upload `trace=true`; issue 12). A probe job of a traced
 * list records each of its sessions and stores the transcripts under the run, before the
 * verdicts that name them: `lists/<id>/runs/<run>/traces/<name>.txt`, so they go with the run
 * (RUNS_KEEP) and with the list (DELETE). Names are unique within the list:
 * `<domain hash>-<batch>-<round start, base 36 ms>-<session n>` — the job id's own part, then the
 * round, since one job runs many rounds (greylisting) — and made of `[a-z0-9-]` only, so a name
 * from a request can never step outside its folder.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Runtime } from '../runtime/runtime.ts';
import { collectingRecorder, type TraceRecorder, type Transcript } from '../smtp/transcript.ts';
import type { AddressOutcome } from '../verify/outcome.ts';
import { storageKeys } from './names.ts';

/** What a transcript name may be: lower-case letters, digits, single inner hyphens. */
const TRACE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 128;

export function isTraceName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && TRACE_NAME.test(name);
}

/**
 * The recorder of one probe round: `probe-<list>-<run>-<tag>-<batch>[-s…]` names its sessions
 * `<tag>-<batch>[-s…]-<round>-<n>`.
 */
export function roundRecorder(
  jobId: string,
  listId: string,
  runId: string,
  now = Date.now(),
): { recorder: TraceRecorder; finished: Transcript[] } {
  const own = jobId.startsWith(`probe-${listId}-${runId}-`)
    ? jobId.slice(`probe-${listId}-${runId}-`.length)
    : jobId;
  const base = own
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME_LENGTH - 24);
  return collectingRecorder((n) => `${base || 'job'}-${now.toString(36)}-${n}`);
}

/**
 * Stores a round's transcripts; returns the names that could not be stored (logged), so the
 * verdicts do not name a transcript nobody can fetch.
 */
export async function storeTranscripts(
  rt: Runtime,
  listId: string,
  runId: string,
  transcripts: readonly Transcript[],
): Promise<Set<string>> {
  const lost = new Set<string>();
  await Promise.all(
    transcripts.map(async (transcript) => {
      try {
        await rt.storage.put(storageKeys.trace(listId, runId, transcript.name), transcript.text(), {
          contentType: 'text/plain; charset=utf-8',
        });
      } catch (error) {
        lost.add(transcript.name);
        rt.log.warn(
          { listId, runId, trace: transcript.name, err: error },
          'an SMTP transcript could not be stored',
        );
      }
    }),
  );
  return lost;
}

/** The outcomes with `trace` cleared where their transcript was lost. */
export function withoutLostTraces(
  outcomes: Map<string, AddressOutcome>,
  lost: ReadonlySet<string>,
): Map<string, AddressOutcome> {
  if (lost.size === 0) return outcomes;
  return new Map(
    [...outcomes].map(([address, outcome]) => [
      address,
      outcome.trace && lost.has(outcome.trace) ? { ...outcome, trace: null } : outcome,
    ]),
  );
}

/** Where a transcript of the list is stored: its runs are searched newest first. */
export async function findTrace(rt: Runtime, listId: string, name: string): Promise<string | null> {
  if (!isTraceName(name)) return null;
  for (const run of await rt.lists.runs(listId)) {
    const key = storageKeys.trace(listId, run.id, name);
    if ((await rt.storage.stat(key)) !== null) return key;
  }
  return null;
}

/** Copies a run's transcripts into `dir` (`clean --trace`: `--out DIR/traces/`); returns how many. */
export async function downloadTraces(
  rt: Runtime,
  listId: string,
  runId: string,
  dir: string,
): Promise<number> {
  const folder = path.posix.dirname(storageKeys.trace(listId, runId, 'x'));
  const keys = (await rt.storage.list(`${folder}/`)).filter((key) => key.endsWith('.txt'));
  if (keys.length === 0) return 0;
  await mkdir(dir, { recursive: true });
  for (const key of keys) {
    const name = path.posix.basename(key);
    await pipeline(await rt.storage.get(key), createWriteStream(path.join(dir, name)));
  }
  return keys.length;
}
