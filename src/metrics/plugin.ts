/**
 * `GET /metrics` for the API. Registered without encapsulation (like `fastify-plugin`, which is
 * only a transitive dependency here), so the app's own hooks, auth and error handling apply.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
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
  const key = opts.rt.config.METRICS_KEY;
  app.get('/metrics', async (request, reply) => {
    if (key !== '' && !bearerMatches(request.headers.authorization, key)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({
          error: {
            code: 'unauthorized',
            message: 'GET /metrics wants Authorization: Bearer <METRICS_KEY>.',
          },
        });
    }
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

/** Constant-time: compares digests, so neither length nor content leaks through timing. */
function bearerMatches(header: string | undefined, key: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(key));
}
