/**
 * Request logging (pino): API keys never reach the log, whether in a header or in the query
 * (`api_key`, `apikey`, `access_token`, `key`, `token`, `password`, …), nor do webhook URLs (they
 * often carry a secret token of the receiver in their path or query), nor the signatures of
 * download links.
 */
import type { FastifyServerOptions } from 'fastify';

/**
 * Query parameters whose values are logged as `[redacted]`, compared by their decoded name in
 * lower case with `-` and `_` dropped: `api_key`, `API-Key`, `api%5Fkey` and `apikey` are one.
 * Any name ending in key, token, secret, password or auth counts (`access_token`, `x-api-key`,
 * `client_secret`, …), as do the download links' `sig` and webhook URLs.
 */
const SECRET_NAME = /(?:key|token|secret|password|passwd|pwd|auth|sig|signature|webhookurl)$/;

function isSecretName(raw: string): boolean {
  let name = raw.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the name as written.
  }
  return SECRET_NAME.test(name.toLowerCase().replace(/[-_\s]/g, ''));
}

/** The URL with the value of every secret query parameter replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const end = url.indexOf('#', start);
  const query = url.slice(start + 1, end === -1 ? undefined : end);
  const redacted = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1 || !isSecretName(pair.slice(0, equals))) return pair;
      return `${pair.slice(0, equals)}=[redacted]`;
    })
    .join('&');
  return `${url.slice(0, start + 1)}${redacted}${end === -1 ? '' : url.slice(end)}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  ip: string;
  headers: Record<string, unknown>;
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    // Beside every other log line of the process (src/log/logger.ts), not on stdout.
    stream: process.stderr,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: LoggedRequest) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          remoteAddress: request.ip,
          userAgent: request.headers['user-agent'],
        };
      },
    },
  };
}
