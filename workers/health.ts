/**
 * A worker process's own small HTTP server on WORKER_PORT: `/healthz` (Redis and storage answer,
 * for container healthchecks and orchestrators) and `/metrics` (the cluster-wide counters every
 * worker records in Redis, plus this process's own CPU, memory and event loop).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { healthRoutes } from '../src/api/routes/health.ts';
import { metricsPlugin } from '../src/metrics/plugin.ts';
import type { Runtime } from '../src/runtime/runtime.ts';

export async function startHealthServer(
  rt: Runtime,
  port: number,
): Promise<{ close(): Promise<void> }> {
  const app: FastifyInstance = Fastify({
    loggerInstance: rt.log.child({ component: 'health' }) as FastifyInstance['log'],
  });
  app.decorate('rt', rt);
  await app.register(healthRoutes);
  await app.register(metricsPlugin, { rt });
  await app.listen({ port, host: rt.config.HOST });
  return app;
}
