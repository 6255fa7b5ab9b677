/**
 * The hostile-input corpus through the real upload path: `listclean serve --with-workers` in a
 * child process (so its memory is its own), POST /v1/lists over a socket, then report.csv over
 * GET. Every case ends in a clear refusal (status + error code) or a complete report — input
 * rows = report rows, every original column kept — never a crash or a hang; for the 100k
 * columns, the 10 MB field and the 200 MB line the server's peak RSS (VmHWM, reset before each)
 * is asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { ACME_KEY, API_KEYS } from '../api/helpers.ts';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { type PipelineHarness, startHarness } from '../helpers/pipeline.ts';
import { expectReport, type HostileCase, hostileCases, MAILBOXES } from './corpus.ts';

const MiB = 1024 * 1024;

let world: SandboxWorld;
let harness: PipelineHarness;
let server: ChildProcess;
let base: string;
let tmp: string;
const figures: string[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'listclean-hostile-'));
  world = await startWorld({
    domains: { 'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: MAILBOXES } },
  });
  harness = await startHarness(world, { API_KEYS });
  const port = await freePort();
  server = track(
    spawn(process.execPath, [BIN, 'serve', '--with-workers'], {
      env: {
        ...process.env,
        ...harness.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await waitForStderr(server, 'listening on', 30_000);
  base = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  if (server) await stopChild(server, 3000);
  await harness?.close();
  await world?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (figures.length > 0) console.info(`hostile corpus, server memory:\n${figures.join('\n')}`);
});

/** VmHWM (peak) and VmRSS of the server, in bytes. */
async function memory(): Promise<{ peak: number; rss: number }> {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { peak: kb('VmHWM'), rss: kb('VmRSS') };
}

/** The peak so far forgotten: VmHWM starts again from the current RSS. */
async function resetPeak(): Promise<void> {
  await writeFile(`/proc/${server.pid}/clear_refs`, '5');
}

async function upload(hostile: HostileCase, body: Buffer | { file: string }): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ACME_KEY}`,
      'content-type': hostile.contentType ?? 'text/csv',
    },
  };
  if (Buffer.isBuffer(body)) {
    init.body = body;
  } else {
    // Streamed from disk, chunked: neither the test nor the request holds the file.
    init.body = Readable.toWeb(createReadStream(body.file)) as ReadableStream;
    init.duplex = 'half';
  }
  return fetch(`${base}/v1/lists?name=${encodeURIComponent(hostile.name)}`, init);
}

async function api(route: string): Promise<Response> {
  return fetch(`${base}${route}`, { headers: { authorization: `Bearer ${ACME_KEY}` } });
}

async function finished(id: string, timeoutMs = 45_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await (await api(`/v1/lists/${id}`)).json()) as Record<string, unknown>;
    if (list.status === 'done' || list.status === 'failed') return list;
    if (Date.now() > deadline) throw new Error(`list ${id} hangs: ${JSON.stringify(list)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs one case through upload, cleaning and download, asserting its outcome. */
async function runCase(hostile: HostileCase): Promise<void> {
  const body = await hostile.body();
  const response = await upload(hostile, body);
  const answer = (await response.json()) as { id?: string; error?: { code: string } };
  const { outcome } = hostile;
  if ('refused' in outcome) {
    expect({ status: response.status, code: answer.error?.code }).toEqual({
      status: outcome.refused,
      code: outcome.code,
    });
    return;
  }
  expect(response.status, JSON.stringify(answer)).toBe(202);
  const list = await finished(answer.id ?? '');
  expect(list.status, JSON.stringify(list.error)).toBe('done');
  expect((list.progress as { rows: number }).rows).toBe(outcome.rows);
  const report = Buffer.from(
    await (await api(`/v1/lists/${answer.id}/reports/report`)).arrayBuffer(),
  );
  expectReport(report, hostile, body);
}

const cases = () => hostileCases(tmp);
const small = hostileCases('/unused').filter((hostile) => hostile.peakMiB === undefined);
const big = hostileCases('/unused').filter((hostile) => hostile.peakMiB !== undefined);

describe('the hostile corpus, uploaded', () => {
  it.concurrent.each(small.map((hostile) => [hostile.name]))('%s', async (name) => {
    const hostile = cases().find((each) => each.name === name);
    if (!hostile) throw new Error(name);
    await runCase(hostile);
  });
});

describe('the big ones, in bounded memory', () => {
  it.each(big.map((hostile) => [hostile.name]))(
    '%s',
    async (name) => {
      const hostile = cases().find((each) => each.name === name);
      if (!hostile) throw new Error(name);
      const started = Date.now();
      const before = await memory();
      await resetPeak();
      await runCase(hostile);
      const { peak } = await memory();
      figures.push(
        `  ${name}: peak RSS ${Math.round(peak / MiB)} MiB (RSS before ${Math.round(before.rss / MiB)} MiB), ${Date.now() - started} ms`,
      );
      expect(peak - before.rss).toBeLessThan((hostile.peakMiB ?? 0) * MiB);
    },
    60_000,
  );

  it('leaves the server up: no case crashed it', async () => {
    expect(server.exitCode).toBeNull();
    expect(server.signalCode).toBeNull();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
