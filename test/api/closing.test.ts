/**
 * A server that is closing lets the request in flight finish and answers the next one on the
 * same connection 503 in the API's error shape ({error: {code, message}}), with
 * `Connection: close` — not Fastify's own `{"error":"Service Unavailable",…}` body.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi } from './helpers.ts';

let api: ApiUnderTest;

beforeAll(async () => {
  api = await startApi(NO_WORLD);
});

afterAll(async () => {
  // The app is closed by the test; the harness (Redis, storage) still is ours to close.
  await api?.close().catch(() => undefined);
});

/** Reads from the socket until it ends; the raw bytes of every response. */
function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('closing', () => {
  it('finishes the upload in flight and answers a pipelined request 503 in the error shape', async () => {
    const { port } = new URL(api.base);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const everything = readAll(socket);
    const body = 'email\nann@acme.test\nbob@acme.test\n';
    const head =
      'POST /v1/lists?name=closing.csv HTTP/1.1\r\nHost: x\r\n' +
      `Authorization: Bearer ${ACME_KEY}\r\nContent-Type: text/csv\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    // Half the body: the upload is in flight when the server starts closing.
    socket.write(head + body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = api.app.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.write(
      `${body.slice(10)}GET /v1/lists HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ACME_KEY}\r\n\r\n`,
    );
    const raw = await everything;
    await closed;
    const responses = raw.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 202 /);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toMatch(/\r\nconnection: close\r\n/i);
    const json = JSON.parse(responses[1]?.split('\r\n\r\n')[1] ?? '') as {
      error: { code: string; message: string };
    };
    expect(json.error.code).toBe('service_unavailable');
    expect(json.error.message).toMatch(/shutting down/);
  });
});
