/**
 * A list that waits (greylisting an hour away) over HTTP: progress says what waits and until
 * when, reports of what is known so far come with ?partial=true, and `deadline=` ends the wait.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { ACME_KEY, type ApiUnderTest, startApi, waitForStatus } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;

const CSV =
  'Name;E-Mail\nGina;gina@greyforever.test\nPam;pam@plain.test\nPat;pat@plain.test\nGina again;GINA@greyforever.test\n';

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'greyforever.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['gina'],
        greylist: { tries: -1 },
      },
      'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['pam'] },
    },
  });
  api = await startApi(world, { GREYLIST_RETRY_DELAYS: '1h' });
  pool = await startWorkers(api.harness.rt);
}, 30_000);

afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

async function upload(query: string): Promise<string> {
  const response = await api.call(`/v1/lists?${query}`, {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: CSV,
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

interface ListBody {
  status: string;
  progress: {
    verified: number;
    waiting: { greylisted: number; until: string };
    eta: string;
  };
}

async function waitingProgress(id: string): Promise<ListBody> {
  for (let i = 0; i < 200; i++) {
    const body = (await (await api.call(`/v1/lists/${id}`, { key: ACME_KEY })).json()) as ListBody;
    if (body.progress.waiting.greylisted > 0 && body.progress.verified === 2) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`list ${id} never settled into waiting`);
}

describe('a list that waits, over HTTP', () => {
  it('says what waits until when, and serves what is known so far with ?partial=true', async () => {
    const id = await upload('name=waits.csv&deadline=0');
    const body = await waitingProgress(id);
    expect(body.status).toBe('verifying');
    expect(body.progress).toMatchObject({
      unique: 3,
      verified: 2,
      pending: 1,
      waiting: {
        greylisted: 1,
        throttled: 0,
        domains: [{ domain: 'greyforever.test', addresses: 1, reason: 'greylisted' }],
      },
      deadline: null,
    });
    // About an hour away: the first greylisting retry.
    const until = Date.parse(body.progress.waiting.until);
    expect(until - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(Date.parse(body.progress.eta)).toBe(until);

    const final = await api.call(`/v1/lists/${id}/reports/report`, { key: ACME_KEY });
    expect(final.status).toBe(409);
    expect(((await final.json()) as { error: { message: string } }).error.message).toMatch(
      /partial=true/,
    );

    const partial = await api.call(`/v1/lists/${id}/reports/report?partial=true`, {
      key: ACME_KEY,
    });
    expect(partial.status).toBe(200);
    expect(partial.headers.get('x-listclean-partial')).toBe('true');
    expect(partial.headers.get('content-disposition')).toMatch(/waits-partial-report\.csv/);
    const rows = parse(await partial.text(), {
      columns: true,
      delimiter: ';',
      bom: true,
    }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.Name, r.status, r.reason])).toEqual([
      ['Gina', 'pending', 'pending'],
      ['Pam', 'deliverable', 'accepted'],
      ['Pat', 'undeliverable', 'mailbox_not_found'],
      ['Gina again', 'pending', 'pending'],
    ]);
    const summary = (await (
      await api.call(`/v1/lists/${id}/reports/summary?partial=true`, { key: ACME_KEY })
    ).json()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: 4,
      pending: 2,
      unique_addresses: 3,
      duplicates: 1,
      by_status: { deliverable: 1, undeliverable: 1, risky: 0, unknown: 0 },
    });
    const cleaned = await (
      await api.call(`/v1/lists/${id}/reports/cleaned?partial=true`, { key: ACME_KEY })
    ).text();
    expect(cleaned.trim().split(/\r?\n/)).toEqual(['Name;E-Mail', 'Pam;pam@plain.test']);
  }, 60_000);

  it('deadline= ends the wait: what waits is final with its last answer', async () => {
    const id = await upload('name=deadline.csv&deadline=2s');
    const done = await waitForStatus(api, id, ACME_KEY, 'done', 30_000);
    expect(done.summary).toMatchObject({ by_reason: { greylisted: 2, accepted: 1 } });
    // Done: ?partial=true serves the final reports.
    const report = await api.call(`/v1/lists/${id}/reports/summary?partial=true`, {
      key: ACME_KEY,
    });
    expect(report.headers.get('x-listclean-partial')).toBe('false');
    expect(((await report.json()) as Record<string, unknown>).pending).toBeUndefined();
  }, 60_000);

  it('refuses a deadline that is no duration', async () => {
    const response = await api.call('/v1/lists?deadline=soon', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: CSV,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});
