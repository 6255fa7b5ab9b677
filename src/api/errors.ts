/**
 * Every error response is `{error: {code, message}}` with a code from the catalog
 * (src/error-codes.ts), which also gives the status. Route code throws `apiError(code, message)`;
 * Fastify's own errors (validation, media type, body limits) and anything unexpected are mapped
 * here so no other shape ever leaves the server.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, httpStatusOf } from '../error-codes.ts';
import { isListcleanError, ListcleanError } from '../errors.ts';

/** An error answered with its code's HTTP status from the catalog (src/error-codes.ts). */
export class ApiError extends ListcleanError {
  readonly statusCode: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.statusCode = httpStatusOf(code);
    this.headers = headers;
  }
}

export function apiError(
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): ApiError {
  return new ApiError(code, message, headers);
}

export interface ErrorBody {
  error: { code: string; message: string };
}

interface Mapped {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

const UNAVAILABLE = new Set(['storage_unavailable', 'redis_unavailable']);

function mapError(error: FastifyError | Error, request: FastifyRequest): Mapped {
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      headers: error.headers,
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return { status: 400, code: 'invalid_request', message: `Invalid request: ${error.message}.` };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': {
      const accepts = request.routeOptions.config?.accepts;
      const sent = request.headers['content-type'] ?? 'none';
      return {
        status: 415,
        code: 'unsupported_media_type',
        message: accepts
          ? `Content-Type ${sent} is not accepted here; send ${accepts.join(', ')}.`
          : `Content-Type ${sent} is not accepted here.`,
      };
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return { status: 413, code: 'too_large', message: 'The request body is too large.' };
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return {
        status: 413,
        code: 'too_large',
        message: 'The form has too many parts; send one file, in the field "file".',
      };
  }
  if (isListcleanError(error) && UNAVAILABLE.has(error.code)) {
    return {
      status: 503,
      code: 'service_unavailable',
      message: `Storage or Redis is unavailable right now; retry later (request ${request.id}).`,
    };
  }
  // A catalogued error from library code (a list that is gone, a bad storage key, …) answers
  // with its catalogued status, as if the route had raised it.
  if (isListcleanError(error) && ERROR_CODES[error.code].http !== null) {
    return { status: httpStatusOf(error.code), code: error.code, message: error.message };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (a body that is not JSON, …): one catalogued code.
    return { status, code: 'invalid_request', message: error.message };
  }
  return {
    status: 500,
    code: 'internal_error',
    message: `Unexpected server error; the server log has the details (request ${request.id}).`,
  };
}

export function errorHandler(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const mapped = mapError(error, request);
  if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: mapped.code }, mapped.message);
  for (const [name, value] of Object.entries(mapped.headers ?? {})) reply.header(name, value);
  const body: ErrorBody = { error: { code: mapped.code, message: mapped.message } };
  return reply.status(mapped.status).send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0];
  const body: ErrorBody = {
    error: {
      code: 'not_found',
      message: `No route ${request.method} ${path}. The API is described at /docs.`,
    },
  };
  return reply.status(404).send(body);
}
