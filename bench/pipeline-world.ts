/**
 * The list of the pipeline benchmark and the world it lives in: generateList's Zipf mix over
 * ordinary domains, where the biggest domains share a few MX providers (as company domains share
 * Google's and Microsoft's MX hosts) and the long tail runs its own MX hosts. No special domains
 * (tarpits, greylisting forever, …): their time is retry schedules and timeouts, not
 * throughput. The throttle policy is realistic: 3 sessions per provider by default, more for the
 * big shared providers, 50 RCPTs and 8 rejections per session.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Policy, type ProviderLimits, parsePolicy } from '../src/policy/policy.ts';
import { type GeneratedList, generateList } from '../src/sandbox/list-generator.ts';
import type { Scenario } from '../src/sandbox/scenario.ts';

export interface BenchListOptions {
  rows: number;
  domains: number;
  /** The biggest `sharedDomains` domains share `providers` MX providers; the rest host their own. */
  sharedDomains: number;
  providers: number;
  seed: number;
}

export const FULL_LIST: BenchListOptions = {
  rows: 20_000,
  domains: 200,
  sharedDomains: 40,
  providers: 4,
  seed: 7,
};

export const QUICK_LIST: BenchListOptions = { ...FULL_LIST, rows: 5_000 };

export function benchList(options: BenchListOptions): GeneratedList {
  const list = generateList({
    rows: options.rows,
    domains: options.domains,
    seed: options.seed,
    zipf: 1.1,
    providers: options.providers,
    specials: false,
    duplicateShare: 0.01,
    invalidShare: 0.005,
  });
  // generateList numbers domains by Zipf rank: company0 is the biggest. The tail gets its own MX.
  for (let i = options.sharedDomains; i < options.domains; i++) {
    const domain = list.scenario.domains[`company${i}.test`];
    if (domain) domain.mx = [{ host: `mx.company${i}.test` }];
  }
  return list;
}

export function withLatency(scenario: Scenario, latencyMs: number): Scenario {
  return { ...scenario, latencyMs };
}

export const DEFAULT_LIMITS: ProviderLimits = {
  maxConcurrentSessions: 3,
  // 1,200 a minute with a full bucket to start: never the bottleneck at these sizes (the
  // biggest provider needs a few hundred sessions); the bench prints the count to show it.
  connectionsPerMinute: 1200,
  maxRcptsPerSession: 50,
  maxRejectsPerSession: 8,
};

/** Sessions at once for the shared providers (company MX hosts at big providers take more). */
export const SHARED_PROVIDER_SESSIONS = 8;

export function benchPolicyDocument(options: BenchListOptions): unknown {
  return {
    defaults: DEFAULT_LIMITS,
    providers: Array.from({ length: options.providers }, (_, k) => ({
      match: `provider${k}.test`,
      maxConcurrentSessions: SHARED_PROVIDER_SESSIONS,
    })),
  };
}

/** Writes the THROTTLE_POLICY file into `dir`; returns its path and the parsed policy. */
export async function writeBenchPolicy(
  dir: string,
  options: BenchListOptions,
): Promise<{ file: string; policy: Policy }> {
  const document = benchPolicyDocument(options);
  const file = path.join(dir, 'throttle-policy.json');
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return { file, policy: parsePolicy(document, file) };
}

/** Env of every pipeline process in the bench (besides the world's, prefix and storage). */
export const BENCH_ENV: Record<string, string> = {
  HELO_NAME: 'bench.listclean.test',
  MAIL_FROM: 'verify@listclean.test',
  SMTP_CONNECT_TIMEOUT: '1s',
  SMTP_BANNER_TIMEOUT: '2s',
  SMTP_COMMAND_TIMEOUT: '2s',
  DNS_TIMEOUT: '1s',
  GREYLIST_RETRY_DELAYS: '200ms,400ms',
  WORKER_LOCK_DURATION: '10s',
  THROTTLE_LEASE_TTL: '10s',
  LOG_LEVEL: 'warn',
};
