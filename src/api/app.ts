/**
 * The HTTP API (DESIGN §5) as a Fastify instance over a pipeline runtime: `listclean serve`
 * listens with it, tests drive it over a real socket.
 */
import './fastify-types.ts';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { metricsPlugin } from '../metrics/plugin.ts';
import { allQueues, type Runtime } from '../runtime/runtime.ts';
import { identify } from './auth.ts';
import { MAX_PARAM_LENGTH, onClientError, onFrameworkError } from './client-errors.ts';
import { apiError, errorHandler, notFoundHandler } from './errors.ts';
import { KeyRing } from './key-ring.ts';
import { loggerOptions } from './logger.ts';
import { registerOpenApi } from './openapi.ts';
import { adminRoutes } from './routes/admin.ts';
import { consoleRoutes } from './routes/console.ts';
import { doctorRoutes } from './routes/doctor.ts';
import { healthRoutes } from './routes/health.ts';
import { assertServeConfig } from './serve-config.ts';
import { v1Routes } from './v1.ts';

export interface BuildAppOptions {
  /** Fastify's logger option; default: pino at LOG_LEVEL with keys redacted. */
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(
  rt: Runtime,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  assertServeConfig(rt.config);
  const app = Fastify({
    logger: options.logger ?? loggerOptions(rt.config.LOG_LEVEL),
    // Closing answers new requests 503 and lets in-flight ones (uploads) finish — in the API's
    // error shape (below), which Fastify's own 503 body is not.
    return503OnClosing: false,
    // Behind a reverse proxy the client's address (rate limits by IP, logs) is in X-Forwarded-For.
    trustProxy: rt.config.TRUST_PROXY,
    // Errors raised before a route is found answer in the API's shape too (client-errors.ts).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
  });
  app.decorate('rt', rt);
  app.decorateRequest('tenant', null);
  app.decorateRequest('keyHash', null);
  app.decorateRequest('sentCredentials', false);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw apiError(
      'service_unavailable',
      'This server is shutting down; retry in a moment (another instance will answer).',
      { 'retry-after': '5' },
    );
  });
  app.addHook('onRequest', identify(new KeyRing(rt.config.API_KEYS)));

  await registerOpenApi(app);
  await app.register(healthRoutes);
  await app.register(metricsPlugin, { rt });
  if (rt.config.ADMIN_KEY !== '') {
    await app.register(adminRoutes, {
      adminKey: rt.config.ADMIN_KEY,
      queues: allQueues(rt),
    });
  }
  await app.register(v1Routes, { prefix: '/v1' });
  // The operator's /v1/doctor: ADMIN_KEY, not an API key, so outside the /v1 scope's auth.
  await app.register(doctorRoutes, { prefix: '/v1' });
  // The web console at / (static files; it calls /v1 with the key it is given).
  await app.register(consoleRoutes);
  return app;
}
