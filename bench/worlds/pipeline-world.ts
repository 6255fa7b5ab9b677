/**
 * The list of the pipeline benchmark and the world it lives in: generateList's Zipf mix over
 * ordinary domains, where the biggest domains share a few MX providers (as company domains share
 * Google's and Microsoft's MX hosts) and the long tail runs its own MX hosts. No special domains
 * (tarpits, greylisting forever, …): their time is retry schedules and timeouts, not
 * throughput. The throttle policy is realistic: a few sessions per provider by default, more for
 * the big shared providers, a budget of RCPTs and rejections per session.
 *
 * Every parameter is in PIPELINE_WORLD (PIPELINE_WORLD_QUICK for `--quick`); the case and the
 * report read them from there.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Policy, type ProviderLimits, parsePolicy } from '../../src/policy/policy.ts';
import { type GeneratedList, generateList } from '../../src/sandbox/lists/list-generator.ts';
import type { Scenario } from '../../src/sandbox/scenario/scenario.ts';
import { PROCESS_ENV, type ProcessEnvParams } from './process-env.ts';

/** How the pipeline is deployed for a run. */
export type Mode = 'in-process' | '2 workers';

export interface ModeSpec {
  /** Workers in the submitting process (else `listclean worker` processes). */
  inProcess: boolean;
  processes: number;
  /** WORKER_CONCURRENCY. */
  jobSlots: number;
}

export interface BenchListOptions {
  rows: number;
  domains: number;
  /** The biggest `sharedDomains` domains share `providers` MX providers; the rest host their own. */
  sharedDomains: number;
  providers: number;
  seed: number;
  /** generateList's options. */
  zipf: number;
  specials: boolean;
  existingShare: number;
  duplicateShare: number;
  invalidShare: number;
}

export interface PipelineWorld {
  list: BenchListOptions;
  /** Sandbox reply latencies the pipeline runs at, in order. */
  latenciesMs: number[];
  /**
   * The latency (one of latenciesMs) of the naive loop's run, the ideal bound, the biggest
   * provider's timeline and the targets.
   */
  boundLatencyMs: number;
  /** THROTTLE_POLICY defaults. */
  limits: ProviderLimits;
  /** Sessions at once for the shared providers (company MX hosts at big providers take more). */
  sharedProviderSessions: number;
  /** Each mode is one run per latency, in this order. */
  modes: Record<Mode, ModeSpec>;
  env: ProcessEnvParams;
  targets: {
    /** Ideal bound / our wall time at boundLatencyMs, at least. */
    boundShare: number;
    /** The naive loop's wall time / ours, at least. */
    naiveSpeedup: number;
  };
  /**
   * The pipelined case (cases/pipelined.ts): the same list and policy against hosts that offer
   * PIPELINING with the latency per round trip (`latencyModel: 'round-trip'`), held to the
   * pipelined bound, and the naive loop under equal session limits and under the same policy.
   */
  pipelined?: PipelinedSpec;
}

export interface PipelinedSpec {
  latencyMs: number;
  targets: {
    /** Pipelined bound / our wall time, at least (each mode). */
    boundShare: number;
    /** The naive loop under the same policy (sessions and connections per minute) / ours. */
    naiveBudgetSpeedup: number;
  };
}

export const PIPELINE_WORLD: PipelineWorld = {
  list: {
    rows: 20_000,
    domains: 200,
    sharedDomains: 40,
    providers: 4,
    seed: 7,
    zipf: 1.1,
    specials: false,
    existingShare: 0.8,
    duplicateShare: 0.01,
    invalidShare: 0.005,
  },
  latenciesMs: [0, 20],
  // The naive loop runs at 20 ms only: at 0 ms it would take over a minute of the bench's budget.
  boundLatencyMs: 20,
  limits: {
    maxConcurrentSessions: 3,
    // 1,200 a minute with a full bucket to start: never the bottleneck at these sizes (the
    // biggest provider needs a few hundred sessions); the bench prints the count to show it.
    connectionsPerMinute: 1200,
    maxRcptsPerSession: 50,
    maxRejectsPerSession: 8,
  },
  sharedProviderSessions: 8,
  modes: {
    'in-process': { inProcess: true, processes: 1, jobSlots: 32 },
    '2 workers': { inProcess: false, processes: 2, jobSlots: 32 },
  },
  env: PROCESS_ENV,
  targets: { boundShare: 0.75, naiveSpeedup: 5 },
  pipelined: { latencyMs: 20, targets: { boundShare: 0.8, naiveBudgetSpeedup: 10 } },
};

export const PIPELINE_WORLD_QUICK: PipelineWorld = {
  ...PIPELINE_WORLD,
  list: { ...PIPELINE_WORLD.list, rows: 5_000 },
};

export function pipelineWorld(quick: boolean): PipelineWorld {
  return quick ? PIPELINE_WORLD_QUICK : PIPELINE_WORLD;
}

export function modesOf(world: PipelineWorld): Mode[] {
  return Object.keys(world.modes) as Mode[];
}

/**
 * Session concurrency the workers of a mode can hold, one session per probe job: the shared
 * queue's job slots in every process, plus the provider pools' (capped across processes).
 */
export function sessionSlots(spec: ModeSpec, poolSessions: number): number {
  return spec.processes * spec.jobSlots + poolSessions;
}

export function benchList(options: BenchListOptions): GeneratedList {
  const list = generateList({
    rows: options.rows,
    domains: options.domains,
    seed: options.seed,
    zipf: options.zipf,
    providers: options.providers,
    specials: options.specials,
    existingShare: options.existingShare,
    duplicateShare: options.duplicateShare,
    invalidShare: options.invalidShare,
  });
  // generateList numbers domains by Zipf rank: company0 is the biggest. The tail gets its own MX.
  for (let i = options.sharedDomains; i < options.domains; i++) {
    const domain = list.scenario.domains[`company${i}.test`];
    if (domain) domain.mx = [{ host: `mx.company${i}.test` }];
  }
  return list;
}

export function withLatency(
  scenario: Scenario,
  latencyMs: number,
  latencyModel: Scenario['latencyModel'] = 'per-reply',
): Scenario {
  return { ...scenario, latencyMs, latencyModel };
}

export function benchPolicyDocument(world: PipelineWorld): unknown {
  return {
    defaults: world.limits,
    providers: Array.from({ length: world.list.providers }, (_, k) => ({
      match: `provider${k}.test`,
      maxConcurrentSessions: world.sharedProviderSessions,
    })),
  };
}

/** Writes the THROTTLE_POLICY file into `dir`; returns its path and the parsed policy. */
export async function writeBenchPolicy(
  dir: string,
  world: PipelineWorld,
): Promise<{ file: string; policy: Policy }> {
  const document = benchPolicyDocument(world);
  const file = path.join(dir, 'throttle-policy.json');
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return { file, policy: parsePolicy(document, file) };
}
