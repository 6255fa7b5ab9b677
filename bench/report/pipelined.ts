/**
 * Markdown for the pipelined case (cases/pipelined.ts): our runs against hosts that offer
 * PIPELINING with the latency per round trip, the pipelined bound and its model, and the naive
 * loop at equal session limits and under the same policy (sessions and connections per minute).
 */
import { PIPELINED_SETUP_ROUND_TRIPS, perSlot } from '../cases/ideal-bound.ts';
import { NAIVE_REPLIES, type NaiveRun } from '../cases/naive.ts';
import type { PipelineRun } from '../cases/pipeline-run.ts';
import type { PipelinedBench } from '../cases/pipelined.ts';
import type { PipelineWorld } from '../worlds/pipeline-world.ts';
import { int, ms, percent, seconds, table } from './markdown.ts';
import { ingestEnd, phaseMs } from './pipeline.ts';

export function pipelinedBoundMs(bench: PipelinedBench, run: PipelineRun): number {
  return bench.bound[run.mode].boundReplies * run.latencyMs;
}

function naiveLabel(n: NaiveRun): string {
  return n.connectionBudget
    ? 'same policy: sessions and connections per minute per provider'
    : 'equal session limits (connection budget lifted)';
}

/** Our in-process run against the naive loop, as a ratio. */
export function naiveRatios(
  bench: PipelinedBench,
): Array<{ naive: NaiveRun; ours: PipelineRun; ratio: number }> {
  const ours = bench.runs.find((r) => r.mode === 'in-process');
  if (!ours) return [];
  return bench.naive.map((naive) => ({ naive, ours, ratio: naive.result.ms / ours.drive.totalMs }));
}

export function pipelinedSection(world: PipelineWorld, bench: PipelinedBench): string {
  const L = bench.latencyMs;
  const limits = world.limits;
  const runs = table(
    [
      'workers',
      'submit → reports',
      'ingest',
      'ingest start → probes done',
      'aggregate',
      'SMTP sessions',
      'RCPTs',
      'pipelined bound',
      'bound / ours',
      'verdicts = truth',
    ],
    bench.runs.map((run) => {
      const d = run.drive;
      const boundMs = pipelinedBoundMs(bench, run);
      return [
        run.mode,
        seconds(d.totalMs),
        seconds(ingestEnd(d) - (d.phases.ingesting ?? 0)),
        seconds(phaseMs(d, 'ingesting', 'aggregating')),
        seconds(phaseMs(d, 'aggregating', 'done')),
        int(run.sessions),
        int(run.rcpts),
        seconds(boundMs),
        percent(boundMs / d.totalMs),
        run.mismatches === 0 ? 'yes' : `no: ${run.mismatches} rows differ`,
      ];
    }),
    '---|---:|---:|---:|---:|---:|---:|---:|---:|---',
  );
  const inProcess = bench.bound['in-process'];
  const providers = table(
    [
      'provider',
      'domains',
      'addresses',
      'fewest sessions',
      'round trips',
      'sessions at once',
      'bound',
    ],
    inProcess.providers
      .slice(0, 5)
      .map((p) => [
        p.provider,
        p.domains,
        int(p.addresses),
        int(p.sessions),
        int(p.replies),
        p.concurrency,
        seconds(perSlot(p) * L),
      ]),
  );
  const naive = table(
    ['naive loop', 'naive wall', 'naive connections', 'listclean (in-process)', 'ratio'],
    naiveRatios(bench).map(({ naive: n, ours, ratio }) => [
      naiveLabel(n),
      seconds(n.result.ms),
      int(n.sessions),
      seconds(ours.drive.totalMs),
      `${ratio.toFixed(1)}×`,
    ]),
    '---|---:|---:|---:|---:',
  );
  const window = Math.min(limits.maxRejectsPerSession, limits.maxRcptsPerSession);
  return [
    `## Pipelined: the same list against hosts that offer PIPELINING, ${ms(L)} per round trip`,
    `The pipeline case's list and THROTTLE_POLICY, against the same sandbox world with \`latencyModel: 'round-trip'\`: ` +
      `every host offers PIPELINING and a reply leaves ${ms(L)} after its command arrived (never before ` +
      'the reply before it), so commands sent together are answered together, as through a link with ' +
      'that latency (the per-reply world of the pipeline case answers them one latency apart). ' +
      'listclean sends MAIL FROM with the first window of RCPTs and QUIT with the last, each window ' +
      'at most the rejections the session can still afford.',
    runs,
    `**The pipelined bound** (bench/cases/ideal-bound.ts, PIPELINED_COST): a session costs ` +
      `${PIPELINED_SETUP_ROUND_TRIPS} round trips of set-up (banner, EHLO) plus one per window of ` +
      'RCPTs (MAIL FROM travels with the first, QUIT with the last); a window holds at most ' +
      `maxRejectsPerSession = ${window} RCPTs (the politeness rule: if all fail, the session ends ` +
      'within its budget). Per domain the fewest sessions are ' +
      `max(⌈RCPTs / ${limits.maxRcptsPerSession}⌉, ⌈rejections / ${limits.maxRejectsPerSession}⌉) and the fewest ` +
      `windows max(⌈RCPTs / ${window}⌉, sessions) — as if every rejection came last, so windows stay ` +
      'full: a schedule that does not know the answers in advance cannot count on that. RCPTs include ' +
      'one catch-all probe per domain; per provider the round trips are spread over min(its sessions ' +
      'at once, its sessions); the slowest provider bounds the list, and so does all the work over ' +
      `the total session concurrency. L = ${ms(L)} per round trip; TCP set-up, DNS, Redis, CPU, ingest ` +
      `and aggregate are free. The bound needs ${int(inProcess.totalSessions)} sessions in all.`,
    providers,
    `${inProcess.slowest.provider}’s open sessions (limit ${inProcess.slowest.concurrency}), averaged over each second from the start of the pipeline process:`,
    bench.runs
      .map(
        (run) =>
          `- ${run.mode}: ${run.biggestPerSecond.map((n) => n.toFixed(0)).join(' ')} ` +
          `(submit at ${seconds(run.drive.submitAtMs)})`,
      )
      .join('\n'),
    'The naive loop in the same world (bench/cases/naive.ts; lockstep, SMTP_PIPELINING=0: ' +
      `${NAIVE_REPLIES.length} round trips per address, one connection per distinct address), ` +
      'first at equal session limits, then under the same policy as ours: sessions **and** ' +
      `connections per minute per provider (${int(limits.connectionsPerMinute)} a minute, a full bucket to start).`,
    naive,
  ].join('\n\n');
}
