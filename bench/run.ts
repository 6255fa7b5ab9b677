/**
 * `npm run bench` (`-- --quick` for a smaller variant): prints every benchmark's numbers side by
 * side as markdown. The results of a full run are kept in bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import {
  benchMillion,
  FULL_BIG,
  FULL_BIG_NEW,
  type MillionBench,
  QUICK_BIG,
  QUICK_BIG_NEW,
} from './million-bench.ts';
import { benchPipeline } from './pipeline-bench.ts';
import { FULL_LIST, QUICK_LIST } from './pipeline-world.ts';
import {
  biggestTimeline,
  boundTable,
  commandTable,
  describeList,
  memoryTable,
  millionTable,
  millionTitle,
  naiveTable,
  slotTable,
  targets,
  targetTable,
  throughputTable,
} from './report.ts';
import { benchVerifySessions, formatVerifyRows } from './verify-sessions.ts';

function commit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'workers', 'bin') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/workers' : ''}`;
  } catch {
    return 'unknown';
  }
}

function load(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const started = performance.now();
  out(`# listclean bench${quick ? ' (--quick)' : ''}\n`);
  out(
    `node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.platform()} ${os.release()}; ` +
      `${new Date().toISOString()}; commit ${commit()}; load average ${load()}\n`,
  );

  const listOptions = quick ? QUICK_LIST : FULL_LIST;
  const pipeline = await benchPipeline(listOptions);
  out(`## Pipeline: ${listOptions.rows.toLocaleString('en-US')} addresses, submit → reports\n`);
  out(`${describeList(pipeline)}\n`);
  out('### (a) Throughput end to end\n');
  out(`${throughputTable(pipeline)}\n`);
  out('### (b) A naive verifier on the same list\n');
  out(`${naiveTable(pipeline)}\n`);
  out('### (c) Ideal-schedule bound\n');
  out(`${boundTable(pipeline)}\n`);
  out(`${slotTable(pipeline)}\n`);
  out(`${biggestTimeline(pipeline)}\n`);
  out('### (d) Memory\n');
  out(`${memoryTable(pipeline)}\n`);
  out('### (e) Redis commands\n');
  out(`${commandTable(pipeline)}\n`);

  const millions: MillionBench[] = [];
  for (const options of quick ? [QUICK_BIG, QUICK_BIG_NEW] : [FULL_BIG, FULL_BIG_NEW]) {
    const million = await benchMillion(options);
    millions.push(million);
    out(`## ${millionTitle(million)}\n`);
    out(`${millionTable(million)}\n`);
  }

  out('## 100 addresses at one domain (90 exist, 10 do not), 20 ms sandbox reply latency\n');
  out(`${formatVerifyRows(await benchVerifySessions())}\n`);

  out('## Targets\n');
  out(`${targetTable(targets(pipeline, millions))}\n`);
  out(
    `Bench wall time: ${((performance.now() - started) / 1000).toFixed(0)} s; load average at ` +
      `the end ${load()} (the machine is shared: other work running meanwhile slows every number).`,
  );
}

await main();
