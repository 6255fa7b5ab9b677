/**
 * Markdown for the pipeline benchmark: the world's list and policy, throughput, the naive
 * verifier, the ideal-schedule bound, where the slots' time went, memory and Redis commands.
 * Every number and parameter in the prose comes from the world (PipelineWorld) or the results
 * (PipelineBench).
 */
import type { ListStatus } from '../../src/pipeline/types.ts';
import { type IdealBound, perSlot, SETUP_REPLIES } from '../cases/ideal-bound.ts';
import { NAIVE_REPLIES } from '../cases/naive.ts';
import type { PipelineBench, PipelineRun } from '../cases/pipeline.ts';
import type { DriveResult } from '../harness/pipeline-driver.ts';
import { modesOf, type PipelineWorld, sessionSlots } from '../worlds/pipeline-world.ts';
import {
  and,
  cardinal,
  duration,
  int,
  mb,
  ms,
  percent,
  perSecond,
  seconds,
  share,
  span,
  table,
} from './markdown.ts';

/** When ingest finished: the `verifying` phase, or straight to `aggregating` if probes were done. */
export function ingestEnd(drive: DriveResult): number {
  return drive.phases.verifying ?? drive.phases.aggregating ?? drive.totalMs;
}

export function phaseMs(drive: DriveResult, from: ListStatus, to: ListStatus): number {
  return (drive.phases[to] ?? drive.totalMs) - (drive.phases[from] ?? 0);
}

function runLabel(run: PipelineRun): string[] {
  return [ms(run.latencyMs), run.mode];
}

export function boundSeconds(bench: PipelineBench, run: PipelineRun): number {
  return (bench.bound[run.mode].boundReplies * run.latencyMs) / 1000;
}

/** The bound at what a reply measurably costs in the sandbox (calibrate.ts). */
function measuredBoundSeconds(bench: PipelineBench, run: PipelineRun): number {
  const replyMs = bench.replyMs[run.latencyMs] ?? run.latencyMs;
  return (bench.bound[run.mode].boundReplies * replyMs) / 1000;
}

/** How the world's modes run, for "Every run: …". */
function describeModes(world: PipelineWorld): string {
  return modesOf(world)
    .map((mode) => {
      const spec = world.modes[mode];
      if (spec.inProcess) {
        return `"${mode}" is one process that submits and runs the workers (like \`listclean clean\`)`;
      }
      const processes = spec.processes === 1 ? 'process' : 'processes';
      return `"${mode}" is a submitting process plus ${cardinal(spec.processes)} \`listclean worker\` ${processes}`;
    })
    .join('; ');
}

function describeTimeouts(world: PipelineWorld): string {
  const { connect, banner, command } = world.env.smtpTimeouts;
  const rest =
    banner === command
      ? `${duration(banner)} banner/command`
      : `${duration(banner)} banner, ${duration(command)} command`;
  return `SMTP timeouts ${duration(connect)} connect, ${rest}`;
}

export function describeList(world: PipelineWorld, bench: PipelineBench): string {
  const list = world.list;
  const limits = world.limits;
  const unique = bench.uniqueAddresses;
  const top = bench.bound['in-process'].providers.slice(0, list.providers);
  const shares = top.map((p) => `${p.provider} ${percent(p.addresses / unique)}`).join(', ');
  const fewest = bench.bound['in-process'].slowest.sessions;
  const rate = limits.connectionsPerMinute;
  return [
    `${int(list.rows)} rows (${int(unique)} distinct valid addresses) over ${int(list.domains)} ` +
      `domains, generateList(zipf ${list.zipf}, specials: ${list.specials}, ` +
      `${share(list.duplicateShare)} duplicates, ${share(list.invalidShare)} invalid, ` +
      `${share(list.existingShare)} of addresses exist): the ${int(list.sharedDomains)} biggest ` +
      `domains share ${list.providers} MX providers (${shares} of the addresses), the other ` +
      `${int(list.domains - list.sharedDomains)} domains each run their own MX host.` +
      (list.specials
        ? ''
        : ' No special domains (tarpits, greylisting, …): their time is timeouts and retry ' +
          'schedules, not throughput.'),
    `THROTTLE_POLICY: defaults maxConcurrentSessions ${limits.maxConcurrentSessions}, ` +
      `connectionsPerMinute ${rate}, maxRcptsPerSession ${limits.maxRcptsPerSession}, ` +
      `maxRejectsPerSession ${limits.maxRejectsPerSession}; the ${list.providers} shared ` +
      `providers maxConcurrentSessions ${world.sharedProviderSessions}, each therefore a ` +
      'provider pool (a probe queue of its own, global concurrency ' +
      `${world.sharedProviderSessions}). ` +
      (fewest <= rate
        ? `The connection rate is not a bottleneck: a full bucket of ${rate} and the busiest ` +
          `provider needs ${fewest} sessions at least. `
        : `The connection rate can be a bottleneck: the busiest provider needs ${fewest} ` +
          `sessions at least, more than a full bucket of ${rate}. `) +
      `${describeTimeouts(world)}; GREYLIST_RETRY_DELAYS ${world.env.greylistRetryDelays.join(',')}; ` +
      `WORKER_CONCURRENCY ${bench.workerConcurrency} per process (the shared queue's job slots) ` +
      `plus the pools' ${bench.poolSessions} across all processes.`,
    'Every run: a fresh REDIS_PREFIX (so no cached verdicts) and storage directory, the sandbox ' +
      `world in the bench process, the pipeline in child processes: ${describeModes(world)}.`,
  ].join('\n\n');
}

export function throughputTable(world: PipelineWorld, bench: PipelineBench): string {
  const rows = bench.runs.map((run) => {
    const d = run.drive;
    return [
      ...runLabel(run),
      seconds(d.totalMs),
      perSecond(world.list.rows, d.totalMs),
      seconds(ingestEnd(d) - (d.phases.ingesting ?? 0)),
      seconds(phaseMs(d, 'ingesting', 'aggregating')),
      seconds(phaseMs(d, 'aggregating', 'done')),
      int(run.sessions),
      int(run.rcpts),
      `${run.peakSessions} (${run.biggestProviderPeak})`,
      `${seconds(run.cpuMs)} / ${percent(run.sandboxEventLoop)}`,
      run.mismatches === 0 ? 'yes' : `no: ${run.mismatches} rows differ`,
    ];
  });
  return table(
    [
      'latency',
      'workers',
      'submit → reports',
      'addresses/s',
      'ingest',
      'ingest start → probes done',
      'aggregate',
      'SMTP sessions',
      'RCPTs',
      'peak open sessions (biggest provider)',
      'pipeline CPU / sandbox event loop busy',
      'verdicts = truth',
    ],
    rows,
    '---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---',
  );
}

/** Seconds the naive loop needs at least under the policy's connection budget (token bucket). */
function rateBoundSeconds(bench: PipelineBench): {
  seconds: number;
  provider: string;
  rate: number;
} {
  let worst = { seconds: 0, provider: '', rate: 0 };
  for (const p of bench.bound['in-process'].providers) {
    const rate = p.connectionsPerMinute;
    const needed = Math.max(0, p.addresses - rate) / (rate / 60);
    if (needed > worst.seconds) worst = { seconds: needed, provider: p.provider, rate };
  }
  return worst;
}

/**
 * The naive loop's ideal-schedule bound in units of L: NAIVE_REPLIES per address (banner, EHLO,
 * MAIL, RCPT, QUIT), per provider spread over its session limit, and all of it over the loop's
 * concurrency; the larger bounds.
 */
function naiveBoundReplies(bench: PipelineBench): number {
  const replies = NAIVE_REPLIES.length;
  const providers = bench.bound['in-process'].providers;
  const perProvider = Math.max(
    ...providers.map((p) => (replies * p.addresses) / Math.min(p.concurrency, p.addresses)),
  );
  const total = (replies * providers.reduce((n, p) => n + p.addresses, 0)) / bench.naiveConcurrency;
  return Math.max(perProvider, total);
}

export function naiveTable(world: PipelineWorld, bench: PipelineBench): string {
  const rows = bench.naive.map((n) => {
    const ours = bench.runs.find((r) => r.latencyMs === n.latencyMs && r.mode === 'in-process');
    const oursMs = ours?.drive.totalMs ?? Number.NaN;
    return [
      ms(n.latencyMs),
      seconds(n.result.ms),
      perSecond(n.result.addresses, n.result.ms),
      int(n.sessions),
      seconds(oursMs),
      perSecond(n.result.addresses, oursMs),
      int(ours?.sessions ?? 0),
      `${(n.result.ms / oursMs).toFixed(1)}×`,
    ];
  });
  const replies = NAIVE_REPLIES.join(', ');
  const naiveLatencies = bench.naive.map((n) => n.latencyMs);
  const skipped = world.latenciesMs.filter((l) => !naiveLatencies.includes(l));
  const capped = rateBoundSeconds(bench);
  const target = world.targets.naiveSpeedup;
  const naiveFloor = naiveBoundReplies(bench) * world.boundLatencyMs;
  const oursFloor = bench.bound['in-process'].boundReplies * world.boundLatencyMs;
  const ceiling = naiveFloor / oursFloor;
  return [
    'The naive verifier is a **minimal naive loop written for this bench** (bench/cases/naive.ts), ' +
      'not a real product: deep-email-validator cannot be pointed at the sandbox’s DNS server ' +
      'and SMTP port. It opens one SMTP connection per distinct address (verifyDomainRound with ' +
      `one address per call: ${replies}; no catch-all probe), ` +
      `${bench.naiveConcurrency} at once — the session concurrency of our in-process workers ` +
      `(${bench.workerConcurrency} shared job slots + ${bench.poolSessions} pool slots) — ` +
      'under the same per-provider session limits, but with the connection-rate budget lifted. ' +
      'Its time covers verification only; ours is submit → reports in storage (ingest and ' +
      `aggregate included). It runs at ${and(naiveLatencies.map(ms))}` +
      (skipped.length > 0
        ? ` only (at ${and(skipped.map(ms))} it would take over a minute of the bench’s budget).`
        : '.'),
    '',
    table(
      [
        'latency',
        'naive wall',
        'naive addresses/s',
        'naive connections',
        'listclean wall (in-process)',
        'listclean addresses/s',
        'listclean sessions',
        'speed-up',
      ],
      rows,
    ),
    '',
    `The ceiling at equal session limits: a perfect schedule of the naive loop at ${ms(world.boundLatencyMs)} ` +
      `needs ${seconds(naiveFloor)} (${NAIVE_REPLIES.length} replies per address: ${replies}; the ` +
      'slowest provider, or all the work over its concurrency), a perfect schedule of ours ' +
      `${seconds(oursFloor)} (section c): ${ceiling.toFixed(1)}×. No schedule, however good, ` +
      'gets further from the naive loop than that, ' +
      (ceiling < target
        ? `so the ${target}× target cannot be met under these rules; what separates a verifier ` +
          'that shares sessions from one that does not is the connection budget below.'
        : `so the ${target}× target is within a good schedule's reach.`),
    '',
    capped.seconds > 0
      ? 'Under the policy’s connection budget as well (a full bucket of ' +
        `${capped.rate} then ${capped.rate} a minute per provider) the naive loop could not ` +
        `finish in less than ${seconds(capped.seconds * 1000)}, whatever the latency: ` +
        `${capped.provider} alone needs one connection per address.`
      : 'Under the policy’s connection budget as well (a full bucket of ' +
        `${world.limits.connectionsPerMinute} then ${world.limits.connectionsPerMinute} a minute ` +
        'per provider) the naive loop would not wait: no provider has more addresses than a ' +
        'full bucket.',
  ].join('\n');
}

function slowestProviders(bound: IdealBound, latencyMs: number): string {
  const rows = bound.providers
    .slice(0, 5)
    .map((p) => [
      p.provider,
      p.domains,
      int(p.addresses),
      int(p.sessions),
      p.concurrency,
      seconds(perSlot(p) * latencyMs),
    ]);
  return table(
    ['provider', 'domains', 'addresses', 'fewest sessions', 'sessions at once', 'bound'],
    rows,
  );
}

export function boundTable(world: PipelineWorld, bench: PipelineBench): string {
  const runs = bench.runs.filter((r) => r.latencyMs > 0);
  const rows = runs.map((run) => {
    const bound = bench.bound[run.mode];
    const slots = sessionSlots(world.modes[run.mode], bench.poolSessions);
    const total = bound.providers.reduce((n, p) => n + p.replies, 0);
    const boundMs = boundSeconds(bench, run) * 1000;
    const measuredMs = measuredBoundSeconds(bench, run) * 1000;
    return [
      ...runLabel(run),
      seconds(boundMs),
      `${bound.boundBy} (${bound.slowest.provider} ${seconds(perSlot(bound.slowest) * run.latencyMs)}; ` +
        `all work / ${slots} sessions ${seconds((total * run.latencyMs) / slots)})`,
      seconds(run.drive.totalMs),
      percent(boundMs / run.drive.totalMs),
      `${seconds(measuredMs)}: ${percent(measuredMs / run.drive.totalMs)}`,
    ];
  });
  const inProcess = bench.bound['in-process'];
  const latency = world.boundLatencyMs;
  const replyMs = bench.replyMs[latency];
  const shown = [...new Set(runs.map((r) => r.latencyMs))].map(ms);
  const cpuBound = world.latenciesMs.includes(0)
    ? `At ${ms(0)} the bound is 0 (the runs are CPU-bound), so only ${and(shown)} ` +
      `${shown.length === 1 ? 'is' : 'are'} shown. `
    : '';
  return [
    'Per provider: (RCPTs × L + fewest sessions × ' +
      `${SETUP_REPLIES} L) / min(its sessions at once, its sessions), where RCPTs include one ` +
      'catch-all probe per domain and the fewest sessions are ' +
      `max(⌈RCPTs / ${world.limits.maxRcptsPerSession}⌉, ⌈rejections / ` +
      `${world.limits.maxRejectsPerSession}⌉) per domain (one domain per session); the slowest ` +
      'provider bounds the list, and so does all the work over the total session concurrency ' +
      `(${bench.workerConcurrency} shared probe jobs per process plus ${bench.poolSessions} pool ` +
      'jobs, one session each). L = reply latency; DNS, TCP and CPU are free. ' +
      `${cpuBound}The bound needs ${int(inProcess.totalSessions)} sessions in all. One idle ` +
      `sandbox session measures ${(replyMs ?? 0).toFixed(1)} ms per reply at ${ms(latency)} ` +
      'latency (Node timers fire late; calibrate.ts), so the last column shows the bound at ' +
      'that cost too. The targets use the nominal latency.',
    '',
    table(
      [
        'latency',
        'workers',
        'ideal bound',
        'bounded by',
        'ours',
        'bound / ours',
        `bound at ${(replyMs ?? latency).toFixed(1)} ms/reply: bound / ours`,
      ],
      rows,
      '---|---|---:|---|---:|---:|---:',
    ),
    '',
    `Providers with the longest share at ${ms(latency)}:`,
    '',
    slowestProviders(inProcess, latency),
  ].join('\n');
}

export function slotTable(world: PipelineWorld, bench: PipelineBench): string {
  const rows = bench.runs.flatMap((run) => {
    const slots = run.drive.slots;
    if (!slots) return [];
    const d = run.drive;
    const windowMs = phaseMs(d, 'ingesting', 'aggregating');
    const available = (world.modes[run.mode].jobSlots + bench.poolSessions) * windowMs;
    const biggest = bench.bound['in-process'].slowest;
    const biggestMs = slots.sessionMsByProvider[biggest.provider] ?? 0;
    const other = available - slots.sessionMs - slots.gateWaitMs - slots.catchAllWaitMs;
    return [
      [
        ...runLabel(run),
        percent(biggestMs / (biggest.concurrency * windowMs)),
        percent(slots.sessionMs / available),
        percent(slots.gateWaitMs / available),
        percent(slots.catchAllWaitMs / available),
        percent(other / available),
        `${slots.throttled} / ${slots.gateWaits}`,
        `${slots.catchAllUnanswered} / ${slots.catchAllWaits}`,
      ],
    ];
  });
  return [
    'Where the in-process probe workers’ time went between ingest start and aggregate start ' +
      '(job slots — shared and pool — × that window), measured by wrapping the runtime’s ' +
      'session gates and catch-all store in the bench (src untouched). "Biggest provider busy" is ' +
      'its session time over its sessions-at-once × the window.',
    '',
    table(
      [
        'latency',
        'workers',
        'biggest provider busy',
        'slots in SMTP sessions',
        'slots waiting for a session slot',
        'slots waiting for a catch-all answer',
        'other (queue, Redis, idle)',
        'gate waits re-queued / all',
        'catch-all waits unanswered / all',
      ],
      rows,
      '---|---|---:|---:|---:|---:|---:|---:|---:',
    ),
  ].join('\n');
}

/** The biggest provider's open sessions per second of each run at the bound latency. */
export function biggestTimeline(world: PipelineWorld, bench: PipelineBench): string {
  const biggest = bench.bound['in-process'].slowest;
  const lines = bench.runs
    .filter((run) => run.latencyMs === world.boundLatencyMs)
    .map(
      (run) =>
        `- ${run.mode}: ${run.biggestPerSecond.map((n) => n.toFixed(0)).join(' ')} ` +
        `(submit at ${seconds(run.drive.submitAtMs)})`,
    );
  return [
    `${biggest.provider}’s open sessions (limit ${biggest.concurrency}), averaged over each ` +
      `second from the start of the pipeline process, at ${ms(world.boundLatencyMs)}:`,
    '',
    ...lines,
  ].join('\n');
}

export function memoryTable(world: PipelineWorld, bench: PipelineBench): string {
  const perRow = (bytes: number) => int(bytes / world.list.rows);
  const rows = bench.runs.map((run) => {
    const r = run.drive.redis;
    const k = run.keys;
    return [
      ...runLabel(run),
      run.rss.map((p) => `${p.process} ${mb(p.bytes)}`).join(', '),
      perRow(r.afterIngest - r.before),
      perRow(r.peak - r.before),
      perRow(r.end - r.before),
      `${perRow(k.verdictCache + k.list + k.bullmq + k.other)} = cache ${perRow(k.verdictCache)} + ` +
        `list ${perRow(k.list)} + BullMQ ${perRow(k.bullmq)} + other ${perRow(k.other)}`,
    ];
  });
  return [
    'Peak RSS: the in-process/submitting process reports its own maxRSS; the workers’ VmHWM is ' +
      'read from /proc at the end. Redis: INFO used_memory minus its value before submit, per ' +
      'row (Redis is shared: other clients add noise). The last column sums MEMORY USAGE over ' +
      'the run’s own keys at the end (exact): the global verdict cache, the list’s keys (results ' +
      `hash, metadata), BullMQ (completed probe jobs are kept ${span(bench.completedJobsKeptS)} ` +
      'with their addresses) and the rest (catch-all answers, gates, metrics).',
    '',
    table(
      [
        'latency',
        'workers',
        'peak RSS per process',
        'Redis B/row after ingest',
        'B/row at peak',
        'B/row at end',
        'own keys at end, B/row',
      ],
      rows,
      '---|---|---|---:|---:|---:|---',
    ),
  ].join('\n');
}

export function commandTable(world: PipelineWorld, bench: PipelineBench): string {
  const n = world.list.rows;
  const rows = bench.runs.map((run) => {
    const c = run.drive.commands;
    return [
      ...runLabel(run),
      (c.total / n).toFixed(2),
      c.byCommand
        .slice(0, 6)
        .map(([name, calls]) => `${name} ${(calls / n).toFixed(2)}`)
        .join(', '),
    ];
  });
  return [
    'INFO commandstats calls during the run, per row: each EVALSHA and every command a script ' +
      'runs count (Redis 7.0); the bench’s own INFO and polling are left out, other clients of ' +
      'the shared Redis would add to it.',
    '',
    table(
      ['latency', 'workers', 'calls/row', 'top commands (calls/row)'],
      rows,
      '---|---|---:|---',
    ),
  ].join('\n');
}

/** The whole pipeline section, its heading first. */
export function pipelineSection(world: PipelineWorld, bench: PipelineBench): string {
  return [
    `## Pipeline: ${int(world.list.rows)} addresses, submit → reports`,
    describeList(world, bench),
    '### (a) Throughput end to end',
    throughputTable(world, bench),
    '### (b) A naive verifier on the same list',
    naiveTable(world, bench),
    '### (c) Ideal-schedule bound',
    boundTable(world, bench),
    slotTable(world, bench),
    biggestTimeline(world, bench),
    '### (d) Memory',
    memoryTable(world, bench),
    '### (e) Redis commands',
    commandTable(world, bench),
  ].join('\n\n');
}
