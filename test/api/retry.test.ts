/**
 * POST /v1/lists/:id/retry over the API: a failed list is queued again (202, Location, the mode
 * it runs in); a list that has not failed answers 409 list_not_failed; another tenant's list
 * answers 404 as if it did not exist; no key, 401. The list fails here by its status being set
 * through the ListStore (test/pipeline/outage.test.ts makes one fail for real).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from '../../src/redis/keys.ts';
import { ACME_KEY, type ApiUnderTest, GLOBEX_KEY, NO_WORLD, startApi } from './helpers.ts';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD);
});

afterAll(async () => {
  await api?.close();
});

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

async function uploaded(): Promise<string> {
  const response = await api.call('/v1/lists?name=retry.csv', {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: 'email\nann@acme.test\nbob@acme.test\n',
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

function retry(id: string, key?: string): Promise<Response> {
  return api.call(`/v1/lists/${id}/retry`, { method: 'POST', ...(key ? { key } : {}) });
}

describe('POST /v1/lists/:id/retry', () => {
  it('queues a failed list again: 202 with its mode, status and Location', async () => {
    const id = await uploaded();
    const { rt } = api.harness;
    await rt.lists.advance(id, 'failed', {
      error: 'The storage did not answer.',
      errorCode: 'storage_unavailable',
    });
    const failed = (await (await api.call(`/v1/lists/${id}`, { key: ACME_KEY })).json()) as {
      status: string;
    };
    expect(failed.status).toBe('failed');

    const response = await retry(id, ACME_KEY);
    expect(response.status, await response.clone().text()).toBe(202);
    expect(response.headers.get('location')).toBe(`/v1/lists/${id}`);
    // Ingest never completed, so the whole run starts over.
    expect(await response.json()).toEqual({ id, status: 'queued', mode: 'run' });

    const meta = await rt.lists.require(id);
    expect(meta.status).toBe('queued');
    expect(meta.error ?? '').toBe('');
    // The run's flow is in the queue again, waiting for a worker.
    const aggregate = await rt.queues.aggregate.getJob(jobIds.aggregate(id, meta.currentRun));
    expect(aggregate).toBeDefined();
    expect(await aggregate?.getState()).not.toBe('failed');

    // Queued again, it is no failed list any more: a second retry is refused.
    const again = await retry(id, ACME_KEY);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('list_not_failed');
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
  });

  it('answers 409 list_not_failed for a list that has not failed', async () => {
    const id = await uploaded();
    const response = await retry(id, ACME_KEY);
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe('list_not_failed');
    expect(error.message).toContain('queued');
    expect((await api.harness.rt.lists.require(id)).status).toBe('queued');
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
  });

  it("answers 404 list_not_found for another tenant's failed list, and 401 without a key", async () => {
    const id = await uploaded();
    const { rt } = api.harness;
    await rt.lists.advance(id, 'failed', { error: 'broken', errorCode: 'storage_unavailable' });

    const foreign = await retry(id, GLOBEX_KEY);
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe('list_not_found');
    const unknown = await retry('no-such-list', ACME_KEY);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('list_not_found');
    const anonymous = await retry(id);
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe('unauthorized');

    // None of that touched the list: it is still failed, and its owner can retry it.
    expect((await rt.lists.require(id)).status).toBe('failed');
    const own = await retry(id, ACME_KEY);
    expect(own.status).toBe(202);
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
  });
});
