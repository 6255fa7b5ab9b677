/**
 * The API never waits for a Redis that is away. BullMQ needs ioredis to queue commands while it
 * reconnects (`maxRetriesPerRequest: null`), which would park every request until Redis came
 * back — the rate limiter's `skipOnError` and the 503 mapping never fire. So /v1 answers
 * `503 redis_unavailable` at once while the connection is down, and a request caught in flight
 * when it drops is answered the same within about two seconds instead of hanging. Workers keep
 * waiting and recover by themselves; /healthz and /metrics report the outage on their own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Runtime } from '../runtime/runtime.ts';
import { apiError, errorHandler } from './errors.ts';

/** How often a request in flight looks at the connection; two looks down and it is answered. */
const CHECK_MS = 1000;

function redisUp(rt: Runtime): boolean {
  return rt.redis.status === 'ready';
}

function unavailable() {
  return apiError(
    'redis_unavailable',
    'Redis is unavailable right now, so the API cannot answer this; retry in a few seconds.',
    { 'retry-after': '5' },
  );
}

export function guardRedis(scope: FastifyInstance): void {
  const { rt } = scope;
  const timers = new WeakMap<FastifyRequest, NodeJS.Timeout>();
  scope.addHook('onRequest', async (request, reply: FastifyReply) => {
    if (!redisUp(rt)) throw unavailable();
    let down = 0;
    const timer = setInterval(() => {
      if (reply.sent) {
        clearInterval(timer);
        return;
      }
      down = redisUp(rt) ? 0 : down + 1;
      if (down < 2) return;
      clearInterval(timer);
      request.log.warn('Redis went away while the request waited for it: answering 503');
      errorHandler(unavailable(), request, reply);
    }, CHECK_MS);
    timer.unref();
    timers.set(request, timer);
  });
  const stop = async (request: FastifyRequest) => {
    clearInterval(timers.get(request));
  };
  scope.addHook('onResponse', stop);
  scope.addHook('onRequestAbort', stop);
}
