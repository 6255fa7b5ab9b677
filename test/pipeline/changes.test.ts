/**
 * changes.csv is computed from what the runs before stored, exactly once per run: an aggregate
 * attempt that is retried (its reports failed to store) reports the same changes again.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangesTracker } from '../../src/pipeline/changes.ts';
import { listKeys } from '../../src/redis/keys.ts';
import type { SandboxWorld } from '../../src/sandbox/index.ts';
import type { Status } from '../../src/verdict/types.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';

let harness: PipelineHarness;
let dir: string;

beforeAll(async () => {
  harness = await startHarness({ env: {} } as unknown as SandboxWorld);
  dir = await mkdtemp(path.join(os.tmpdir(), 'listclean-changes-'));
});

afterAll(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function attempt(
  runId: string,
  entries: Array<{ address: string; status: Status }>,
  listId = 'list-c',
): Promise<{ count: number; rows: string[][] }> {
  const tmp = await mkdtemp(path.join(dir, `${runId}-`));
  const tracker = new ChangesTracker(harness.rt, listId, runId, tmp);
  await tracker.check(entries);
  await tracker.finish();
  const text = await readFile(tracker.file, 'utf8');
  return {
    count: tracker.count,
    rows: text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',').slice(0, 3)),
  };
}

describe('changes across runs and retried aggregates', () => {
  it('reports each run’s changes once, however often its aggregate runs', async () => {
    const first = [
      { address: 'a@x.test', status: 'deliverable' as Status },
      { address: 'b@x.test', status: 'deliverable' as Status },
      { address: 'c@x.test', status: 'unknown' as Status },
    ];
    expect((await attempt('initial', first)).count).toBe(0);
    // The first run's aggregate retried: still nothing to report, nothing broken.
    expect((await attempt('initial', first)).count).toBe(0);

    const second = [
      { address: 'a@x.test', status: 'undeliverable' as Status },
      { address: 'b@x.test', status: 'deliverable' as Status },
      { address: 'c@x.test', status: 'deliverable' as Status },
      { address: 'd@x.test', status: 'risky' as Status },
    ];
    const expected = [
      ['a@x.test', 'deliverable', 'undeliverable'],
      ['c@x.test', 'unknown', 'deliverable'],
    ];
    const once = await attempt('hyg-1', second);
    expect(once.rows).toEqual(expected);
    // Its aggregate failed after checking changes and runs again: the same two changes.
    const again = await attempt('hyg-1', second);
    expect(again).toEqual(once);
    const thrice = await attempt('hyg-1', second);
    expect(thrice.rows).toEqual(expected);

    // The next run compares with what the second run stored.
    const third = await attempt('hyg-2', [
      { address: 'a@x.test', status: 'undeliverable' as Status },
      { address: 'c@x.test', status: 'unknown' as Status },
      { address: 'd@x.test', status: 'risky' as Status },
    ]);
    expect(third.rows).toEqual([['c@x.test', 'deliverable', 'unknown']]);
  });

  it('undoes a change an earlier attempt recorded that a later one does not see', async () => {
    await attempt('initial', [{ address: 'u@x.test', status: 'deliverable' as Status }]);
    expect(
      (await attempt('hyg-9', [{ address: 'u@x.test', status: 'unknown' as Status }])).count,
    ).toBe(1);
    // The retry found a verdict after all (say a late probe result): no change, and none left.
    expect(
      (await attempt('hyg-9', [{ address: 'u@x.test', status: 'deliverable' as Status }])).count,
    ).toBe(0);
    expect(
      (await attempt('hyg-10', [{ address: 'u@x.test', status: 'deliverable' as Status }])).count,
    ).toBe(0);
  });
});

describe('changes of a list whose statuses are bucketed (issue 14)', () => {
  it('reports each change once, with the old status and since exactly as stored', async () => {
    const listId = 'list-cb';
    const keys = listKeys(harness.rt.prefix, listId);
    await harness.rt.redis.hset(keys.meta, 'buckets', 4);
    harness.rt.results.forget(listId);
    const addresses = Array.from({ length: 40 }, (_, i) => `u${i}@x.test`);
    const first = addresses.map((address) => ({ address, status: 'deliverable' as Status }));
    expect((await attempt('initial', first, listId)).count).toBe(0);
    // Stored in the buckets, compactly, never in the one hash of a list made before.
    expect(await harness.rt.redis.exists(keys.statuses)).toBe(0);
    for (let b = 0; b < 4; b++) {
      expect(await harness.rt.redis.object('ENCODING', `${keys.statuses}:${b}`)).toBe('listpack');
    }
    const second = addresses.map((address, i) => ({
      address,
      status: (i % 10 === 0 ? 'undeliverable' : 'deliverable') as Status,
    }));
    const once = await attempt('hyg-1', second, listId);
    expect(once.count).toBe(4);
    expect(await attempt('hyg-1', second, listId)).toEqual(once);
    const tmp = await mkdtemp(path.join(dir, 'since-'));
    const tracker = new ChangesTracker(harness.rt, listId, 'hyg-2', tmp);
    await tracker.check([{ address: 'u0@x.test', status: 'unknown' }]);
    await tracker.finish();
    const [, row] = (await readFile(tracker.file, 'utf8')).trim().split(/\r?\n/);
    const [email, oldStatus, newStatus, since] = (row ?? '').split(',');
    expect([email, oldStatus, newStatus]).toEqual(['u0@x.test', 'undeliverable', 'unknown']);
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
