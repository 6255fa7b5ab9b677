/**
 * GET /healthz for load balancers and orchestrators: Redis answers PING and storage answers a
 * stat. No auth; the response says which part failed, the reason goes to the log only (it
 * names endpoints and buckets that an anonymous caller has no business learning).
 */
import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../schemas.ts';

const CHECK_TIMEOUT_MS = 3000;

type Outcome = { ok: true } | { ok: false; reason: string };

async function check(probe: () => Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const part = { type: 'string', enum: ['ok', 'failed'] } as const;
const healthSchema = {
  type: 'object',
  required: ['status', 'redis', 'storage'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    redis: part,
    storage: part,
  },
} as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { rt } = app;
  app.get(
    '/healthz',
    {
      // Probed every few seconds: only failures are worth a log line.
      logLevel: 'warn',
      schema: {
        summary: 'Liveness and readiness: Redis and storage reachable',
        tags: ['operations'],
        security: [],
        response: { 200: healthSchema, 503: healthSchema, 500: errorSchema },
      },
    },
    async (request, reply) => {
      const [redis, storage] = await Promise.all([
        check(() => rt.redis.ping()),
        // null (no such object) is an answer: it proves the storage is there.
        check(() => rt.storage.stat('healthz')),
      ]);
      const healthy = redis.ok && storage.ok;
      if (!redis.ok) request.log.warn(`healthz: Redis failed: ${redis.reason}`);
      if (!storage.ok) request.log.warn(`healthz: storage failed: ${storage.reason}`);
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'ok' : 'unavailable',
        redis: redis.ok ? 'ok' : 'failed',
        storage: storage.ok ? 'ok' : 'failed',
      });
    },
  );
}
