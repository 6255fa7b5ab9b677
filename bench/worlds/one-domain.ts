/**
 * The world of the verify-sessions case: one sandbox domain with one MX host, some addresses
 * that exist and some that do not, a fixed reply latency. Every parameter is in ONE_DOMAIN_WORLD;
 * the case and the report read them from there.
 */
import type { Scenario } from '../../src/sandbox/scenario/scenario.ts';

export interface OneDomainWorld {
  domain: string;
  mxHost: string;
  /** Addresses whose mailbox exists (user0, user1, …) and that do not (nobody0, …). */
  existing: number;
  missing: number;
  latencyMs: number;
  /** verifyAddresses' concurrency (domains at once). */
  concurrency: number;
  /** Connections at once of each naive variant (one connection per address). */
  naiveConcurrency: number[];
}

export const ONE_DOMAIN_WORLD: OneDomainWorld = {
  domain: 'bench.test',
  mxHost: 'mx.bench.test',
  existing: 90,
  missing: 10,
  latencyMs: 20,
  concurrency: 8,
  naiveConcurrency: [1, 8],
};

function mailboxes(world: OneDomainWorld): string[] {
  return Array.from({ length: world.existing }, (_, i) => `user${i}`);
}

/** The addresses to verify: those that exist, then those that do not. */
export function oneDomainAddresses(world: OneDomainWorld): string[] {
  return [
    ...mailboxes(world).map((local) => `${local}@${world.domain}`),
    ...Array.from({ length: world.missing }, (_, i) => `nobody${i}@${world.domain}`),
  ];
}

export function oneDomainScenario(world: OneDomainWorld): Scenario {
  return {
    latencyMs: world.latencyMs,
    domains: { [world.domain]: { mx: [{ host: world.mxHost }], mailboxes: mailboxes(world) } },
  };
}
