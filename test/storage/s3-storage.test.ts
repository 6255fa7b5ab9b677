import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ListcleanError } from '../../src/errors.ts';
import { createStorage, type Storage } from '../../src/storage/index.ts';
import { generatedBody } from './bodies.ts';
import { storageContract } from './storage-contract.ts';

const MB = 1024 * 1024;
const BUCKET = 'listclean-test';

let directory: string;
let server: S3rver;
let endpoint: string;
let storage: Storage;
/** "METHOD path?query" of every request s3rver received. */
const requests: string[] = [];

function s3(url: string, at: string = endpoint): Storage {
  return createStorage({ STORAGE_URL: url, S3_ENDPOINT: at, AWS_REGION: 'us-east-1' });
}

beforeAll(async () => {
  // s3rver's fixed account; the SDK reads credentials from the environment, as in production.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  directory = await mkdtemp(path.join(os.tmpdir(), 'listclean-s3rver-'));
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  server.httpServer.on('request', (request) => requests.push(`${request.method} ${request.url}`));
  endpoint = `http://127.0.0.1:${port}`;
  storage = s3(`s3://${BUCKET}/app`);
});

afterAll(async () => {
  await storage?.close();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

async function failureOf(promise: Promise<unknown>): Promise<ListcleanError> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ListcleanError);
  return error as ListcleanError;
}

/** A 127.0.0.1 port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('S3 storage: the Storage contract', () => {
  storageContract({ storage: () => storage, presigns: true });
});

describe('S3 storage', () => {
  it('describes itself by bucket, prefix and endpoint', () => {
    expect(storage.describe()).toBe(`s3://${BUCKET}/app @ ${endpoint}`);
  });

  it('keeps keys under the URL prefix in the bucket', async () => {
    await storage.put('prefixed/lists/1/input.csv', 'x');
    const whole = s3(`s3://${BUCKET}`);
    expect(await whole.list('app/prefixed/')).toEqual(['app/prefixed/lists/1/input.csv']);
    await whole.close();
  });

  it('uploads a large stream in 8 MiB parts, at most two in flight', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const watchParts = (request: IncomingMessage, response: ServerResponse): void => {
      if (request.method !== 'PUT' || !request.url?.includes('partNumber=')) return;
      sizes.push(Number(request.headers['content-length']));
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      response.on('close', () => inFlight--);
    };
    server.httpServer.on('request', watchParts);
    try {
      await storage.put('multipart/big.csv', generatedBody(20 * MB).stream);
    } finally {
      server.httpServer.off('request', watchParts);
    }
    expect(sizes.sort((a, b) => b - a)).toEqual([8 * MB, 8 * MB, 4 * MB]);
    expect(mostInFlight).toBeLessThanOrEqual(2);
  });

  it('sends a small body as one plain PUT', async () => {
    requests.length = 0;
    await storage.put('single/small.csv', 'email\n');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(new RegExp(`^PUT /${BUCKET}/app/single/small\\.csv(\\?|$)`));
  });

  // s3rver answers the abort with MethodNotAllowed; the put still rejects with the body's error.
  it('aborts the multipart upload when the body fails', async () => {
    requests.length = 0;
    const broken = generatedBody(20 * MB, { failAfter: 10 * MB });
    await expect(storage.put('abort/big.csv', broken.stream)).rejects.toThrow('source broke');
    expect(requests.some((line) => /^DELETE .*uploadId=/.test(line))).toBe(true);
  });

  it('serves the stored content type on download', async () => {
    await storage.put('typed/report.html', '<p>hi</p>', { contentType: 'text/html' });
    const url = await storage.presignedGetUrl('typed/report.html', { expiresSeconds: 60 });
    const response = await fetch(url as string);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.text()).toBe('<p>hi</p>');
  });

  it('signs download URLs for S3_PUBLIC_ENDPOINT when the public host differs', async () => {
    const publicHost = endpoint.replace('127.0.0.1', 'localhost');
    const behindProxy = createStorage({
      STORAGE_URL: `s3://${BUCKET}/app`,
      S3_ENDPOINT: endpoint,
      S3_PUBLIC_ENDPOINT: publicHost,
      AWS_REGION: 'us-east-1',
    });
    await behindProxy.put('public/cleaned.csv', 'email\na@b.test\n');
    const url =
      (await behindProxy.presignedGetUrl('public/cleaned.csv', { expiresSeconds: 60 })) ?? '';
    expect(url.startsWith(`${publicHost}/${BUCKET}/app/public/cleaned.csv?`)).toBe(true);
    // The signature covers the public host: the URL downloads as it is.
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('email\na@b.test\n');
    await behindProxy.close();
  });

  it('says which bucket is missing, whatever the operation', async () => {
    const missing = s3('s3://no-such-bucket/app');
    const failures = [
      await failureOf(missing.put('a.csv', 'x')),
      await failureOf(missing.get('a.csv')),
      await failureOf(missing.stat('a.csv')),
      await failureOf(missing.list('')),
      await failureOf(missing.delete('a.csv')),
    ];
    for (const failure of failures) {
      expect(failure.code).toBe('storage_unavailable');
      expect(failure.message).toContain('bucket "no-such-bucket" does not exist');
      expect(failure.message).toContain(endpoint);
    }
    await missing.close();
  });

  it('says which endpoint it cannot reach and what to check', async () => {
    const deadEndpoint = `http://127.0.0.1:${await closedPort()}`;
    const dead = s3(`s3://${BUCKET}/app`, deadEndpoint);
    const attempts = [() => dead.get('a.csv'), () => dead.put('a.csv', 'x'), () => dead.list('')];
    for (const attempt of attempts) {
      const failure = await failureOf(attempt());
      expect(failure.code).toBe('storage_unavailable');
      expect(failure.message).toContain(`cannot reach ${deadEndpoint} (ECONNREFUSED)`);
      expect(failure.message).toContain('S3_ENDPOINT');
      expect(failure.message).toContain(`bucket "${BUCKET}"`);
    }
    await dead.close();
  });

  it('says when the credentials are refused', async () => {
    // s3rver checks the key id, not the signature.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'NOT-S3RVER');
    const denied = s3(`s3://${BUCKET}/app`);
    const failure = await failureOf(denied.get('a.csv'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
    await denied.close();
    expect(failure.code).toBe('storage_unavailable');
    expect(failure.message).toContain('refused access to bucket "listclean-test"');
    expect(failure.message).toContain('AWS_ACCESS_KEY_ID');
  });
});
