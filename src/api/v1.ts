/**
 * Everything under /v1: authenticated, rate-limited per API key. A route plugin added to
 * V1_ROUTES gets both (and the shared error shape) with no further wiring.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { rateLimitNamespace } from '../redis/keys.ts';
import { requireTenant } from './auth.ts';
import { apiError } from './errors.ts';
import { guardRedis } from './redis-guard.ts';
import { linkRoutes } from './routes/links.ts';
import { listRoutes } from './routes/lists.ts';
import { previewRoutes } from './routes/preview.ts';
import { reportRoutes } from './routes/reports.ts';
import { retryRoutes } from './routes/retry.ts';
import { runRoutes } from './routes/runs.ts';
import { scheduleRoutes } from './routes/schedule.ts';
import { traceRoutes } from './routes/traces.ts';
import { uploadRoutes } from './routes/upload.ts';
import { verifyRoutes } from './routes/verify.ts';
import { acceptSignedLink } from './signed-links.ts';

export const V1_ROUTES: FastifyPluginAsync[] = [
  uploadRoutes,
  listRoutes,
  reportRoutes,
  retryRoutes,
  scheduleRoutes,
  runRoutes,
  verifyRoutes,
  previewRoutes,
  linkRoutes,
  traceRoutes,
];

export async function v1Routes(scope: FastifyInstance): Promise<void> {
  const { rt } = scope;
  // First: while Redis is away nothing below can answer (the rate limiter included).
  guardRedis(scope);
  // preParsing: after the rate limiter (onRequest), before any body is read.
  scope.addHook('preParsing', async (request) => {
    // Report downloads also open with a short-lived signed link instead of the key.
    await acceptSignedLink(request);
    await requireTenant(request);
  });
  await scope.register(rateLimit, {
    max: rt.config.API_RATE_LIMIT,
    timeWindow: 60_000,
    // In Redis, so the limit holds across every API process.
    redis: rt.redis,
    nameSpace: rateLimitNamespace(rt.prefix),
    skipOnError: true,
    // A wrong key is bucketed by address, so guessing keys does not buy fresh buckets.
    keyGenerator: (request) =>
      request.keyHash !== null ? `key:${request.keyHash}` : `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      apiError(
        'rate_limited',
        `Too many requests: the limit is ${context.max} per minute per API key ` +
          `(API_RATE_LIMIT). Retry in ${context.after}.`,
      ),
  });
  for (const routes of V1_ROUTES) await scope.register(routes);
}
