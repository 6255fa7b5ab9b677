/**
 * /metrics tells an operator how probing goes without telling a stranger whose mail the lists
 * hold: behind METRICS_KEY when set, and provider labels only for the big mail providers
 * (METRICS_PROVIDERS); a company's own MX domain is `other`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { providerLabel } from '../../src/metrics/labels.ts';
import { metricsPlugin } from '../../src/metrics/plugin.ts';
import { parseExposition, sampleValue } from './exposition.ts';
import { type RuntimeFixture, startRuntime } from './runtime-fixture.ts';

let fx: RuntimeFixture;
let app: FastifyInstance;
let base: string;
const KEY = 'metrics-key-0123456789';

beforeAll(async () => {
  fx = await startRuntime({ METRICS_KEY: KEY });
  app = Fastify();
  await app.register(metricsPlugin, { rt: fx.rt });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await fx.close();
});

describe('METRICS_KEY', () => {
  it('keeps /metrics for whoever holds the key', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const right = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(right.status).toBe(200);
  });
});

describe('provider labels', () => {
  it('name the big providers and fold every other MX domain into other', async () => {
    await fx.rt.metrics.recordRound({
      provider: 'google.com',
      sessions: 2,
      replyCodes: { '250': 2 },
      statuses: { deliverable: 2 },
    });
    await fx.rt.metrics.recordRound({
      provider: 'acme-corp.com',
      sessions: 1,
      replyCodes: { '550': 1 },
      statuses: { undeliverable: 1 },
    });
    const text = await (
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
    ).text();
    expect(text).not.toContain('acme-corp');
    const samples = parseExposition(text);
    expect(sampleValue(samples, 'listclean_smtp_sessions_total', { provider: 'google.com' })).toBe(
      2,
    );
    expect(sampleValue(samples, 'listclean_smtp_sessions_total', { provider: 'other' })).toBe(1);
  });

  it('follow METRICS_PROVIDERS', () => {
    const { METRICS_PROVIDERS } = readEnv({ METRICS_PROVIDERS: 'Example-Hoster.net, google.com' });
    const allowed = new Set(METRICS_PROVIDERS);
    expect(providerLabel('example-hoster.net', allowed)).toBe('example-hoster.net');
    expect(providerLabel('outlook.com', allowed)).toBe('other');
    expect(providerLabel(null, allowed)).toBe('unknown');
    expect(readEnv({}).METRICS_PROVIDERS).toEqual(
      expect.arrayContaining(['google.com', 'outlook.com']),
    );
  });
});
