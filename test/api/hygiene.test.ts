/**
 * Schedules and runs over HTTP: a seconds-level schedule fires twice, the second run reuses the
 * cache, a removed mailbox shows up in that run's changes.csv, another tenant sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { ACME_KEY, type ApiUnderTest, GLOBEX_KEY, startApi, waitForStatus } from './helpers.ts';

const MAILBOXES = ['ann', 'bob', 'cat'];
let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;
let id: string;

beforeAll(async () => {
  world = await startWorld({
    domains: { 'runs.test': { mx: [{ host: 'mx.runs.test' }], mailboxes: MAILBOXES } },
  });
  api = await startApi(world, { CACHE_MAX_AGE: '0' });
  pool = await startWorkers(api.harness.rt);
  const upload = await api.call('/v1/lists?name=team.csv', {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: `email\n${MAILBOXES.map((m) => `${m}@runs.test`).join('\n')}\n`,
  });
  id = ((await upload.json()) as { id: string }).id;
  await waitForStatus(api, id, ACME_KEY, 'done');
}, 60_000);
afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

async function runs(): Promise<Array<Record<string, unknown>>> {
  const response = await api.call(`/v1/lists/${id}/runs`, { key: ACME_KEY });
  return ((await response.json()) as { runs: Array<Record<string, unknown>> }).runs;
}

describe('hygiene over HTTP', () => {
  it('PUT/GET/DELETE a schedule, with defaults and validation', async () => {
    const put = await api.call(`/v1/lists/${id}/schedule`, {
      key: ACME_KEY,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({
      cron: '0 3 * * *',
      timezone: 'UTC',
      next_run: expect.stringMatching(/T03:00:00/),
    });
    const bad = await api.call(`/v1/lists/${id}/schedule`, {
      key: ACME_KEY,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"cron":"nightly"}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_cron');
    const zone = await api.call(`/v1/lists/${id}/schedule`, {
      key: ACME_KEY,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"cron":"0 3 * * *","timezone":"Nowhere/Land"}',
    });
    expect(((await zone.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_timezone',
    );
    // Another tenant can neither see nor change it.
    expect((await api.call(`/v1/lists/${id}/schedule`, { key: GLOBEX_KEY })).status).toBe(404);
    expect(
      (await api.call(`/v1/lists/${id}/schedule`, { key: GLOBEX_KEY, method: 'DELETE' })).status,
    ).toBe(404);
    expect((await api.call(`/v1/lists/${id}/runs`, { key: GLOBEX_KEY })).status).toBe(404);
    const got = await api.call(`/v1/lists/${id}/schedule`, { key: ACME_KEY });
    expect(await got.json()).toMatchObject({ cron: '0 3 * * *' });
    expect(
      (await api.call(`/v1/lists/${id}/schedule`, { key: ACME_KEY, method: 'DELETE' })).status,
    ).toBe(204);
    expect((await api.call(`/v1/lists/${id}/schedule`, { key: ACME_KEY })).status).toBe(404);
  });

  it('a seconds-level schedule fires; a run lists exactly the removed mailbox in changes.csv', async () => {
    world.updateDomain('runs.test', { mailboxes: ['ann', 'bob'] });
    const put = await api.call(`/v1/lists/${id}/schedule`, {
      key: ACME_KEY,
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cron: '*/1 * * * * *', timezone: 'UTC' }),
    });
    expect(put.status).toBe(200);
    const deadline = Date.now() + 30_000;
    let done: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      done = (await runs()).filter((r) => r.status === 'done');
      if (done.length >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await api.call(`/v1/lists/${id}/schedule`, { key: ACME_KEY, method: 'DELETE' });
    expect(done.length).toBeGreaterThanOrEqual(3);
    const firstHygiene = [...done].reverse().find((r) => String(r.id).startsWith('hyg-'));
    expect(firstHygiene?.changes).toBe(1);
    const changes = await api.call(`/v1/lists/${id}/runs/${firstHygiene?.id}/reports/changes`, {
      key: ACME_KEY,
    });
    expect(changes.status).toBe(200);
    const lines = (await changes.text()).trim().split(/\r?\n/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'cat@runs.test,deliverable,undeliverable',
    ]);
    // The next run sees no change: cat stays undeliverable.
    const later = done.find((r) => String(r.id).startsWith('hyg-') && r.id !== firstHygiene?.id);
    expect(later?.changes).toBe(0);
    const unknownRun = await api.call(`/v1/lists/${id}/runs/hyg-nope/reports/report`, {
      key: ACME_KEY,
    });
    expect(unknownRun.status).toBe(404);
  }, 60_000);
});
