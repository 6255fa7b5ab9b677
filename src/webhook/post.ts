/**
 * One POST to a vetted webhook target. The connection goes to the addresses `checkWebhookTarget`
 * vetted, through a `lookup` that answers with them: the host name is never resolved again, so a
 * DNS answer that changes between the check and the connect (rebinding) cannot redirect it. The
 * name is still what goes into `Host` and TLS SNI/certificate checks. Redirects are not followed.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import { ListcleanError } from '../errors.ts';

/** Enough of a receiver's answer to say why it refused; the rest is not read. */
const MAX_RESPONSE_EXCERPT = 512;

export interface PostResult {
  status: number;
  /** The start of the response body, for the error message. */
  excerpt: string;
}

export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: net.isIP(address) }));
  return (_hostname, options, callback) => {
    const first = entries[0];
    if (first === undefined) {
      callback(new Error('no vetted address'), '', 4);
      return;
    }
    // Node asks for every address when it races IPv4 against IPv6 (autoSelectFamily).
    if (options.all) (callback as (e: null, a: typeof entries) => void)(null, entries);
    else callback(null, first.address, first.family);
  };
}

export function postPinned(
  url: URL,
  addresses: readonly string[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      if (error) reject(error);
      else resolve(result as PostResult);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(addresses),
        // No pooled sockets: each delivery connects to the addresses it vetted itself.
        agent: false,
      },
      (response) =>
        readExcerpt(response, (excerpt) =>
          finish(null, { status: response.statusCode ?? 0, excerpt }),
        ),
    );
    // One deadline for connect, send and answer: a receiver that trickles bytes gets no more.
    const timer = setTimeout(
      () =>
        finish(
          new ListcleanError(
            'webhook_timeout',
            `no answer from the webhook within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    request.on('error', (error) =>
      finish(
        new ListcleanError('webhook_unreachable', `webhook request failed: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    request.end(body);
  });
}

function readExcerpt(response: IncomingMessage, done: (excerpt: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const end = () => done(Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_EXCERPT));
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_RESPONSE_EXCERPT) end();
  });
  response.on('end', end);
  response.on('error', end);
}
