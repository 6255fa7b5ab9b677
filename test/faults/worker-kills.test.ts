/**
 * kill -9 of worker processes, again and again: every 3 s one of the four `listclean worker`
 * processes is killed without warning (its jobs, its SMTP sessions and its session slots left
 * behind) and a fresh one started, from ingest to the end of the aggregate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/sandbox/lists/list-generator.ts';
import {
  checkOutcome,
  expectNoLeak,
  type FaultRun,
  faultList,
  record,
  startFaultRun,
  waitDone,
} from './fault-run.ts';

const WORKERS = 4;
const KILL_EVERY_MS = 3000;
let run: FaultRun | undefined;

afterEach(async () => {
  await run?.close();
  if (run) await expectNoLeak(run);
  run = undefined;
});

describe('kill -9 of workers, repeatedly', () => {
  it('a worker killed every 3 s: nothing lost, the truth, one aggregate, one webhook', async () => {
    run = await startFaultRun(faultList());
    const current = run;
    for (let i = 0; i < WORKERS; i++) await current.spawnWorker();
    const random = seededRandom(7);
    const started = Date.now();
    await current.submit('killed');
    let kills = 0;
    let killsWhileAggregating = 0;
    const statuses = new Set<string>();
    let finished = false;
    const spawning: Promise<unknown>[] = [];
    const killer = (async () => {
      while (!finished) {
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
        if (finished) break;
        const status = (await current.rt.lists.get('killed'))?.status ?? '';
        if (status === 'done') break;
        const alive = current.alive();
        const victim = alive[Math.floor(random() * alive.length)];
        if (!victim) continue;
        await current.kill(victim);
        kills++;
        statuses.add(status);
        if (status === 'aggregating') killsWhileAggregating++;
        // Its replacement starts while the killing goes on.
        spawning.push(current.spawnWorker());
      }
    })();
    try {
      await waitDone(current.rt, 'killed', 900_000);
    } finally {
      finished = true;
      await killer;
      await Promise.all(spawning);
    }
    const ms = Date.now() - started;
    // The faults were injected: several kills, across the list's stages.
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(statuses.has('verifying')).toBe(true);
    const figures = await checkOutcome(current, 'killed', {
      maxAggregateStarts: 1 + killsWhileAggregating,
    });
    console.log(
      `kills: ${kills} (${killsWhileAggregating} while aggregating), stages: ${[...statuses].join(', ')}`,
    );
    record(`kill -9 of a worker every 3 s (${kills} kills, 4 workers)`, figures, ms);
  });
});
