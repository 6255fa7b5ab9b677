import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsPlugin } from '../../src/metrics/plugin.ts';
import { MetricsRecorder } from '../../src/metrics/recorder.ts';
import { parseExposition, sampleValue } from './exposition.ts';
import { type RuntimeFixture, startRuntime } from './runtime-fixture.ts';

let fx: RuntimeFixture;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  fx = await startRuntime();
  app = Fastify();
  await app.register(metricsPlugin, { rt: fx.rt });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await fx.close();
});

describe('GET /metrics', () => {
  it('serves the Prometheus text format with workers’ counters and process metrics', async () => {
    await new MetricsRecorder(fx.rt.redis, fx.rt.prefix).recordRound({
      provider: 'google.com',
      sessions: 4,
      replyCodes: { '250': 9 },
      statuses: { deliverable: 9 },
    });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const samples = parseExposition(await response.text());
    expect(sampleValue(samples, 'listclean_smtp_sessions_total', { provider: 'google.com' })).toBe(
      4,
    );
    expect(sampleValue(samples, 'listclean_lists', { status: 'done' })).toBe(0);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('answers every scrape with the same set of process metrics (registry made once)', async () => {
    // Metric families, not samples: a GC histogram has samples only once a GC was observed,
    // and one may happen between two scrapes.
    const families = async () =>
      new Set(
        (await (await fetch(`${base}/metrics`)).text())
          .split('\n')
          .filter((line) => line.startsWith('# TYPE '))
          .map((line) => line.split(' ')[2]),
      );
    const first = await families();
    expect(first.size).toBeGreaterThan(10);
    expect(await families()).toEqual(first);
  });

  it('answers 503 when Redis does not answer in time', async () => {
    const dead = new Redis({ port: 1, maxRetriesPerRequest: null, retryStrategy: () => 200 });
    dead.on('error', () => undefined);
    const broken = Fastify();
    await broken.register(metricsPlugin, {
      rt: { ...fx.rt, redis: dead },
      collect: { timeoutMs: 200 },
    });
    try {
      const response = await broken.inject('/metrics');
      expect(response.statusCode).toBe(503);
      expect(response.body).toMatch(/could not be read from Redis within 200 ms/);
    } finally {
      await broken.close();
      dead.disconnect();
    }
  });

  it('registers without encapsulation, like fastify-plugin', async () => {
    expect((metricsPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(
      true,
    );
    // A hook the app adds after the plugin still guards the route.
    const guarded = Fastify();
    await guarded.register(metricsPlugin, { rt: fx.rt });
    guarded.addHook('onRequest', async (_request, reply) => reply.code(401).send('no'));
    const response = await guarded.inject('/metrics');
    expect(response.statusCode).toBe(401);
    await guarded.close();
  });
});
