/**
 * The bench report: every section of `npm run bench`, built from the results of the cases and
 * the parameter objects of the worlds they ran against. run.ts prints the sections as their
 * results arrive; renderReport builds the same text at once.
 */
import type { VerifySessionsBench } from '../cases/verify-sessions.ts';
import type { MachineInfo } from '../harness/machine.ts';
import type { OneDomainWorld } from '../worlds/one-domain.ts';
import { millionSection } from './million.ts';
import { pipelineSection } from './pipeline.ts';
import { type MillionResult, type PipelineResult, targetsSection } from './targets.ts';
import { verifySessionsSection } from './verify-sessions.ts';

export { millionSection } from './million.ts';
export { pipelineSection } from './pipeline.ts';
export type { MillionResult, PipelineResult } from './targets.ts';
export { targetsSection } from './targets.ts';
export { verifySessionsSection } from './verify-sessions.ts';

export interface VerifySessionsResult {
  world: OneDomainWorld;
  bench: VerifySessionsBench;
}

export interface BenchResults {
  quick: boolean;
  machine: MachineInfo;
  pipeline: PipelineResult;
  millions: MillionResult[];
  verifySessions: VerifySessionsResult;
  /** Wall time of the whole bench, ms, and the load average at its end. */
  wallMs: number;
  loadAtEnd: string;
}

export function header(quick: boolean, m: MachineInfo): string {
  return [
    `# listclean bench${quick ? ' (--quick)' : ''}`,
    `node ${m.node}, ${m.cores} cores, ${m.cpu}, ${m.ramGb} GB RAM, ${m.platform} ${m.release}; ` +
      `${m.startedAt}; commit ${m.commit}; load average ${m.load}`,
  ].join('\n\n');
}

export function footer(wallMs: number, loadAtEnd: string): string {
  return (
    `Bench wall time: ${(wallMs / 1000).toFixed(0)} s; load average at the end ${loadAtEnd} ` +
    '(the machine is shared: other work running meanwhile slows every number).'
  );
}

/** The sections in the order they are printed; each is followed by a blank line. */
export function reportSections(results: BenchResults): string[] {
  return [
    header(results.quick, results.machine),
    pipelineSection(results.pipeline.world, results.pipeline.bench),
    ...results.millions.map((m) => millionSection(m.world, m.bench)),
    verifySessionsSection(results.verifySessions.world, results.verifySessions.bench),
    targetsSection(results.pipeline, results.millions),
    footer(results.wallMs, results.loadAtEnd),
  ];
}

/** The whole report, as `npm run bench` prints it. */
export function renderReport(results: BenchResults): string {
  return `${reportSections(results).join('\n\n')}\n`;
}
