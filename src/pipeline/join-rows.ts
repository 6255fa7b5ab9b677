/**
 * The rows of a list joined with their verdicts, in input order, as the aggregate (and partial
 * reports) write them: every row, a verdict for each (a row with no usable address is
 * `invalid_syntax`; an address with no recorded verdict `unknown / temporary_failure`, flagged
 * `pending`), and whether an earlier row had the same address.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { addressFlags, parseAddress } from '../address/index.ts';
import type { CsvLayout, CsvRow } from '../csv/index.ts';
import type { AddressSet } from '../redis/address-hash.ts';
import type { CachedVerdict } from '../redis/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import {
  type AddressResult,
  buildResult,
  invalidSyntaxResult,
  syntaxResult,
} from '../verdict/result.ts';
import { chunked, inputRows } from './input.ts';

/** Rows per chunk yielded (joined with their results). */
const CHUNK_ROWS = 4096;
/**
 * Rows whose verdicts are read at once: one HMGET per result bucket they touch, so a bigger
 * window needs fewer calls per row (issue 14: ~0.43 a row when the window is twice the bucket
 * count, a million rows in 16,384 buckets). Only the rows' fields are held for the window
 * (~10 MB); their results are made a chunk at a time.
 */
const LOOKUP_ROWS = 32_768;

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.zip': 'application/zip',
};

export interface JoinedRow {
  fields: string[];
  result: AddressResult;
  normalized: string | null;
  /** An earlier row had the same normalised address. */
  duplicate: boolean;
  /** A valid address with no verdict yet. */
  pending: boolean;
}

function resultFor(
  row: CsvRow,
  verdicts: Map<string, CachedVerdict>,
  column: string,
): {
  result: AddressResult;
  normalized: string | null;
  /** The address is valid but has no verdict (yet). */
  pending: boolean;
} {
  if (row.malformed)
    return {
      result: invalidSyntaxResult('', `malformed CSV row: ${row.malformed}`, 'malformed-row'),
      normalized: null,
      pending: false,
    };
  const email = row.email ?? '';
  if (email.trim() === '')
    return {
      result: invalidSyntaxResult(email, `no address in column "${column}"`, 'empty-cell'),
      normalized: null,
      pending: false,
    };
  const parsed = parseAddress(email);
  if (!parsed.ok)
    return {
      result: syntaxResult(email, parsed),
      normalized: null,
      pending: false,
    };
  const verdict = verdicts.get(parsed.normalized);
  const flags = addressFlags(parsed.local, parsed.domain);
  return {
    normalized: parsed.normalized,
    pending: verdict === undefined,
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
      mxProvider: verdict?.mxProvider ?? null,
      spf: verdict?.spf ?? null,
      dmarc: verdict?.dmarc ?? null,
      egress: verdict?.egress ?? null,
      trace: verdict?.trace ?? null,
    }),
  };
}

/**
 * Chunks of joined rows. `seen`: the addresses met so far (duplicates), empty at the start: each
 * pass (an aggregate attempt, a partial report) has its own.
 */
export async function* joinedChunks(
  rt: Runtime,
  listId: string,
  runId: string,
  layout: CsvLayout,
  seen: AddressSet,
): AsyncGenerator<JoinedRow[]> {
  const column = layout.columns[layout.emailColumn] ?? '';
  for await (const window of chunked(inputRows(rt.storage, listId, layout), LOOKUP_ROWS)) {
    const addresses = new Set<string>();
    for (const row of window) {
      const parsed = row.email && !row.malformed ? parseAddress(row.email) : null;
      if (parsed?.ok) addresses.add(parsed.normalized);
    }
    const verdicts = await rt.results.getMany(listId, runId, [...addresses]);
    for (let start = 0; start < window.length; start += CHUNK_ROWS) {
      const chunk = window.slice(start, start + CHUNK_ROWS);
      const rows = chunk.map((row) => ({ row, ...resultFor(row, verdicts, column) }));
      // In row order: an address already in the set had an earlier row.
      yield rows.map((r) => ({
        fields: r.row.fields,
        result: r.result,
        normalized: r.normalized,
        duplicate: r.normalized ? !seen.add(r.normalized) : false,
        pending: r.pending,
      }));
    }
  }
}

/** Uploads finished report files (name → local path) under `keyOf(name)`. */
export async function putReports(
  rt: Runtime,
  files: ReadonlyArray<readonly [string, string]>,
  keyOf: (file: string) => string,
): Promise<void> {
  for (const [file, local] of files) {
    const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    await rt.storage.put(keyOf(file), createReadStream(local), { contentType });
  }
}
