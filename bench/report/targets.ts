/**
 * The targets the benchmarks are held to, with their thresholds from the worlds' `targets`
 * and the numbers from the results.
 */
import type { MillionBench } from '../cases/million.ts';
import type { PipelineBench } from '../cases/pipeline.ts';
import type { PipelinedBench } from '../cases/pipelined.ts';
import type { BigListWorld } from '../worlds/big-list.ts';
import type { PipelineWorld } from '../worlds/pipeline-world.ts';
import { int, mb, ms, percent, seconds, share, table, verdict } from './markdown.ts';
import { isNewList } from './million.ts';
import { boundSeconds } from './pipeline.ts';
import { naiveRatios, pipelinedBoundMs } from './pipelined.ts';

export interface Target {
  name: string;
  met: boolean;
  numbers: string;
}

export interface PipelineResult {
  world: PipelineWorld;
  bench: PipelineBench;
}

export interface MillionResult {
  world: BigListWorld;
  bench: MillionBench;
}

export function targets(
  pipeline: PipelineResult,
  millions: MillionResult[],
  pipelined: PipelinedBench | null = null,
): Target[] {
  const { world, bench } = pipeline;
  const list: Target[] = [];
  if (pipelined) list.push(...pipelinedTargets(world, pipelined));
  const atBound = bench.runs.filter((r) => r.latencyMs === world.boundLatencyMs);
  for (const run of atBound) {
    const fraction = (boundSeconds(bench, run) * 1000) / run.drive.totalMs;
    list.push({
      name: `≥ ${share(world.targets.boundShare)} of the ideal bound at ${ms(run.latencyMs)} (${run.mode})`,
      met: fraction >= world.targets.boundShare,
      numbers: `bound ${seconds(boundSeconds(bench, run) * 1000)} / ours ${seconds(run.drive.totalMs)} = ${percent(fraction)}`,
    });
  }
  for (const n of bench.naive) {
    const ours = bench.runs.find((r) => r.latencyMs === n.latencyMs && r.mode === 'in-process');
    if (!ours) continue;
    const ratio = n.result.ms / ours.drive.totalMs;
    list.push({
      name: `≥ ${world.targets.naiveSpeedup}× the naive verifier at ${ms(n.latencyMs)}`,
      met: ratio >= world.targets.naiveSpeedup,
      numbers: `naive ${seconds(n.result.ms)} / ours ${seconds(ours.drive.totalMs)} = ${ratio.toFixed(1)}×`,
    });
  }
  for (const million of millions) {
    const kind = isNewList(million.world) ? 'new list' : 'hygiene re-run';
    const limit = million.world.targets.peakRssBytes;
    list.push({
      name: `${int(million.world.rows)}-row ingest + aggregate peak RSS < ${mb(limit)} per process (${kind})`,
      met: million.bench.drive.maxRss < limit,
      numbers: `${mb(million.bench.drive.maxRss)} (one process doing upload, ingest, probes, aggregate)`,
    });
  }
  return list;
}

/** The pipelined case's targets: its bound share per mode, the naive ratio under the same policy. */
export function pipelinedTargets(world: PipelineWorld, pipelined: PipelinedBench): Target[] {
  const list: Target[] = [];
  const spec = world.pipelined;
  if (!spec) return list;
  for (const run of pipelined.runs) {
    const boundMs = pipelinedBoundMs(pipelined, run);
    const fraction = boundMs / run.drive.totalMs;
    list.push({
      name: `≥ ${share(spec.targets.boundShare)} of the pipelined bound at ${ms(run.latencyMs)} per round trip (${run.mode})`,
      met: fraction >= spec.targets.boundShare,
      numbers: `bound ${seconds(boundMs)} / ours ${seconds(run.drive.totalMs)} = ${percent(fraction)}`,
    });
  }
  for (const { naive, ours, ratio } of naiveRatios(pipelined)) {
    if (!naive.connectionBudget) continue;
    const equal = naiveRatios(pipelined).find((r) => !r.naive.connectionBudget);
    list.push({
      name: `≥ ${spec.targets.naiveBudgetSpeedup}× the naive verifier under the same policy (sessions and connections per minute), pipelined world`,
      met: ratio >= spec.targets.naiveBudgetSpeedup,
      numbers:
        `naive ${seconds(naive.result.ms)} / ours ${seconds(ours.drive.totalMs)} = ${ratio.toFixed(1)}×` +
        (equal ? ` (at equal session limits only: ${equal.ratio.toFixed(1)}×)` : ''),
    });
  }
  return list;
}

export function targetTable(list: Target[]): string {
  return table(
    ['target', 'result', 'numbers'],
    list.map((t) => [t.name, verdict(t.met), t.numbers]),
    '---|---|---',
  );
}

/** The whole targets section, its heading first. */
export function targetsSection(
  pipeline: PipelineResult,
  millions: MillionResult[],
  pipelined: PipelinedBench | null = null,
): string {
  return ['## Targets', targetTable(targets(pipeline, millions, pipelined))].join('\n\n');
}
