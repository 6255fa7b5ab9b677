/**
 * The bench report builds its prose from the worlds' parameters and the cases' results, never
 * from literals: fabricated results for worlds with unusual parameters must show those values
 * (and none of the real worlds' values) in the text.
 */
import { describe, expect, it } from 'vitest';
import type { IdealBound, ProviderWork } from '../../bench/cases/ideal-bound.ts';
import type { MillionBench } from '../../bench/cases/million.ts';
import type { PipelineBench, PipelineRun } from '../../bench/cases/pipeline.ts';
import type { VerifySessionsBench } from '../../bench/cases/verify-sessions.ts';
import type { DriveResult } from '../../bench/harness/pipeline-driver.ts';
import { type BenchResults, renderReport } from '../../bench/report/index.ts';
import { BIG_LIST, type BigListWorld } from '../../bench/worlds/big-list.ts';
import { ONE_DOMAIN_WORLD, type OneDomainWorld } from '../../bench/worlds/one-domain.ts';
import {
  type Mode,
  PIPELINE_WORLD,
  type PipelineWorld,
} from '../../bench/worlds/pipeline-world.ts';

const MB = 1024 * 1024;

const pipelineWorld: PipelineWorld = {
  list: {
    rows: 4_321,
    domains: 37,
    sharedDomains: 11,
    providers: 3,
    seed: 99,
    zipf: 1.3,
    specials: false,
    existingShare: 0.71,
    duplicateShare: 0.02,
    invalidShare: 0.007,
  },
  latenciesMs: [0, 13],
  boundLatencyMs: 13,
  limits: {
    maxConcurrentSessions: 5,
    connectionsPerMinute: 777,
    maxRcptsPerSession: 43,
    maxRejectsPerSession: 6,
  },
  sharedProviderSessions: 9,
  modes: {
    'in-process': { inProcess: true, processes: 1, jobSlots: 17 },
    '2 workers': { inProcess: false, processes: 3, jobSlots: 17 },
  },
  env: {
    ...PIPELINE_WORLD.env,
    smtpTimeouts: { connect: '3s', banner: '4s', command: '5s' },
    greylistRetryDelays: ['150ms', '350ms', '900ms'],
  },
  targets: { boundShare: 0.66, naiveSpeedup: 7 },
};

const bigWorld: BigListWorld = {
  ...BIG_LIST,
  rows: 54_321,
  domains: 12_345,
  zipf: 0.9,
  uncachedEvery: 13,
  probeBatch: 41,
  targets: { peakRssBytes: 321 * MB },
};

const oneDomainWorld: OneDomainWorld = {
  ...ONE_DOMAIN_WORLD,
  existing: 70,
  missing: 9,
  latencyMs: 13,
  naiveConcurrency: [1, 6],
};

function provider(name: string, addresses: number, sessions: number, concurrency: number) {
  return {
    provider: name,
    domains: 4,
    addresses,
    sessions,
    concurrency,
    connectionsPerMinute: 777,
    replies: addresses + 4 * sessions,
  } satisfies ProviderWork;
}

const providers = [
  provider('provider0.test', 1_500, 40, 9),
  provider('provider1.test', 900, 24, 9),
  provider('provider2.test', 700, 19, 9),
  provider('company12.test', 30, 1, 5),
];

function bound(slots: number): IdealBound {
  const slowest = providers[0] as ProviderWork;
  const byProvider = slowest.replies / slowest.concurrency;
  const total = providers.reduce((n, p) => n + p.replies, 0) / slots;
  return {
    providers,
    slowest,
    boundReplies: Math.max(byProvider, total),
    boundBy: byProvider >= total ? 'provider' : 'total concurrency',
    totalSessions: providers.reduce((n, p) => n + p.sessions, 0),
  };
}

function drive(totalMs: number, inProcess: boolean): DriveResult {
  const phase = { rss: 210 * MB, heapUsed: 90 * MB };
  return {
    rows: 4_321,
    unique: 4_200,
    cached: 0,
    totalMs,
    submitAtMs: 700,
    phases: {
      queued: 0,
      ingesting: 150,
      verifying: 900,
      aggregating: totalMs - 400,
      done: totalMs,
    },
    redis: { before: 1e6, afterIngest: 1.5e6, peak: 4e6, end: 3.5e6 },
    commands: {
      total: 30_000,
      byCommand: [
        ['sadd', 8_600],
        ['set', 4_400],
      ],
    },
    maxRss: 230 * MB,
    summary: null,
    memoryByPhase: { queued: phase, ingesting: phase, aggregating: phase },
    probeJobs: 210,
    eventLoop: 0.3,
    cpuMs: 2_500,
    slots: inProcess
      ? {
          sessions: 84,
          sessionMs: 40_000,
          sessionMsByProvider: { 'provider0.test': 12_000 },
          gateWaits: 84,
          gateWaitMs: 100,
          throttled: 0,
          catchAllWaits: 11,
          catchAllWaitMs: 900,
          catchAllUnanswered: 0,
        }
      : null,
  };
}

function run(latencyMs: number, mode: Mode, totalMs: number): PipelineRun {
  return {
    latencyMs,
    mode,
    drive: drive(totalMs, mode === 'in-process'),
    rss: [{ process: 'clean (in-process)', bytes: 230 * MB }],
    cpuMs: 2_600,
    sessions: 84,
    rcpts: 4_230,
    peakSessions: 41,
    biggestPerSecond: [0, 6, 9, 9, 3],
    biggestProviderPeak: 9,
    sandboxEventLoop: 0.11,
    keys: { verdictCache: 900_000, list: 1_200_000, bullmq: 300_000, other: 20_000 },
    mismatches: 0,
  };
}

const pipelineBench: PipelineBench = {
  uniqueAddresses: 4_200,
  workerConcurrency: 17,
  poolSessions: 27,
  naiveConcurrency: 44,
  completedJobsKeptS: 7_200,
  biggestHost: 'mx.provider0.test',
  runs: [
    run(0, 'in-process', 2_100),
    run(0, '2 workers', 2_200),
    run(13, 'in-process', 3_100),
    run(13, '2 workers', 3_300),
  ],
  naive: [
    {
      latencyMs: 13,
      sessions: 4_100,
      result: { addresses: 4_100, ms: 11_900, byReason: {}, maxRss: 150 * MB },
    },
  ],
  bound: { 'in-process': bound(44), '2 workers': bound(61) },
  replyMs: { 0: 0.4, 13: 13.7 },
};

function million(uncached: number): MillionBench {
  return {
    truth: {
      bytes: 4 * MB,
      rows: 54_321,
      unique: 53_000,
      uncached,
      duplicates: 500,
      minProbeJobs: 140,
      byReason: {},
    },
    generateMs: 800,
    cacheBytes: 9 * MB,
    drive: { ...drive(9_000, true), maxRss: 280 * MB, cached: 53_000 - uncached },
    mismatches: 0,
  };
}

const verifyBench: VerifySessionsBench = {
  rows: [
    { variant: 'pipelining', ms: 1_100, sessions: 3, rcpts: 80, maxConcurrent: 2 },
    { variant: 'no pipelining', ms: 1_000, sessions: 3, rcpts: 80, maxConcurrent: 2 },
    { variant: 'cli', ms: 1_900, sessions: 3, rcpts: 80, maxConcurrent: 2 },
    { variant: 'naive', concurrency: 1, ms: 30_000, sessions: 79, rcpts: 79, maxConcurrent: 1 },
    { variant: 'naive', concurrency: 6, ms: 9_000, sessions: 79, rcpts: 79, maxConcurrent: 5 },
  ],
};

function results(world: PipelineWorld = pipelineWorld): BenchResults {
  return {
    quick: true,
    machine: {
      node: 'v0.0.0',
      cores: 3,
      cpu: 'test CPU',
      ramGb: 5,
      platform: 'linux',
      release: 'test',
      startedAt: '2000-01-01T00:00:00.000Z',
      commit: 'abcdef0',
      load: '0.10 0.20 0.30',
    },
    pipeline: { world, bench: pipelineBench },
    millions: [
      { world: bigWorld, bench: million(2_345) },
      { world: { ...bigWorld, uncachedEvery: 1 }, bench: million(53_000) },
    ],
    verifySessions: { world: oneDomainWorld, bench: verifyBench },
    wallMs: 123_000,
    loadAtEnd: '0.40 0.50 0.60',
  };
}

describe('bench report', () => {
  const text = renderReport(results());

  it('prints every section, in order', () => {
    const headings = text.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# listclean bench (--quick)',
      '## Pipeline: 4,321 addresses, submit → reports',
      '### (a) Throughput end to end',
      '### (b) A naive verifier on the same list',
      '### (c) Ideal-schedule bound',
      '### (d) Memory',
      '### (e) Redis commands',
      '## 54,321-row CSV (a hygiene re-run): ingest, probes and aggregate',
      '## 54,321-row CSV (a new list, nothing cached): ingest, probes and aggregate',
      '## 79 addresses at one domain (70 exist, 9 do not), 13 ms sandbox reply latency',
      '## Targets',
    ]);
    expect(text).not.toMatch(/undefined|NaN/);
  });

  it('describes the pipeline world from its parameters', () => {
    for (const phrase of [
      '4,321 rows (4,200 distinct valid addresses) over 37 domains',
      'generateList(zipf 1.3, specials: false, 2 % duplicates, 0.7 % invalid, 71 % of addresses exist)',
      'the 11 biggest domains share 3 MX providers',
      'the other 26 domains each run their own MX host',
      'defaults maxConcurrentSessions 5, connectionsPerMinute 777, maxRcptsPerSession 43, maxRejectsPerSession 6',
      'the 3 shared providers maxConcurrentSessions 9',
      'global concurrency 9',
      'a full bucket of 777 and the busiest provider needs 40 sessions at least',
      'SMTP timeouts 3 s connect, 4 s banner, 5 s command',
      'GREYLIST_RETRY_DELAYS 150ms,350ms,900ms',
      'WORKER_CONCURRENCY 17 per process',
      'plus three `listclean worker` processes',
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it('names the latencies, limits and targets it was given', () => {
    for (const phrase of [
      'It runs at 13 ms only (at 0 ms it would take',
      'a perfect schedule of the naive loop at 13 ms',
      'so the 7× target cannot be met',
      'a full bucket of 777 then 777 a minute per provider',
      'max(⌈RCPTs / 43⌉, ⌈rejections / 6⌉)',
      'so only 13 ms is shown',
      'measures 13.7 ms per reply at 13 ms latency',
      'Providers with the longest share at 13 ms:',
      'provider0.test’s open sessions (limit 9), averaged over each second from the start of the pipeline process, at 13 ms:',
      'completed probe jobs are kept 2 h',
      '| ≥ 66 % of the ideal bound at 13 ms (in-process) |',
      '| ≥ 7× the naive verifier at 13 ms |',
      '54,321-row ingest + aggregate peak RSS < 321 MB per process (hygiene re-run)',
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it('describes the big lists and the one-domain world from their parameters', () => {
    for (const phrase of [
      'over 12,345 domains (Zipf 0.9)',
      'except those at every 13th domain (2,345 addresses)',
      'a world of 12,345 SMTP hosts is out of reach',
      'A new list: nothing is cached, so all 53,000 addresses are probed.',
      'probe jobs run (fewest possible: ⌈addresses / 41⌉ per domain)',
      '| naive: one connection per address, 6 at once |',
      '| naive: one connection per address, sequential |',
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it('states none of the real worlds’ parameters', () => {
    for (const literal of [
      '20 ms',
      '200 domains',
      '50,000',
      '⌈RCPTs / 50⌉',
      '⌈addresses / 50⌉',
      '1200',
      '≥ 75 %',
      '≥ 5×',
      'the 5× target',
      '400 MB',
      '20th',
      '24 h',
      '90 exist',
      '8 at once',
      '1 s connect',
      '200ms,400ms',
      'two `listclean worker`',
    ]) {
      expect(text).not.toContain(literal);
    }
  });

  it('draws its conclusions from the numbers', () => {
    const reachable = renderReport(
      results({ ...pipelineWorld, targets: { boundShare: 0.66, naiveSpeedup: 2 } }),
    );
    expect(reachable).toContain('so the 2× target is within a good schedule');
    expect(reachable).not.toContain('cannot be met');
    const tight = renderReport(
      results({ ...pipelineWorld, limits: { ...pipelineWorld.limits, connectionsPerMinute: 9 } }),
    );
    expect(tight).toContain(
      'The connection rate can be a bottleneck: the busiest provider needs 40 sessions at least, more than a full bucket of 9.',
    );
  });
});
