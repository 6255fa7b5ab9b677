/**
 * Requests that never reach a route still answer `{error: {code, message}}` with a catalogued
 * code: Node's HTTP parser refusing the bytes (malformed, headers over 16 KiB, too slow) is
 * answered here, straight on the socket, since there is no request or response object; Fastify's
 * router refusals (a path segment over `maxParamLength`, a bad percent-escape) go through the
 * API's error handler by way of `frameworkErrors`.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, httpStatusOf } from '../error-codes.ts';
import { apiError, type ErrorBody, errorHandler } from './errors.ts';

/** The longest path segment (a list id, a report name, …) the router takes; longer is 414. */
export const MAX_PARAM_LENGTH = 256;

interface ClientFailure {
  code: ErrorCode;
  message: string;
}

function clientFailure(error: NodeJS.ErrnoException): ClientFailure {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'headers_too_large',
        message:
          'The request line and headers are larger than the server takes (16 KiB); send a ' +
          'shorter URL (the query string counts) or fewer or shorter headers.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'too_large', message: 'The chunk extensions of the body are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'request_timeout',
        message: 'The request did not arrive in time; send it again.',
      };
    default:
      return {
        code: 'malformed_request',
        message: `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}).`,
      };
  }
}

/** The raw HTTP/1.1 answer for a client error, with the API's JSON body; the socket closes. */
export function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const { code, message } = clientFailure(error);
  const status = httpStatusOf(code);
  const body: ErrorBody = { error: { code, message } };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

/**
 * Fastify's `clientErrorHandler` (the http server's `clientError` event). As Node's own
 * handler does, it answers only when no response of this connection has begun: a keep-alive
 * connection whose answer is already on its way is just closed.
 */
export function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })
    ._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    socket.write(clientErrorResponse(error));
  }
  socket.destroy(error);
}

/** Fastify's `frameworkErrors`: the router's refusals, answered by the API's error handler. */
export function onFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return errorHandler(
      apiError(
        'uri_too_long',
        `A path segment is longer than ${MAX_PARAM_LENGTH} characters; no list, run or report ` +
          'has such a name.',
      ),
      request,
      reply,
    );
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return errorHandler(
      apiError('invalid_request', 'The path has an invalid percent-escape.'),
      request,
      reply,
    );
  }
  return errorHandler(error, request, reply);
}
