/**
 * Errors raised before any route runs answer in the API's shape, `{error: {code, message}}`
 * with a catalogued code, over raw sockets: Node's HTTP parser refusing a request (malformed,
 * headers over 16 KiB) and Fastify's router refusing a path (a segment over the length it
 * takes, a broken percent-escape).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/error-codes.ts';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi } from './helpers.ts';

let api: ApiUnderTest;
let port: number;

beforeAll(async () => {
  api = await startApi(NO_WORLD);
  port = Number(new URL(api.base).port);
});

afterAll(async () => {
  await api?.close();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as is and reads the answer until the server closes the connection. */
function raw(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer closed within 10 s: ${Buffer.concat(chunks).toString()}`));
    }, 10_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may reset the connection while the rest of a refused request is still sent.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(request);
  });
}

function expectShape(answer: RawAnswer, status: number, code: keyof typeof ERROR_CODES): void {
  expect(answer.status).toBe(status);
  expect(ERROR_CODES[code].http).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
}

describe("Node's HTTP parser refusals", () => {
  it('answers headers over 16 KiB with 431 headers_too_large', async () => {
    const answer = await raw(
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectShape(answer, 431, 'headers_too_large');
  });

  it('answers a request line over 16 KiB (a long query string) with 431 headers_too_large', async () => {
    const answer = await raw(
      `GET /v1/lists?name=${'n'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    );
    expectShape(answer, 431, 'headers_too_large');
  });

  it('answers bytes that are not HTTP with 400 malformed_request', async () => {
    expectShape(await raw('HELLO THERE\r\n\r\n'), 400, 'malformed_request');
    expectShape(
      await raw('POST /v1/lists HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n'),
      400,
      'malformed_request',
    );
  });
});

describe("Fastify's router refusals", () => {
  it('answers a path segment over 256 characters with 414 uri_too_long', async () => {
    const answer = await raw(
      `GET /v1/lists/${'x'.repeat(300)} HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${ACME_KEY}\r\nConnection: close\r\n\r\n`,
    );
    expectShape(answer, 414, 'uri_too_long');
  });

  it('takes a 150-character list id to the route (404 list_not_found, not 414)', async () => {
    const response = await api.call(`/v1/lists/${'x'.repeat(150)}`, { key: ACME_KEY });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'list_not_found',
    );
  });

  it('answers a broken percent-escape in a path segment with 400 invalid_request', async () => {
    const answer = await raw(
      `GET /v1/lists/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${ACME_KEY}\r\nConnection: close\r\n\r\n`,
    );
    expectShape(answer, 400, 'invalid_request');
  });
});
