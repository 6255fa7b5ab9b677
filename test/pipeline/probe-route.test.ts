/**
 * ProbeRouter on its own: which queue a domain goes to, from its MX, and that a lookup that never
 * answers sends the domain to the shared queue instead of holding up ingest.
 */
import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { MxLookup } from '../../src/dns/index.ts';
import { ProbeRouter } from '../../src/pipeline/probe-route.ts';
import { parsePolicy } from '../../src/policy/policy.ts';
import { probePools } from '../../src/policy/pools.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';

const policy = parsePolicy({
  defaults: { maxRcptsPerSession: 10 },
  providers: [{ match: 'bigmail.test', maxConcurrentSessions: 4, maxRcptsPerSession: 20 }],
});
const shared = { name: 'probe' } as Queue;
const poolQueue = { name: 'probe-bigmail.test' } as Queue;

/** The parts of a runtime the router reads, with MX answers from `resolveMx`. */
function runtime(resolveMx: (domain: string) => Promise<MxLookup>): Runtime {
  const pools = probePools(policy).map((pool) => ({ ...pool, bull: poolQueue }));
  return { pools, queues: { probe: shared }, round: { policy, resolveMx } } as unknown as Runtime;
}

const mxAt = (exchange: string): MxLookup => ({
  kind: 'ok',
  implicit: false,
  hosts: [{ exchange, preference: 10, addresses: ['192.0.2.1'] }],
});

describe('ProbeRouter', () => {
  it("routes a pool provider's domain to its pool, in batches of several sessions' worth", async () => {
    const router = new ProbeRouter(runtime(async () => mxAt('mx1.bigmail.test')));
    expect(router.settled('a.test')).toBe(false);
    expect(router.batchSize('a.test')).toBe(10);
    const route = await router.route('a.test');
    expect(route.queue).toBe(poolQueue);
    expect(route.batchSize).toBe(3 * 20);
    expect(router.settled('a.test')).toBe(true);
    expect(router.batchSize('a.test')).toBe(60);
  });

  it('routes other domains, failed lookups and throwaway domains to the shared queue', async () => {
    const asked: string[] = [];
    const router = new ProbeRouter(
      runtime(async (domain) => {
        asked.push(domain);
        if (domain === 'gone.test') return { kind: 'no_domain', detail: 'NXDOMAIN' };
        return mxAt('mx.elsewhere.test');
      }),
    );
    for (const domain of ['other.test', 'gone.test', 'mailinator.com']) {
      expect(await router.route(domain)).toEqual({ queue: shared, batchSize: 10 });
    }
    // A throwaway-mail domain is never probed, so it is not looked up either.
    expect(asked).toEqual(['other.test', 'gone.test']);
  });

  it('looks a domain up once however often it is asked', async () => {
    let lookups = 0;
    const router = new ProbeRouter(
      runtime(async () => {
        lookups += 1;
        return mxAt('mx1.bigmail.test');
      }),
    );
    await Promise.all([router.route('a.test'), router.route('a.test'), router.route('a.test')]);
    await router.route('a.test');
    expect(lookups).toBe(1);
  });

  it('sends a domain whose lookup does not answer to the shared queue after a short wait', async () => {
    // The lookup never settles: without the router's own wait this test would time out.
    const router = new ProbeRouter(runtime(() => new Promise<MxLookup>(() => undefined)));
    expect(await router.route('silent.test')).toEqual({ queue: shared, batchSize: 10 });
    expect(router.settled('silent.test')).toBe(true);
  });
});
