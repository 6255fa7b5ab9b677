/**
 * The verdicts of one list run (DESIGN §1), filled by probe jobs and read back by the aggregate
 * job as it streams the input again, so no process holds a whole list in memory.
 *
 * A list made since issue 14 keeps them in small hashes, "buckets" (bucket = a hash of the
 * address mod `buckets`, a power of two sized from the stored input and kept in the list's
 * metadata), each small enough for Redis' listpack encoding (≤ 128 entries, values ≤ 64 bytes),
 * which costs about a third of a big hash's bytes per entry. A value is a shape id and the time
 * of the check (~20 bytes): the rest of a verdict — reason, MX, reply, rule, signals — is the
 * same for many addresses and is stored once per run in the `shapes` hash, the address and its
 * domain in a reply or MX host replaced by markers. `shapes` also counts the addresses with a verdict (progress).
 * A list made before keeps the one hash of address → compact verdict (`buckets` 0), read and
 * written as it always was.
 *
 * The shapes hash expires `ttlMs` after the last write; the buckets get that TTL when ingest
 * ends and when the run ends (`touch`), and go with the run (RUNS_KEEP, list delete) before.
 */
import { createHash } from 'node:crypto';
import { mailProvider } from '../dns/provider.ts';
import { bucketOf } from './address-hash.ts';
import { type CachedVerdict, decodeVerdict, encodeVerdict } from './compact-verdict.ts';
import type { RedisClient } from './connect.ts';
import { bucketKey, bucketKeys, listKeys } from './keys.ts';
import { type LuaScript, luaScript } from './script.ts';

export interface ListResultsOptions {
  /** Key prefix, e.g. `listclean:`. */
  prefix: string;
  /** How long a list's results outlive its last write. */
  ttlMs?: number;
}

/** Fields per HSET: big batches stay in one MULTI without one huge command. */
const HSET_CHUNK = 500;
/** Entries per write script call (its arguments are unpacked onto the Lua stack). */
const PUT_CHUNK = 1000;
/** Entries a bucket is sized for: Redis' default listpack limit is 128. */
const BUCKET_ENTRIES = 64;
/** Bytes of the smallest plausible row (address, a short column or two, a newline). */
const MIN_ROW_BYTES = 24;
const MAX_BUCKETS = 1 << 20;
const SHAPE_ID_CHARS = 12;
/**
 * Stand for the address and for its domain in a stored reply or MX host, so one shape serves a
 * whole run (a reply's own marks are replaced).
 */
const ADDRESS_MARK = '\u0001';
const DOMAIN_MARK = '\u0002';

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function markText(text: string | null, address: string): string | null {
  if (text === null) return null;
  const clean = text.replaceAll(ADDRESS_MARK, '\ufffd').replaceAll(DOMAIN_MARK, '\ufffd');
  const domain = domainOf(address);
  const marked = clean.split(address).join(ADDRESS_MARK);
  return domain ? marked.split(domain).join(DOMAIN_MARK) : marked;
}

function unmarkText(text: string | null, address: string): string | null {
  if (text === null || !(text.includes(ADDRESS_MARK) || text.includes(DOMAIN_MARK))) return text;
  return text.split(ADDRESS_MARK).join(address).split(DOMAIN_MARK).join(domainOf(address));
}
const BUCKETS_CACHE_MS = 30_000;
const SHAPE_CACHE_MAX = 20_000;

const PUT = luaScript('lcResultsPut', 0, new URL('./results-put.lua', import.meta.url));
const BUCKETS_HMGET = luaScript(
  'lcBucketsHmget',
  0,
  new URL('./buckets-hmget.lua', import.meta.url),
);
const BUCKETS_HSET = luaScript('lcBucketsHset', 0, new URL('./buckets-hset.lua', import.meta.url));
/**
 * Arguments per script call at most (keys, counts, fields): a call stays well inside V8's limit
 * on spread arguments and Redis' on one command, however the fields fall in buckets.
 */
const ARGS_PER_CALL = 16_384;

const SHAS = new Map<string, string>();

/**
 * Runs a script whose key count varies per call: EVALSHA, and EVAL once when the server does
 * not know it yet. Sent as EVALSHA/EVAL, not as a command defined on the client, so that a
 * Cluster client's auto-pipelining routes it by its first key (a defined command with a
 * variable key count would be routed by the count).
 */
export async function evalScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  let sha = SHAS.get(script.lua);
  if (sha === undefined) {
    sha = createHash('sha1').update(script.lua).digest('hex');
    SHAS.set(script.lua, sha);
  }
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.lua, keys.length, ...keys, ...args);
  }
}

/**
 * Runs `script` over `keys[i]` with `lists[i]` (its fields, or field/value pairs: `per` items a
 * field) for every i, a few thousand buckets per call, and returns each call's reply in order.
 */
async function overBuckets(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  lists: ReadonlyArray<readonly string[]>,
  per: 1 | 2,
): Promise<unknown[]> {
  const replies: unknown[] = [];
  let callKeys: string[] = [];
  let callArgs: Array<string | number> = [];
  const send = async () => {
    if (callKeys.length === 0) return;
    replies.push(await evalScript(client, script, callKeys, callArgs));
    callKeys = [];
    callArgs = [];
  };
  for (const [i, key] of keys.entries()) {
    const list = lists[i] ?? [];
    if (callKeys.length > 0 && callKeys.length + callArgs.length + list.length >= ARGS_PER_CALL) {
      await send();
    }
    callKeys.push(key);
    callArgs.push(list.length / per);
    for (const item of list) callArgs.push(item);
  }
  await send();
  return replies;
}

/**
 * HMGET of `fields[i]` in `keys[i]` for every i, in a few script calls (all in one slot: a
 * list's buckets share its hash tag): a chunk of a big list touches thousands of buckets, and a
 * command each would cost the client more CPU than the work.
 */
export async function hmgetBuckets(
  client: RedisClient,
  keys: readonly string[],
  fields: ReadonlyArray<readonly string[]>,
): Promise<Array<Array<string | null>>> {
  const replies = await overBuckets(client, BUCKETS_HMGET, keys, fields, 1);
  return (replies as Array<Array<Array<string | null>>>).flat();
}

/** HSET of `pairs[i]` (field, value, …) in `keys[i]` for every i, likewise. */
export async function hsetBuckets(
  client: RedisClient,
  keys: readonly string[],
  pairs: ReadonlyArray<readonly string[]>,
): Promise<void> {
  await overBuckets(client, BUCKETS_HSET, keys, pairs, 2);
}

/**
 * How many buckets a list keeps its verdicts (and statuses) in: a power of two, so that its rows
 * put at most ~64 addresses in a bucket on average (Redis' default listpack limit is 128). The
 * rows are the input's line feeds when they were counted (a quoted line feed only adds one),
 * else as many as its bytes could hold (`MIN_ROW_BYTES` each).
 */
export function bucketCount(inputBytes: number, inputLines?: number): number {
  const rows =
    inputLines !== undefined && inputLines >= 0
      ? inputLines + 1
      : Math.max(0, inputBytes) / MIN_ROW_BYTES;
  let buckets = 1;
  while (buckets * BUCKET_ENTRIES < rows && buckets < MAX_BUCKETS) buckets *= 2;
  return buckets;
}

export class ListResults {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #buckets = new Map<string, { n: number; at: number }>();
  /** Shape JSON → id (writes), id → decoded shape (reads): shapes repeat a lot. */
  readonly #shapeIds = new Map<string, string>();
  readonly #shapes = new Map<string, CachedVerdict>();

  constructor(client: RedisClient, options: ListResultsOptions) {
    this.#client = client;
    this.#prefix = options.prefix;
    this.#ttlMs = options.ttlMs ?? 30 * 86_400_000;
  }

  /** The list's bucket count (0: one hash, a list made before buckets), cached briefly. */
  async buckets(listId: string): Promise<number> {
    const known = this.#buckets.get(listId);
    if (known && Date.now() - known.at < BUCKETS_CACHE_MS) return known.n;
    const raw = await this.#client.hget(listKeys(this.#prefix, listId).meta, 'buckets');
    const n = Number(raw ?? 0);
    if (this.#buckets.size > 10_000) this.#buckets.clear();
    this.#buckets.set(listId, { n: Number.isInteger(n) && n > 0 ? n : 0, at: Date.now() });
    return this.#buckets.get(listId)?.n ?? 0;
  }

  /** Reads the bucket count again next time (a list deleted, or a run starting). */
  forget(listId: string): void {
    this.#buckets.delete(listId);
  }

  #stem(listId: string, runId: string): string {
    return listKeys(this.#prefix, listId).run(runId).results;
  }

  /** Writes verdicts (atomically per call), so the run always has a TTL on its shapes. */
  async setMany(
    listId: string,
    runId: string,
    entries: Iterable<readonly [string, CachedVerdict]>,
  ): Promise<void> {
    const n = await this.buckets(listId);
    if (n === 0) return this.#setLegacy(listId, runId, entries);
    let batch: Array<readonly [string, CachedVerdict]> = [];
    for (const entry of entries) {
      batch.push(entry);
      if (batch.length >= PUT_CHUNK) {
        await this.#put(listId, runId, n, batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.#put(listId, runId, n, batch);
  }

  async #put(
    listId: string,
    runId: string,
    n: number,
    entries: ReadonlyArray<readonly [string, CachedVerdict]>,
  ): Promise<void> {
    const stem = this.#stem(listId, runId);
    const shapes = new Map<string, string>();
    const byBucket = new Map<number, string[]>();
    for (const [address, verdict] of entries) {
      const { id, json } = this.#shapeOf(address, verdict);
      shapes.set(id, json);
      const bucket = bucketOf(address, n);
      const value = `${id}${verdict.checkedAt.getTime().toString(36)}`;
      const fields = byBucket.get(bucket);
      if (fields) fields.push(address, value);
      else byBucket.set(bucket, [address, value]);
    }
    const keys = [listKeys(this.#prefix, listId).run(runId).shapes];
    const args: Array<string | number> = [this.#ttlMs, shapes.size, ...[...shapes].flat()];
    for (const [bucket, fields] of byBucket) {
      keys.push(bucketKey(stem, n, bucket));
      args.push(fields.length / 2, ...fields);
    }
    await evalScript(this.#client, PUT, keys, args);
  }

  /** The shared part of a verdict and its id: everything but the time, the address marked. */
  #shapeOf(address: string, verdict: CachedVerdict): { id: string; json: string } {
    const json = encodeVerdict({
      ...verdict,
      detail: markText(verdict.detail, address),
      mxHost: markText(verdict.mxHost, address),
      checkedAt: new Date(0),
    });
    let id = this.#shapeIds.get(json);
    if (id === undefined) {
      id = createHash('sha1').update(json).digest('base64url').slice(0, SHAPE_ID_CHARS);
      if (this.#shapeIds.size >= SHAPE_CACHE_MAX) this.#shapeIds.clear();
      this.#shapeIds.set(json, id);
    }
    return { id, json };
  }

  async #setLegacy(
    listId: string,
    runId: string,
    entries: Iterable<readonly [string, CachedVerdict]>,
  ): Promise<void> {
    const key = this.#stem(listId, runId);
    const transaction = this.#client.multi();
    let chunk: string[] = [];
    for (const [address, verdict] of entries) {
      chunk.push(address, encodeVerdict(verdict));
      if (chunk.length >= HSET_CHUNK * 2) {
        transaction.hset(key, ...chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) transaction.hset(key, ...chunk);
    if (transaction.length === 0) return;
    transaction.pexpire(key, this.#ttlMs);
    const results = await transaction.exec();
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }

  /** The stored verdicts among `addresses`: one HMGET per bucket, pipelined. */
  async getMany(
    listId: string,
    runId: string,
    addresses: readonly string[],
  ): Promise<Map<string, CachedVerdict>> {
    const found = new Map<string, CachedVerdict>();
    if (addresses.length === 0) return found;
    const n = await this.buckets(listId);
    const stem = this.#stem(listId, runId);
    if (n === 0) {
      const values = await this.#client.hmget(stem, ...addresses);
      values.forEach((value, i) => {
        const address = addresses[i];
        const verdict = value === null ? undefined : decodeVerdict(value);
        if (verdict && address !== undefined) found.set(address, verdict);
      });
      return found;
    }
    const byBucket = new Map<number, string[]>();
    for (const address of new Set(addresses)) {
      const bucket = bucketOf(address, n);
      const list = byBucket.get(bucket);
      if (list) list.push(address);
      else byBucket.set(bucket, [address]);
    }
    const lists = [...byBucket.values()];
    const answers = await hmgetBuckets(
      this.#client,
      [...byBucket.keys()].map((bucket) => bucketKey(stem, n, bucket)),
      lists,
    );
    const raw: Array<[string, string]> = [];
    lists.forEach((list, i) => {
      (answers[i] ?? []).forEach((value, j) => {
        const address = list[j];
        if (value !== null && address !== undefined) raw.push([address, value]);
      });
    });
    // The shapes this call needs, from the process's cache or one HMGET; kept here, since the
    // cache may be emptied while filling it.
    const shapes = new Map<string, CachedVerdict | undefined>();
    const missing: string[] = [];
    for (const [, value] of raw) {
      const id = value.slice(0, SHAPE_ID_CHARS);
      if (shapes.has(id)) continue;
      const known = this.#shapes.get(id);
      shapes.set(id, known);
      if (!known) missing.push(id);
    }
    if (missing.length > 0) {
      const shapesKey = listKeys(this.#prefix, listId).run(runId).shapes;
      const texts = await this.#client.hmget(shapesKey, ...missing);
      if (this.#shapes.size + missing.length > SHAPE_CACHE_MAX) this.#shapes.clear();
      missing.forEach((id, i) => {
        const text = texts[i];
        const shape = text ? decodeVerdict(text) : undefined;
        shapes.set(id, shape);
        if (shape) this.#shapes.set(id, shape);
      });
    }
    for (const [address, value] of raw) {
      const shape = shapes.get(value.slice(0, SHAPE_ID_CHARS));
      const at = Number.parseInt(value.slice(SHAPE_ID_CHARS), 36);
      if (!shape || !Number.isFinite(at)) continue;
      const mxHost = unmarkText(shape.mxHost, address);
      found.set(address, {
        ...shape,
        checkedAt: new Date(at),
        detail: unmarkText(shape.detail, address),
        mxHost,
        // Follows from the MX host, as decodeVerdict has it.
        mxProvider: mxHost === shape.mxHost ? shape.mxProvider : mailProvider(mxHost),
      });
    }
    return found;
  }

  /** Addresses with a verdict so far. */
  async count(listId: string, runId: string): Promise<number> {
    if ((await this.buckets(listId)) === 0) return this.#client.hlen(this.#stem(listId, runId));
    const shapes = listKeys(this.#prefix, listId).run(runId).shapes;
    return Number((await this.#client.hget(shapes, '#verified')) ?? 0);
  }

  /** Every key of the run's verdicts (the buckets, the shapes, the hash of a list before). */
  async keys(listId: string, runId: string): Promise<string[]> {
    const n = await this.buckets(listId);
    const stem = this.#stem(listId, runId);
    const shapes = listKeys(this.#prefix, listId).run(runId).shapes;
    return n === 0 ? [stem, shapes] : [stem, shapes, ...bucketKeys(stem, n)];
  }

  /** Gives every bucket of the run the TTL, counted from now (at the end of ingest and of the run). */
  async touch(listId: string, runId: string): Promise<void> {
    const keys = await this.keys(listId, runId);
    for (let i = 0; i < keys.length; i += 1000) {
      const pipeline = this.#client.pipeline();
      for (const key of keys.slice(i, i + 1000)) pipeline.pexpire(key, this.#ttlMs);
      await pipeline.exec();
    }
  }

  /** UNLINK frees the keys in the background instead of stalling Redis. */
  async delete(listId: string, runId: string): Promise<void> {
    const keys = await this.keys(listId, runId);
    for (let i = 0; i < keys.length; i += 1000)
      await this.#client.unlink(...keys.slice(i, i + 1000));
  }
}
