/**
 * `GET /metrics` for the API. Registered without encapsulation (like `fastify-plugin`, which is
 * only a transitive dependency here), so the app's own hooks, auth and error handling apply.
 */
import type { FastifyInstance } from 'fastify';
import { isListcleanError } from '../errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { type CollectOptions, collectMetrics, METRICS_CONTENT_TYPE } from './collect.ts';

export interface MetricsPluginOptions {
  rt: Runtime;
  collect?: CollectOptions;
}

export async function metricsPlugin(
  app: FastifyInstance,
  opts: MetricsPluginOptions,
): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    try {
      const body = await collectMetrics(opts.rt, opts.collect);
      return reply
        .header('content-type', METRICS_CONTENT_TYPE)
        .header('cache-control', 'no-store')
        .send(body);
    } catch (error) {
      // Redis is away: fail the scrape (Prometheus records `up 0`) rather than serve half.
      if (isListcleanError(error) && error.code === 'metrics_unavailable') {
        return reply.code(503).header('content-type', 'text/plain').send(`${error.message}\n`);
      }
      throw error;
    }
  });
}

// What `fastify-plugin` sets: no new encapsulation context, and a name in errors and logs.
Object.assign(metricsPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'listclean-metrics',
});
