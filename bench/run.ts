/**
 * `npm run bench` (`-- --quick` for a smaller variant): runs every case against its world and
 * prints the report (bench/report/) section by section, as markdown, as the results arrive. The
 * results of a full run are kept in bench/RESULTS.md.
 *
 *   harness/  timing, memory sampling, processes, Redis metering shared by the cases
 *   worlds/   the sandbox worlds and lists, each with its parameters as one object
 *   cases/    the measured cases, each returning a typed result
 *   report/   results + world parameters → tables and prose
 */
import { benchMillion } from './cases/million.ts';
import { benchPipeline } from './cases/pipeline.ts';
import { benchPipelined } from './cases/pipelined.ts';
import { benchVerifySessions } from './cases/verify-sessions.ts';
import { load, machineInfo } from './harness/machine.ts';
import {
  footer,
  header,
  type MillionResult,
  millionSection,
  pipelineSection,
  targetsSection,
  verifySessionsSection,
} from './report/index.ts';
import { pipelinedSection } from './report/pipelined.ts';
import { pipelinedTargets, targetTable } from './report/targets.ts';
import { bigListWorlds } from './worlds/big-list.ts';
import { ONE_DOMAIN_WORLD } from './worlds/one-domain.ts';
import { pipelineWorld } from './worlds/pipeline-world.ts';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const out = (text: string) => process.stdout.write(`${text}\n\n`);
  const started = performance.now();
  const machine = machineInfo();
  out(header(quick, machine));

  if (process.argv.includes('--million-new-only')) {
    // The new 1M-row list alone (issue 14, Redis per row), for working on it.
    const bigWorld = bigListWorlds(quick)[1];
    if (bigWorld) out(millionSection(bigWorld, await benchMillion(bigWorld)));
    process.stdout.write(`${footer(performance.now() - started, load())}\n`);
    return;
  }
  const world = pipelineWorld(quick);
  if (process.argv.includes('--pipelined-only')) {
    // The pipelined case alone (with its naive runs), for working on it.
    const pipelined = await benchPipelined(world);
    if (pipelined)
      out(
        `${pipelinedSection(world, pipelined)}\n\n${targetTable(pipelinedTargets(world, pipelined))}`,
      );
    return;
  }
  const pipeline = { world, bench: await benchPipeline(world) };
  out(pipelineSection(pipeline.world, pipeline.bench));

  const pipelined = await benchPipelined(world);
  if (pipelined) out(pipelinedSection(world, pipelined));

  const millions: MillionResult[] = [];
  for (const bigWorld of bigListWorlds(quick)) {
    const million = { world: bigWorld, bench: await benchMillion(bigWorld) };
    millions.push(million);
    out(millionSection(million.world, million.bench));
  }

  const verifySessions = {
    world: ONE_DOMAIN_WORLD,
    bench: await benchVerifySessions(ONE_DOMAIN_WORLD),
  };
  out(verifySessionsSection(verifySessions.world, verifySessions.bench));

  out(targetsSection(pipeline, millions, pipelined));
  process.stdout.write(`${footer(performance.now() - started, load())}\n`);
}

await main();
