/**
 * A completion webhook end to end: uploaded with `webhook_url`, the list runs through the
 * workers, and the receiver gets one signed `list.completed` POST it can verify with the
 * secret derived from its API key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { verifyWebhookSignature, webhookSecret } from '../../src/webhook/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { type Receiver, startReceiver } from '../webhook/receiver.ts';
import { ACME_KEY, type ApiUnderTest, startApi, waitForStatus } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;
let receiver: Receiver;

beforeAll(async () => {
  world = await startWorld({
    domains: { 'hook.test': { mx: [{ host: 'mx.hook.test' }], mailboxes: ['ann'] } },
  });
  receiver = await startReceiver();
  api = await startApi(world, { WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8' });
  pool = await startWorkers(api.harness.rt);
});
afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await receiver?.close();
  await world?.close();
});

describe('completion webhook', () => {
  it('POSTs a signed list.completed once the list is done', async () => {
    const upload = await api.call(
      `/v1/lists?name=hook.csv&webhook_url=${encodeURIComponent(receiver.url)}`,
      {
        key: ACME_KEY,
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'email\nann@hook.test\nbob@hook.test\n',
      },
    );
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    await waitForStatus(api, id, ACME_KEY, 'done');
    const deadline = Date.now() + 15_000;
    while (receiver.received.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0];
    expect(`${receiver.url.replace(/^http:\/\/[^/]+/, '')}`).toBe(delivery?.url);
    const body = JSON.parse(delivery?.body ?? '{}');
    expect(body).toMatchObject({
      event: 'list.completed',
      list: { id, name: 'hook.csv', status: 'done' },
    });
    expect(body.list.summary.rows).toBe(2);
    const ok = verifyWebhookSignature(
      delivery?.body ?? '',
      String(delivery?.headers['x-listclean-timestamp']),
      String(delivery?.headers['x-listclean-signature']),
      webhookSecret(ACME_KEY),
    );
    expect(ok).toBe(true);
    expect(
      verifyWebhookSignature(
        `${delivery?.body} `,
        String(delivery?.headers['x-listclean-timestamp']),
        String(delivery?.headers['x-listclean-signature']),
        webhookSecret(ACME_KEY),
      ),
    ).toBe(false);
  }, 60_000);

  it('refuses a webhook on a private address unless allowed', async () => {
    const upload = await api.call(
      `/v1/lists?webhook_url=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`,
      {
        key: ACME_KEY,
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: 'email\nann@hook.test\n',
      },
    );
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_webhook_url',
    );
  });
});
