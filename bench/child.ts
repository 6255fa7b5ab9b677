/**
 * A bench child process (see harness/processes.ts runChild): runs one job in a fresh process, so
 * its peak RSS and its CPU are its own, not the sandbox's or an earlier run's, and prints the
 * result.
 */
import { readEnv } from '../src/config/env.ts';
import { runNaive } from './cases/naive.ts';
import { type DriveRequest, driveList } from './harness/pipeline-driver.ts';
import { reportResult } from './harness/processes.ts';

type Job =
  | ({ kind: 'pipeline' } & DriveRequest)
  | { kind: 'naive'; csvPath: string; concurrency: number; connectionBudget?: boolean };

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
const config = readEnv();
if (job.kind === 'pipeline') reportResult(await driveList(config, job));
else if (job.kind === 'naive') {
  reportResult(await runNaive(config, job.csvPath, job.concurrency, job.connectionBudget));
} else throw new Error(`unknown bench job ${JSON.stringify(job)}`);
