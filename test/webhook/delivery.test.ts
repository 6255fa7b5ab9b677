import { UnrecoverableError, type Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/redis/keys.ts';
import { startDnsServer } from '../../src/sandbox/index.ts';
import { deliverWebhook } from '../../src/webhook/deliver.ts';
import { enqueueWebhook } from '../../src/webhook/enqueue.ts';
import { verifyWebhookSignature, webhookSecret } from '../../src/webhook/signature.ts';
import type { WebhookPayload } from '../../src/webhook/types.ts';
import { startWebhookWorker } from '../../workers/webhook.ts';
import { type RuntimeFixture, startRuntime } from '../metrics/runtime-fixture.ts';
import { type Received, type Receiver, startReceiver } from './receiver.ts';

const API_KEY = 'key-of-acme-0123456789';
const SECRET = webhookSecret(API_KEY);

let fx: RuntimeFixture;
let receiver: Receiver;
let worker: Worker | undefined;
let n = 0;

beforeAll(async () => {
  fx = await startRuntime({
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
    API_KEYS: `acme:${API_KEY},other:key-of-other-0123456789`,
  });
});

afterAll(async () => {
  await fx.close();
});

beforeEach(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await receiver.close();
});

/** A list of tenant acme that reached `status`, with the receiver as its webhook target. */
async function finishedList(
  status: 'done' | 'failed',
  webhookUrl: string | null = receiver.url,
): Promise<string> {
  const id = `list${++n}`;
  await fx.rt.lists.create({
    id,
    name: `contacts ${n}.csv`,
    tenant: 'acme',
    options: { includeRisky: false },
    inputBytes: 10,
  });
  if (webhookUrl) await fx.rt.lists.set(id, { webhookUrl });
  await fx.rt.lists.advance(
    id,
    status,
    status === 'done'
      ? { summary: JSON.stringify({ total: 3, deliverable: 2 }) }
      : { error: 'the file is not a CSV' },
  );
  return id;
}

async function webhookFields(id: string) {
  return fx.rt.redis.hmget(
    listKeys(fx.rt.prefix, id).meta,
    'webhookStatus',
    'webhookAttempts',
    'webhookLastError',
  );
}

function nth(i: number): Received {
  const request = receiver.received[i];
  if (request === undefined) throw new Error(`request ${i} never arrived`);
  return request;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('completion webhooks through the queue', () => {
  it('delivers a signed payload, retrying after a 500', async () => {
    const id = await finishedList('done');
    receiver.answers = [500];
    worker = startWebhookWorker(fx.rt);
    const jobId = await enqueueWebhook(fx.rt, id, { backoffMs: 100 });
    expect(jobId).toBe(`webhook-${id}-done`);
    await until(async () => (await webhookFields(id))[0] === 'delivered');

    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(first?.headers['x-listclean-delivery']).toBe(jobId);
    expect(second?.headers['x-listclean-delivery']).toBe(jobId);
    const delivery = nth(1);
    expect(delivery.method).toBe('POST');
    expect(delivery.url).toBe('/hooks/listclean');
    expect(delivery.headers['content-type']).toBe('application/json');
    const ts = delivery.headers['x-listclean-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(10);
    const signature = delivery.headers['x-listclean-signature'] as string;
    expect(verifyWebhookSignature(delivery.body, ts, signature, SECRET)).toBe(true);
    expect(verifyWebhookSignature(delivery.body, ts, signature, webhookSecret('nope'))).toBe(false);

    const payload = JSON.parse(delivery.body) as WebhookPayload;
    expect(payload).toMatchObject({
      event: 'list.completed',
      list: { id, status: 'done', summary: { total: 3, deliverable: 2 }, error: null },
      run_id: 'initial',
    });
    expect(Date.parse(payload.sent_at)).not.toBeNaN();
    expect(await webhookFields(id)).toEqual(['delivered', '2', '']);
  });

  it('does not retry a 410', async () => {
    const id = await finishedList('done');
    receiver.answers = [410];
    worker = startWebhookWorker(fx.rt);
    const jobId = await enqueueWebhook(fx.rt, id, { backoffMs: 50 });
    const job = await fx.rt.queues.webhook.getJob(jobId ?? '');
    await until(async () => (await job?.getState()) === 'failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
    const [status, attempts, error] = await webhookFields(id);
    expect([status, attempts]).toEqual(['failed', '1']);
    expect(error).toMatch(/HTTP 410: receiver says 410/);
  });

  it('sends list.failed with the error, once however often it is enqueued', async () => {
    const id = await finishedList('failed');
    const first = await enqueueWebhook(fx.rt, id);
    const again = await enqueueWebhook(fx.rt, id);
    expect(again).toBe(first);
    worker = startWebhookWorker(fx.rt);
    await until(async () => (await webhookFields(id))[0] === 'delivered');
    await enqueueWebhook(fx.rt, id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
    expect(await webhookFields(id)).toEqual(['delivered', '1', '']);
    const payload = JSON.parse(receiver.received[0]?.body ?? '') as WebhookPayload;
    expect(payload.event).toBe('list.failed');
    expect(payload.list).toMatchObject({ status: 'failed', error: 'the file is not a CSV' });
  });

  it('queues nothing for a list without a webhook URL, and refuses unfinished lists', async () => {
    expect(await enqueueWebhook(fx.rt, await finishedList('done', null))).toBeNull();
    const id = `list${++n}`;
    await fx.rt.lists.create({
      id,
      name: 'x',
      tenant: 'acme',
      options: { includeRisky: false },
      inputBytes: 1,
    });
    await fx.rt.lists.set(id, { webhookUrl: receiver.url });
    await expect(enqueueWebhook(fx.rt, id)).rejects.toMatchObject({ code: 'list_not_finished' });
  });
});

describe('one delivery attempt', () => {
  it('refuses 127.0.0.1 when WEBHOOK_ALLOW_PRIVATE=0, sending nothing', async () => {
    const id = await finishedList('done');
    const strict = {
      ...fx.rt,
      config: { ...fx.rt.config, WEBHOOK_ALLOW_PRIVATE: { kind: 'none' as const } },
    };
    await expect(deliverWebhook(strict, id)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(receiver.received).toHaveLength(0);
    const [status, , error] = await webhookFields(id);
    expect(status).toBe('refused');
    expect(error).toMatch(/127\.0\.0\.1, which is not a public address/);
  });

  it('refuses a target whose name now resolves to the metadata address', async () => {
    const id = await finishedList('done', 'http://hooks.example.test:8080/x');
    const rebound = async () => ['169.254.169.254'];
    await expect(deliverWebhook(fx.rt, id, { resolve: rebound })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect((await webhookFields(id))[0]).toBe('refused');
  });

  it('connects to the vetted address and never resolves the name again', async () => {
    // The system resolver knows no `.test` names: delivery works only through the pinned lookup.
    const id = await finishedList('done', `http://hooks.example.test:${receiver.port}/in`);
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return ['127.0.0.1'];
    };
    expect(await deliverWebhook(fx.rt, id, { resolve })).toEqual({
      delivered: true,
      httpStatus: 200,
    });
    expect(lookups).toBe(1);
    expect(receiver.received[0]?.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it.each([
    [429, 'retrying'],
    [408, 'retrying'],
    [503, 'retrying'],
  ])('retries after HTTP %i', async (code, expected) => {
    const id = await finishedList('done');
    receiver.answers = [code];
    const attempt = deliverWebhook(fx.rt, id, { attempt: 1, maxAttempts: 8 });
    await expect(attempt).rejects.toMatchObject({ code: 'webhook_failed' });
    await expect(attempt).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect((await webhookFields(id))[0]).toBe(expected);
  });

  it('marks the last failed attempt failed', async () => {
    const id = await finishedList('done');
    receiver.answers = [500];
    await expect(deliverWebhook(fx.rt, id, { attempt: 8, maxAttempts: 8 })).rejects.toThrow();
    expect(await webhookFields(id)).toEqual([
      'failed',
      '8',
      'the webhook answered HTTP 500: receiver says 500',
    ]);
  });

  it('does not follow a redirect, and does not retry it', async () => {
    const id = await finishedList('done');
    receiver.answers = [302];
    await expect(deliverWebhook(fx.rt, id, { attempt: 1, maxAttempts: 8 })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(receiver.received).toHaveLength(1);
  });

  it('gives up on a receiver that does not answer in time, and retries later', async () => {
    const id = await finishedList('done');
    receiver.hang = true;
    const started = Date.now();
    await expect(
      deliverWebhook(fx.rt, id, { attempt: 1, maxAttempts: 8, timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'webhook_failed' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await webhookFields(id)).toEqual([
      'retrying',
      '1',
      'no answer from the webhook within 300 ms',
    ]);
  });

  it('signs with every API key of the tenant, so rotation never breaks receivers', async () => {
    const id = await finishedList('done');
    const twoKeys = {
      ...fx.rt,
      config: {
        ...fx.rt.config,
        API_KEYS: [...fx.rt.config.API_KEYS, { tenant: 'acme', key: 'new-key-of-acme-0123456789' }],
      },
    };
    await deliverWebhook(twoKeys, id);
    const { headers, body } = nth(0);
    const ts = headers['x-listclean-timestamp'] as string;
    const signature = headers['x-listclean-signature'] as string;
    expect(signature.split(',')).toHaveLength(2);
    for (const key of [API_KEY, 'new-key-of-acme-0123456789']) {
      expect(verifyWebhookSignature(body, ts, signature, webhookSecret(key))).toBe(true);
    }
    expect(
      verifyWebhookSignature(body, ts, signature, webhookSecret('key-of-other-0123456789')),
    ).toBe(false);
  });
});

describe('delivery with DNS_SERVERS set', () => {
  it('resolves the webhook host there, once, and posts to that address', async () => {
    const dns = await startDnsServer({
      answer: (name, type) =>
        name === 'hooks.example.test' && type === 'A'
          ? { rcode: 'NOERROR', records: [{ type: 'A', name, address: '127.0.0.1' }] }
          : { rcode: 'NOERROR', records: [] },
    });
    const own = await startRuntime({
      WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
      API_KEYS: `acme:${API_KEY}`,
      DNS_SERVERS: `${dns.host}:${dns.port}`,
      DNS_TIMEOUT: '500ms',
    });
    try {
      const id = 'dns-list';
      await own.rt.lists.create({
        id,
        name: 'n',
        tenant: 'acme',
        options: { includeRisky: false },
        inputBytes: 1,
      });
      await own.rt.lists.set(id, { webhookUrl: `http://hooks.example.test:${receiver.port}/h` });
      await own.rt.lists.advance(id, 'done');
      expect(await deliverWebhook(own.rt, id)).toMatchObject({ delivered: true });
      expect([...dns.queries].sort()).toEqual(['A hooks.example.test', 'AAAA hooks.example.test']);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await own.close();
      await dns.close();
    }
  });
});
