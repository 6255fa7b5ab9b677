/**
 * One fault run: a sandbox world with a generated list whose truth is known (hostile SMTP hosts
 * included), `listclean worker` processes, a webhook receiver on loopback, and the checks every
 * run ends with (docs/RELIABILITY.md): the list finished, rows in = rows out, one verdict per
 * address equal to the truth, one aggregate and one webhook, no process left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { storageKeys } from '../../src/pipeline/names.ts';
import { submitList } from '../../src/pipeline/submit.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import {
  type SandboxWorld,
  type Scenario,
  type ScenarioHost,
  startWorld,
} from '../../src/sandbox/index.ts';
import {
  type GeneratedRow,
  generateList,
  seededRandom,
  toCsv,
} from '../../src/sandbox/lists/list-generator.ts';
import { REASON_STATUS, type Reason, type Status } from '../../src/verdict/types.ts';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { type Receiver, startReceiver } from '../webhook/receiver.ts';

/** Rows of the suite's list; FAULT_ROWS=2000 while developing. */
export const ROWS = Number(process.env.FAULT_ROWS ?? 20_000);

const STATUS_OF: Record<Reason, Status> = REASON_STATUS;

/**
 * Hosts beyond the generator's specials (which already tarpit, drop mid-session, send garbage,
 * refuse, block and greylist forever): each domain's truth for any address.
 */
const HOSTILE: Array<{ domain: string; host: ScenarioHost; reason: Reason }> = [
  { domain: 'drip.test', host: { behavior: 'drip', latencyMs: 50 }, reason: 'timeout' },
  {
    domain: 'longline.test',
    host: { behavior: 'huge-line', hugeLineBytes: 2 * 1024 * 1024 },
    reason: 'protocol_error',
  },
  { domain: 'banner421.test', host: { behavior: 'banner-421' }, reason: 'temporary_failure' },
  { domain: 'banner554.test', host: { behavior: 'banner-554' }, reason: 'blocked' },
  { domain: 'silent.test', host: { behavior: 'silent' }, reason: 'timeout' },
  {
    domain: 'dropbanner.test',
    host: { behavior: 'drop-after-banner' },
    reason: 'connection_failed',
  },
];

export interface FaultList {
  scenario: Scenario;
  rows: GeneratedRow[];
  csv: string;
  /** Big ordinary domains (most rows): the ones DNS faults hit. */
  bigDomains: string[];
}

/** The suite's list: ROWS rows over 80 domains, every special and hostile kind, duplicates. */
export function faultList(rows = ROWS, seed = 13): FaultList {
  const perHostile = Math.max(5, Math.round(rows / 400));
  const generated = generateList({
    rows: rows - perHostile * HOSTILE.length,
    domains: 80,
    seed,
    zipf: 1,
    duplicateShare: 0.03,
    invalidShare: 0.01,
  });
  const scenario = generated.scenario;
  scenario.latencyMs = 2;
  const random = seededRandom(seed + 1);
  const out = [...generated.rows];
  for (const hostile of HOSTILE) {
    scenario.domains[hostile.domain] = {
      mx: [{ host: `mx.${hostile.domain}` }],
      mailboxes: ['alice'],
    };
    scenario.hosts = { ...scenario.hosts, [`mx.${hostile.domain}`]: hostile.host };
    for (let i = 0; i < perHostile; i++) {
      const at = Math.floor(random() * out.length);
      out.splice(at, 0, {
        email: `${i % 2 ? 'alice' : `nobody${i}`}@${hostile.domain}`,
        expected: hostile.reason,
      });
    }
  }
  return {
    scenario,
    rows: out,
    csv: toCsv(out),
    bigDomains: ['company0.test', 'company1.test', 'company2.test'],
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Printed its start line. */
  ready: boolean;
  stderr: () => string;
}

export interface FaultRunOptions {
  /** Env for the runtime and every worker (over the defaults). */
  env?: Record<string, string>;
  /** Run workers as `nobody`, so permissions on the storage folder bind them (we are root). */
  unprivilegedWorkers?: boolean;
}

export interface FaultRun {
  world: SandboxWorld;
  list: FaultList;
  rt: Runtime;
  env: Record<string, string>;
  prefix: string;
  storageDir: string;
  receiver: Receiver;
  workers: WorkerProcess[];
  spawnWorker(): Promise<WorkerProcess>;
  /** Workers that started and have not exited. */
  alive(): WorkerProcess[];
  kill(worker: WorkerProcess): Promise<void>;
  submit(id: string): Promise<void>;
  /** Pids of every process this run started (workers, servers the test adds). */
  pids: Set<number>;
  close(): Promise<void>;
}

const UNPRIVILEGED = { uid: 65534, gid: 65534 };

export async function startFaultRun(
  list: FaultList,
  options: FaultRunOptions = {},
): Promise<FaultRun> {
  const world = await startWorld(list.scenario);
  const receiver = await startReceiver();
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'listclean-faults-'));
  if (options.unprivilegedWorkers) await chown(storageDir, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  const prefix = `lcfault-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const env: Record<string, string> = {
    ...world.env,
    ...TEST_ENV,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    STORAGE_URL: `file:${storageDir}`,
    // Greylisting forever ends in `greylisted` after two retries; real greylists (greytwice)
    // let the second try through.
    GREYLIST_RETRY_DELAYS: '1s,2s',
    WORKER_LOCK_DURATION: '4s',
    THROTTLE_LEASE_TTL: '4s',
    SMTP_MAX_RCPTS_PER_SESSION: '20',
    // Every run probes: no verdict from an earlier run of the same addresses.
    CACHE_MAX_AGE: '0',
    API_KEYS: 'acme:key-of-acme-0123456789',
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const rt = await createRuntime(readEnv(env));
  const workers: WorkerProcess[] = [];
  const pids = new Set<number>();
  const spawnWorker = async (): Promise<WorkerProcess> => {
    const child = track(
      spawn(process.execPath, [BIN, 'worker', '--grace', '2s'], {
        env: { ...process.env, ...env, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(options.unprivilegedWorkers ? UNPRIVILEGED : {}),
      }),
    );
    if (child.pid !== undefined) pids.add(child.pid);
    const worker: WorkerProcess = { child, pid: child.pid ?? -1, ready: false, stderr: () => '' };
    workers.push(worker);
    try {
      const { stderr } = await waitForStderr(child, 'listclean worker: pid', 60_000);
      worker.stderr = stderr;
      worker.ready = true;
    } catch (error) {
      await stopChild(child, 0);
      throw error;
    }
    return worker;
  };
  return {
    world,
    list,
    rt,
    env,
    prefix,
    storageDir,
    receiver,
    workers,
    pids,
    spawnWorker,
    kill: (worker) => stopChild(worker.child, 0),
    alive: () =>
      workers.filter((w) => w.ready && w.child.exitCode === null && w.child.signalCode === null),
    submit: (id) =>
      submitList(rt, {
        id,
        name: `${id}.csv`,
        tenant: 'acme',
        options: { includeRisky: false },
        input: list.csv,
        webhookUrl: receiver.url,
      }),
    async close() {
      try {
        await Promise.all(workers.map((w) => stopChild(w.child, 2000)));
        await rt.close();
      } finally {
        await deleteTestPrefix(prefix, env.REDIS_URL).catch(() => undefined);
        await rm(storageDir, { recursive: true, force: true });
        await receiver.close();
        await world.close();
      }
    },
  };
}

/** Polls until the list is done, failing with its state when it fails or overruns. */
export async function waitDone(rt: Runtime, id: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const meta = await rt.lists.get(id).catch(() => null);
    if (meta?.status === 'done') return Date.now() - started;
    if (meta?.status === 'failed')
      throw new Error(`list ${id} failed: [${meta.errorCode}] ${meta.error}`);
    if (Date.now() - started > timeoutMs)
      throw new Error(`list ${id} not done in ${timeoutMs} ms: ${JSON.stringify(meta)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function untilStatus(
  rt: Runtime,
  id: string,
  statuses: string[],
  timeoutMs = 120_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await rt.lists.get(id).catch(() => null))?.status ?? '';
    if (statuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`list ${id} never reached ${statuses.join('/')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readReport(rt: Runtime, id: string): Promise<Record<string, string>[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of await rt.storage.get(storageKeys.output(id, 'report.csv')))
    chunks.push(Buffer.from(chunk));
  return parse(Buffer.concat(chunks).toString('utf8'), { columns: true, bom: true });
}

/** Completed aggregates, as the workers logged them (a killed attempt never logs this). */
export function aggregatesCompleted(run: FaultRun, id: string): number {
  let count = 0;
  for (const worker of run.workers) {
    for (const line of worker.stderr().split('\n')) {
      if (line.includes('list done: reports written') && line.includes(`"listId":"${id}"`)) count++;
    }
  }
  return count;
}

export interface RunFigures {
  rows: number;
  rowsOut: number;
  rowsLost: number;
  wrongVerdicts: number;
  aggregateRuns: number;
  webhooks: number;
}

/**
 * The checks every fault run ends with. `knowable(row)` says where the truth is knowable
 * (default: everywhere); `aggregateAttempts` is how many times the aggregate may have started
 * (a killed or failed attempt is retried: it starts again, it completes once).
 */
export async function checkOutcome(
  run: FaultRun,
  id: string,
  options: { knowable?: (row: GeneratedRow) => boolean; maxAggregateStarts?: number } = {},
): Promise<RunFigures> {
  const { rt, list } = run;
  const meta = await rt.lists.get(id);
  expect(meta?.status).toBe('done');
  const report = await readReport(rt, id);
  // Rows in = rows out, in input order, every original column kept.
  expect(report).toHaveLength(list.rows.length);
  const byAddress = new Map<string, string>();
  let wrong = 0;
  const mismatches: string[] = [];
  report.forEach((row, i) => {
    const input = list.rows[i] as GeneratedRow;
    expect(row.id).toBe(String(i + 1));
    expect(row.email).toBe(input.email.trim());
    // One verdict per address: every row of an address carries the same one.
    const verdict = `${row.status}/${row.reason}`;
    if (row.email_normalized) {
      const seen = byAddress.get(row.email_normalized);
      if (seen !== undefined && seen !== verdict)
        mismatches.push(`${row.email_normalized}: ${seen} and ${verdict}`);
      byAddress.set(row.email_normalized, verdict);
    }
    if (options.knowable && !options.knowable(input)) return;
    const truth = `${STATUS_OF[input.expected]}/${input.expected}`;
    if (verdict !== truth) {
      wrong++;
      if (mismatches.length < 20)
        mismatches.push(
          `row ${i + 1} ${input.email}: ${verdict} ≠ ${truth} (rule ${row.rule}: ${row.detail})`,
        );
    }
  });
  expect(mismatches).toEqual([]);
  expect(wrong).toBe(0);
  // The verdicts recorded: exactly one per distinct valid address.
  const recorded = await rt.results.count(id, meta?.currentRun ?? 'initial');
  expect(recorded).toBe(byAddress.size);
  // The aggregate completed once (it may have started again after a kill or an outage).
  expect(aggregatesCompleted(run, id)).toBe(1);
  const aggregateRuns = meta?.aggregateRuns ?? 0;
  expect(aggregateRuns).toBeGreaterThanOrEqual(1);
  expect(aggregateRuns).toBeLessThanOrEqual(options.maxAggregateStarts ?? 1);
  // The webhook: delivered once (give its worker a moment), never twice.
  const deadline = Date.now() + 30_000;
  const mine = () => run.receiver.received.filter((r) => JSON.parse(r.body).list?.id === id);
  while (mine().length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(mine()).toHaveLength(1);
  return {
    rows: list.rows.length,
    rowsOut: report.length,
    rowsLost: list.rows.length - report.length,
    wrongVerdicts: wrong,
    aggregateRuns,
    webhooks: mine().length,
  };
}

/** No process of this run is left: every pid it started is gone, and none carries its prefix. */
export async function expectNoLeak(run: FaultRun): Promise<void> {
  for (const pid of run.pids) {
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    expect(alive, `pid ${pid} still running`).toBe(false);
  }
  const strays: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
    if (environ.includes(`REDIS_PREFIX=${run.prefix}\0`)) strays.push(pid);
  }
  expect(strays).toEqual([]);
}

/** One line of the table in docs/RELIABILITY.md, printed for the record. */
export function record(fault: string, figures: RunFigures, ms: number): void {
  console.log(
    `FAULT-FIGURES ${JSON.stringify({ fault, ...figures, seconds: Math.round(ms / 1000) })}`,
  );
}
