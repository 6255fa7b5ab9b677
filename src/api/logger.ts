/**
 * Request logging (pino): API keys never reach the log, nor do webhook URLs (they often carry
 * a secret token of the receiver in their path or query), nor the signatures of download links.
 */
import type { FastifyServerOptions } from 'fastify';

const SECRET_QUERY = /([?&](?:webhook_url|key|token|sig)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
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
