/**
 * The web console end to end: Debian's Chromium (headless, through playwright-core) against a
 * real `listclean serve --with-workers` on the sandbox mail world. One tenant signs in, uploads
 * examples/contacts.csv, sees the detected email column (and a wrong one refused in words),
 * starts it with options, watches it verified, opens every report (cleaned.csv's rows checked),
 * sets, changes and removes a schedule and ends with a nightly one, and checks one address;
 * another tenant sees none of it, on a phone, by keyboard, with reduced motion. A second server,
 * whose greylisting retries are an hour away, shows a dropped .xlsx list waiting: until when,
 * the ETA, partial downloads, then a delete after its confirmation. axe-core checks every
 * screen (no serious or critical violations), no request leaves the server's origin or carries
 * the key in its URL, the page breaks no CSP rule and weighs under 150 KB as the browser loads
 * it. Screenshots go to test-artifacts/console/.
 *
 * The servers run from the sources (tsx; the console bundled in memory), or from a build when
 * LISTCLEAN_DIST names one (.ci/run runs it so against dist/ too). Chromium is the apt package
 * `chromium` (.ci/run installs it): without it this test fails, saying so, rather than skipping.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadScenario,
  SANDBOX_CLIENT_ENV,
  type SandboxWorld,
  startWorld,
} from '../../src/sandbox/index.ts';
import { stopChild, track, waitForStderr } from '../helpers/children.ts';
import { BIN } from '../helpers/cli.ts';
import { freePort } from '../helpers/redis-server.ts';
import { deleteTestPrefix, REDIS_URL } from '../helpers/redis-url.ts';
import { TEST_ENV } from '../helpers/verify.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
const ACME_KEY = 'acme-console-0123456789abcdef';
const GLOBEX_KEY = 'globex-console-0123456789abcdef';
const ARTIFACTS = path.resolve('test-artifacts/console');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');
const BUDGET_BYTES = 150 * 1024;

interface Serve {
  base: string;
  child: ChildProcess;
  output: () => string;
  prefix: string;
  storage: string;
}

let world: SandboxWorld;
let browser: Browser;
/** The server of the flow (the sandbox's short greylisting waits). */
let main: Serve;
/** A server whose greylisting retries are an hour away: its lists wait. */
let slow: Serve;
let hooks: Server;
let hookUrl: string;
/** The bodies POSTed to the webhook receiver. */
const delivered: Array<{ event?: string; list?: { id?: string; status?: string } }> = [];
/** The list the first test makes: the second must not see it. */
let acmeList = '';

async function startServe(name: string, env: Record<string, string> = {}): Promise<Serve> {
  const storage = await mkdtemp(path.join(os.tmpdir(), `listclean-console-${name}-`));
  const prefix = `lctest-console-${name}-${process.pid}`;
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [BIN, 'serve', '--with-workers'], {
      env: {
        ...process.env,
        ...world.env,
        ...TEST_ENV,
        ...SANDBOX_CLIENT_ENV,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        STORAGE_URL: `file:${storage}`,
        API_KEYS: `acme:${ACME_KEY},globex:${GLOBEX_KEY}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        // The test's webhook receiver listens on 127.0.0.1.
        WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const output = (await waitForStderr(child, 'listening on', 30_000)).stderr;
  return { base: `http://127.0.0.1:${port}`, child, output, prefix, storage };
}

async function stopServe(serve: Serve | undefined): Promise<void> {
  if (!serve) return;
  await stopChild(serve.child);
  await deleteTestPrefix(serve.prefix);
  await rm(serve.storage, { recursive: true, force: true });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's end-to-end test needs it. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does so when it is missing).',
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      try {
        delivered.push(JSON.parse(body));
      } catch {
        delivered.push({});
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
  world = await startWorld(await loadScenario('examples/sandbox-scenario.yaml'));
  [main, slow] = await Promise.all([
    startServe('main'),
    startServe('slow', { GREYLIST_RETRY_DELAYS: '1h' }),
  ]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([stopServe(main), stopServe(slow)]);
  await world?.close();
  await new Promise((resolve) => hooks?.close(resolve));
}, 30_000);

interface Watched {
  page: Page;
  context: BrowserContext;
  /** The server the page talks to. */
  base: string;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors and CSP violations. */
  problems: string[];
}

async function open(
  serve: Serve,
  options: {
    viewport?: { width: number; height: number };
    reducedMotion?: 'reduce' | 'no-preference';
  } = {},
): Promise<Watched> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    reducedMotion: options.reducedMotion ?? 'no-preference',
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const watched: Watched = { page, context, base: serve.base, requests: [], problems: [] };
  // Every page of the context (report.html and summary.json open in tabs of their own).
  context.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') watched.problems.push(message.text());
  });
  page.on('pageerror', (error) => watched.problems.push(String(error)));
  await page.goto(`${serve.base}/`);
  return watched;
}

/** axe-core in the page: every violation of serious or critical impact. */
async function axe(page: Page, screen: string): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') would refuse
  // axe as an inline script tag, and is left as strict as it is served.
  // (Page code as strings: this file is type-checked for Node, without the DOM's types.)
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(await readFile(AXE, 'utf8'));
  const options = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  };
  const result = (await page.evaluate(`axe.run(document, ${JSON.stringify(options)})`)) as {
    violations: Array<{ id: string; impact: string; help: string; nodes: unknown[] }>;
    incomplete: Array<{ id: string; nodes: unknown[] }>;
    passes: Array<{ id: string }>;
  };
  // Every rule that ran, and those axe could not decide alone, are kept for a person to read.
  await writeFile(
    path.join(ARTIFACTS, `axe-${screen}.json`),
    JSON.stringify(
      {
        violations: result.violations,
        incomplete: result.incomplete.map((r) => `${r.id} ×${r.nodes.length}`),
        passes: result.passes.map((r) => r.id),
      },
      null,
      2,
    ),
  );
  // axe ran for real: a page this size passes dozens of rules, contrast among them.
  expect(result.passes.length, screen).toBeGreaterThan(15);
  expect(
    [...result.passes, ...result.violations].map((r) => r.id),
    screen,
  ).toContain('color-contrast');
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}): ${v.help} ×${v.nodes.length}`);
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  // By keyboard: the key field has the focus, Enter submits.
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Lists', level: 1 }).waitFor();
}

async function apiCall<T>(
  serve: Serve,
  route: string,
  init: { key?: string; method?: string; body?: string; type?: string } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? ACME_KEY}` };
  if (init.type) headers['content-type'] = init.type;
  const response = await fetch(`${serve.base}${route}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

async function apiGet<T>(serve: Serve, route: string, key = ACME_KEY): Promise<T> {
  const { status, body } = await apiCall<T>(serve, route, { key });
  expect(status, route).toBe(200);
  return body;
}

/** Requests stay on the server's origin, and no URL carries an API key. */
function checkRequests(watched: Watched): void {
  expect(watched.requests.length).toBeGreaterThan(3);
  const foreign = watched.requests.filter((url) => !url.startsWith(`${watched.base}/`));
  expect(foreign).toEqual([]);
  const keyed = watched.requests.filter(
    (url) => url.includes(ACME_KEY) || url.includes(GLOBEX_KEY),
  );
  expect(keyed).toEqual([]);
  expect(watched.problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
}

/** The page as the browser loaded it: each file once, bytes before compression. */
async function pageWeight(page: Page): Promise<Record<string, number>> {
  const entries = (await page.evaluate(
    `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
       .map((e) => [new URL(e.name).pathname, e.decodedBodySize])`,
  )) as Array<[string, number]>;
  return Object.fromEntries(entries);
}

/** A file given to the page as if dropped on `selector` from the desktop. */
async function drop(page: Page, selector: string, name: string, type: string, bytes: Buffer) {
  const transfer = await page.evaluateHandle(
    `(() => {
       const bytes = Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));
       const transfer = new DataTransfer();
       transfer.items.add(new File([bytes], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }));
       return transfer;
     })()`,
  );
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface ApiSummary {
  rows: number;
  cleaned_rows: number;
  include_risky: boolean;
  by_status: Record<string, number>;
  riskiest_domains: Array<{ domain: string; rows: number; undeliverable: number; unknown: number }>;
}

describe('the web console', () => {
  it('signs in, uploads contacts.csv, watches it, downloads cleaned.csv, schedules, checks an address', async () => {
    const started = Date.now();
    const watched = await open(main);
    const { page } = watched;
    const violations: string[] = [];

    // The page as loaded, before compression: within the budget.
    const weight = await pageWeight(page);
    expect(Object.keys(weight)).toEqual(
      expect.arrayContaining(['/', '/console/app.js', '/console/styles.css']),
    );
    // Against a build (LISTCLEAN_DIST=<dist>, as .ci/run does): the page is that build's files.
    const dist = process.env.LISTCLEAN_DIST;
    if (dist) {
      for (const file of ['app.js', 'styles.css']) {
        const served = Buffer.from(
          await (await fetch(`${main.base}/console/${file}`)).arrayBuffer(),
        );
        expect(served.equals(await readFile(path.join(dist, 'console', file))), file).toBe(true);
      }
    }
    const total = Object.values(weight).reduce((sum, n) => sum + n, 0);
    console.log(`console page weight: ${total} bytes`, weight);
    expect(weight['/console/app.js']).toBeGreaterThan(10_000);
    expect(total).toBeLessThan(BUDGET_BYTES);
    // Motion (the buttons' colour fade) for those who have not asked for less.
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('main button')).transitionDuration",
      ),
    ).toBe('0.15s');

    await shot(page, '01-sign-in');
    violations.push(...(await axe(page, 'sign-in')));
    // A wrong key is refused in words, and nothing is kept.
    await page.keyboard.type('not-a-key-0123456789');
    await page.keyboard.press('Enter');
    await page
      .getByRole('alert')
      .getByText(/ \(unauthorized\)$/)
      .waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.getByLabel('API key').fill('');
    await signIn(page, ACME_KEY);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([ACME_KEY]);
    expect(page.url()).not.toContain(ACME_KEY);
    await page.getByText('No lists yet').waitFor();
    violations.push(...(await axe(page, 'lists-empty')));

    // Upload: the file input, then what the server detected.
    await page.getByRole('link', { name: 'Upload a list' }).click();
    await page.getByRole('heading', { name: 'Upload a list' }).waitFor();
    await page.setInputFiles('#file', 'examples/contacts.csv');
    await page.getByRole('heading', { name: 'What the server found' }).waitFor();
    const column = page.getByLabel('Email column');
    expect(await column.locator('option:checked').textContent()).toBe(
      '3 · E-Mail Address — holds addresses',
    );
    expect(await column.locator('option').allTextContents()).toEqual([
      '1 · First Name',
      '2 · Last Name',
      '3 · E-Mail Address — holds addresses',
      '4 · Company',
      '5 · Lead Source',
    ]);
    const facts = page.locator('dl.facts').first();
    await expect.poll(() => facts.textContent()).toContain('Delimitersemicolon (;)');
    expect(await facts.textContent()).toContain('EncodingUTF-8, with byte-order mark');
    expect(await facts.textContent()).toContain('Header rowyes');
    expect(await page.locator('th.email-col').textContent()).toBe('E-Mail Addressemail');
    expect(await page.locator('table.sample tbody tr').count()).toBe(10);
    expect(await page.locator('table.sample tbody tr').first().textContent()).toContain(
      'betty.williams@wingtip.io',
    );
    await shot(page, '02-upload-detected');
    violations.push(...(await axe(page, 'upload')));

    // Another column, chosen from the list: the server's refusal in words, and no start.
    await column.selectOption('1');
    await page.getByText('No column can be used as it is').waitFor();
    const columnAlert = page.locator('#main .alert-slot .error').first();
    await expect
      .poll(() => columnAlert.textContent())
      .toMatch(/^Column .*First Name.* holds almost no email addresses/);
    const start = page.getByRole('button', { name: 'Start cleaning' });
    expect(await start.getAttribute('aria-disabled')).toBe('true');
    // (Playwright will not click an aria-disabled button; a keyboard user can press it.)
    await start.focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('alert')
      .getByText('Choose the column that holds the email addresses first.')
      .waitFor();
    expect(page.url()).toMatch(/#\/upload$/);
    await column.selectOption('3');
    await page.getByText('Column 3, as you chose.').waitFor();
    expect(await page.locator('th.email-col').textContent()).toBe('E-Mail Addressemail');
    expect(await start.getAttribute('aria-disabled')).toBe('false');

    // Options: risky rows kept, and a webhook — first one the server refuses, said in words.
    await page.getByLabel(/Keep risky addresses/).check();
    await page.getByLabel('Webhook URL (optional)').fill('ftp://127.0.0.1/hook');
    await start.click();
    await page
      .getByRole('alert')
      .getByText(
        'webhook_url is refused: the webhook URL must be http or https, not ftp. (invalid_webhook_url)',
      )
      .waitFor();
    expect(page.url()).toMatch(/#\/upload$/);
    await page.getByLabel('Webhook URL (optional)').fill(hookUrl);

    // Start, then the list's page follows it live.
    await start.click();
    await page.waitForURL(/#\/lists\/[0-9a-f-]{36}$/);
    acmeList = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'contacts.csv', level: 1 }).waitFor();
    const seen = new Set<string>();
    const progress = page.locator('#list-progress');
    const values = new Set<number>();
    let midway = false;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const status = (await page.locator('.status-line').textContent()) ?? '';
      seen.add(status);
      const value = Number(await progress.getAttribute('value'));
      const max = Number(await progress.getAttribute('max'));
      values.add(value);
      if (!midway && value > 0 && value < max) {
        midway = true;
        await shot(page, '03-list-progress');
      }
      if (status.startsWith('Done')) break;
      await page.waitForTimeout(250);
    }
    expect(
      [...seen].some((s) => s.startsWith('Done')),
      [...seen].join(' | '),
    ).toBe(true);
    // It was watched while running, not only found done: the page moved on by itself.
    expect(seen.size).toBeGreaterThan(1);
    expect(values.size).toBeGreaterThan(1);
    await page.getByRole('heading', { name: 'Downloads' }).waitFor();
    const list = await apiGet<{ summary: ApiSummary }>(main, `/v1/lists/${acmeList}`);
    const { summary } = list;
    expect(summary.include_risky).toBe(true);

    // The summary as charts: statuses, reasons, bounce rate before and after, riskiest domains.
    await page.getByRole('img', { name: /^Rows by status: deliverable \d+/ }).waitFor();
    await page.getByRole('img', { name: /^Rows by reason: accepted \d+/ }).waitFor();
    await page
      .getByRole('img', { name: /^Expected bounce rate: before cleaning [\d.]+%, after cleaning/ })
      .waitFor();
    expect(summary.riskiest_domains.length).toBeGreaterThan(0);
    const [top] = summary.riskiest_domains;
    await page
      .getByRole('img', {
        name: new RegExp(
          `^Riskiest domains \\(undeliverable and unknown rows\\): ${top?.domain.replaceAll('.', '\\.')} ${(top?.undeliverable ?? 0) + (top?.unknown ?? 0)},`,
        ),
      })
      .waitFor();
    expect(await page.locator('table.riskiest tbody th').allTextContents()).toEqual(
      summary.riskiest_domains.map((d) => d.domain),
    );
    expect(await page.locator('#main dl.facts').nth(1).textContent()).toContain(
      `Rows in cleaned.csv${summary.cleaned_rows} (risky ones kept)`,
    );
    await shot(page, '04-list-done');
    // The README's picture (docs/console.png is copied from it): the summary's charts.
    await page.evaluate(
      "scrollTo(0, document.getElementById('summary-h').getBoundingClientRect().top + scrollY - 24)",
    );
    await shot(page, 'console', false);
    violations.push(...(await axe(page, 'list-done')));

    // The webhook was told, with the list's id.
    await expect
      .poll(() => delivered.find((d) => d.list?.id === acmeList)?.list?.status, { timeout: 15_000 })
      .toBe('done');

    // Every report one click away: the CSVs and the zip saved, the JSON and the page in tabs.
    const labels = await page.locator('ul.downloads button').allTextContents();
    expect(labels).toHaveLength(10);
    for (const label of labels) {
      const button = page.getByRole('button', { name: label, exact: true });
      const file = label.replace(/^(Download|Open) /, '');
      if (label.startsWith('Download')) {
        const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
        expect(download.suggestedFilename(), label).toBe(`contacts-${file}`);
        const saved = path.join(ARTIFACTS, download.suggestedFilename());
        await download.saveAs(saved);
        expect((await readFile(saved)).length, label).toBeGreaterThan(0);
      } else {
        const [tab] = await Promise.all([watched.context.waitForEvent('page'), button.click()]);
        await tab.waitForLoadState();
        const body = (await tab.textContent('body')) ?? '';
        if (file === 'summary.json') {
          expect(JSON.parse(body)).toMatchObject({ cleaned_rows: summary.cleaned_rows });
        } else {
          expect(await tab.title()).toContain('contacts.csv');
        }
        expect(tab.url()).not.toContain(ACME_KEY);
        await tab.close();
      }
    }

    // cleaned.csv: with the input's header and the summary's row count.
    const cleanedText = await readFile(path.join(ARTIFACTS, 'contacts-cleaned.csv'), 'utf8');
    const inputText = await readFile('examples/contacts.csv', 'utf8');
    expect(cleanedText.split(/\r?\n/)[0]).toBe(inputText.split(/\r?\n/)[0]);
    const cleaned = parseCsv(cleanedText, { delimiter: ';', bom: true }) as string[][];
    expect(cleaned.length - 1).toBe(summary.cleaned_rows);
    expect(summary.cleaned_rows).toBeGreaterThan(300);
    // Its rows are those of report.csv (every row with its verdict) whose address is deliverable
    // or risky (kept, as asked), each address once.
    const reportRows = parseCsv(
      await readFile(path.join(ARTIFACTS, 'contacts-report.csv'), 'utf8'),
      { delimiter: ';', bom: true, columns: true },
    ) as Array<Record<string, string>>;
    expect(reportRows).toHaveLength(summary.rows);
    const kept = new Set(
      reportRows
        .filter((row) => row.status === 'deliverable' || row.status === 'risky')
        .map((row) => row.email_normalized),
    );
    const addresses = cleaned.slice(1).map((row) => (row[2] ?? '').toLowerCase());
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(new Set(addresses)).toEqual(kept);
    expect(cleaned.every((row) => row.length === 5)).toBe(true);

    // A nightly schedule at 03:00, Berlin time.
    await page.getByRole('heading', { name: 'Hygiene' }).scrollIntoViewIfNeeded();
    await page.getByText('No schedule').waitFor();
    const repeat = page.getByLabel('Repeat');
    const cron = page.getByLabel('Cron expression');
    const zone = page.getByLabel('Time zone');
    const save = page.getByRole('button', { name: 'Save schedule' });
    await repeat.selectOption({ label: 'Nightly at 03:00' });
    expect(await cron.inputValue()).toBe('0 3 * * *');
    await zone.selectOption('Europe/Berlin');
    await save.click();
    await page.getByText('Scheduled: Nightly at 03:00 (0 3 * * *), Europe/Berlin').waitFor();
    const schedulePath = `/v1/lists/${acmeList}/schedule`;
    expect(await apiGet(main, schedulePath)).toMatchObject({
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
    });
    // Changed through the field and another zone; a cron the server refuses, in its words.
    await cron.fill('every night');
    expect(await repeat.inputValue()).toBe('custom');
    await save.click();
    await page
      .getByRole('alert')
      .getByText(/\(invalid_cron\)$/)
      .waitFor();
    await cron.fill('30 2 * * 1-5');
    await zone.selectOption('America/New_York');
    await save.click();
    await page.getByText('Scheduled: cron 30 2 * * 1-5, America/New_York').waitFor();
    expect(await apiGet(main, schedulePath)).toMatchObject({
      cron: '30 2 * * 1-5',
      timezone: 'America/New_York',
    });
    // Removed.
    await page.getByRole('button', { name: 'Remove schedule' }).click();
    await page.getByText('No schedule').waitFor();
    expect(await apiCall(main, schedulePath)).toMatchObject({
      status: 404,
      body: { error: { code: 'no_schedule' } },
    });
    // And nightly again, as the list keeps it.
    await repeat.selectOption({ label: 'Nightly at 03:00' });
    await zone.selectOption('Europe/Berlin');
    await save.click();
    await page.getByText('Scheduled: Nightly at 03:00 (0 3 * * *), Europe/Berlin').waitFor();
    expect(await apiGet(main, schedulePath)).toMatchObject({
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
    });
    // The first run is listed with its summary and files.
    const run = page.locator('table.runs tbody tr', { hasText: 'initial' });
    await run.waitFor();
    const n = (x: number | undefined) => (x ?? 0).toLocaleString('en-GB');
    expect(await run.textContent()).toContain(
      `${n(summary.by_status.deliverable)} deliverable, ${n(summary.by_status.undeliverable)} undeliverable`,
    );
    const [changes] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download changes.csv of run initial' }).click(),
    ]);
    expect(changes.suggestedFilename()).toMatch(/changes\.csv$/);
    await shot(page, '05-hygiene');
    violations.push(...(await axe(page, 'hygiene')));

    // One address: its verdict, reason and flags.
    await page.getByRole('link', { name: 'Check an address' }).click();
    await page.getByLabel('Email address').fill('alice@acme-corp.com');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const verdict = page.locator('.verdict');
    await verdict.getByText('deliverable', { exact: true }).waitFor({ timeout: 25_000 });
    const said = (await verdict.textContent()) ?? '';
    for (const fact of [
      'Reasonaccepted',
      'Role addressno',
      'Free mail providerno',
      'Disposableno',
      'Catch-all domainno',
      'SMTP reply250 2.1.5',
    ]) {
      expect(said).toContain(fact);
    }
    expect(said).toMatch(/Mail servermx[12]\.acme-corp\.com/);
    await shot(page, '06-check');
    violations.push(...(await axe(page, 'check')));

    // Back to the lists: the new one, done, with its counts and a full bar.
    await page.getByRole('link', { name: 'Lists', exact: true }).click();
    await page.getByRole('link', { name: 'contacts.csv' }).waitFor();
    const card = page.locator('li.list-card', { hasText: 'contacts.csv' });
    expect(await card.locator('.badge').textContent()).toBe('Done');
    expect(await card.locator('.counts').textContent()).toContain(
      `${n(summary.by_status.deliverable)} deliverable`,
    );
    const bar = card.locator('progress');
    expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
    await page.getByLabel('Search by name').fill('contacts');
    await page.getByText('1 of 1 list(s) match').waitFor();
    await page.getByLabel('Search by name').fill('nothing like it');
    await page.getByText('0 of 1 list(s) match').waitFor();
    await page.getByLabel('Search by name').fill('');
    await shot(page, '07-lists');
    violations.push(...(await axe(page, 'lists')));

    expect(violations).toEqual([]);
    checkRequests(watched);
    await watched.context.close();
    console.log(`console e2e flow: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 150_000);

  it('shows another tenant none of those lists, on a phone, by keyboard, with less motion', async () => {
    expect(acmeList).not.toBe('');
    const watched = await open(main, {
      viewport: { width: 390, height: 844 },
      reducedMotion: 'reduce',
    });
    const { page } = watched;
    expect(
      await page.evaluate(
        "getComputedStyle(document.querySelector('main button')).transitionDuration",
      ),
    ).toBe('0s');
    await signIn(page, GLOBEX_KEY);
    await page.getByText('No lists yet').waitFor();
    expect(await page.getByRole('link', { name: 'contacts.csv' }).count()).toBe(0);
    const { body: index } = await apiCall<{ lists: unknown[] }>(main, '/v1/lists', {
      key: GLOBEX_KEY,
    });
    expect(index.lists).toEqual([]);
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // By keyboard from the heading: the search field, then the upload link, focus drawn.
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('list-search');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineWidth')).toBe(
      '3px',
    );
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Upload a list');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Upload a list' }).waitFor();
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    await page.goBack();
    await page.getByRole('heading', { name: 'Lists', level: 1 }).waitFor();
    await shot(page, '08-other-tenant-phone');
    const violations = await axe(page, 'other-tenant');
    // The first tenant's list, asked for by its id: as if it did not exist, said in words.
    await page.goto(`${main.base}/#/lists/${acmeList}`);
    await page
      .getByRole('alert')
      .getByText(/No list .* \(list_not_found\)/)
      .waitFor();
    await shot(page, '09-other-tenant-list');
    violations.push(...(await axe(page, 'other-tenant-list')));
    expect(violations).toEqual([]);
    // Signing out forgets the key.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Signed out. The key is forgotten in this tab.').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    // A reload stays signed out.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    checkRequests(watched);
    await watched.context.close();
    // The server logged no key and no link signature.
    expect(main.output()).not.toContain(ACME_KEY);
    expect(main.output()).not.toContain(GLOBEX_KEY);
    expect(main.output()).not.toMatch(/sig=[A-Za-z0-9_-]{43}/);
  }, 60_000);

  it('shows a dropped .xlsx list waiting for greylisting, its partial reports, and deletes it after asking', async () => {
    // An older list, uploaded by the API, so the index has two to order.
    const older = await apiCall<{ id: string }>(slow, '/v1/lists?name=older.csv', {
      method: 'POST',
      type: 'text/csv',
      body: 'Email\nbob@acme-corp.com\n',
    });
    expect(older.status).toBe(202);
    const watched = await open(slow);
    const { page } = watched;
    const violations: string[] = [];
    await signIn(page, ACME_KEY);
    await page.getByRole('link', { name: 'Upload a list' }).click();
    await page.getByRole('heading', { name: 'Upload a list' }).waitFor();
    const workbook = await makeWorkbook({
      name: 'People',
      rows: [
        ['Name', 'Mail'],
        ['Alice', 'alice@acme-corp.com'],
        ['Stu', 'stu@stubborn.net'],
        ['Bob', 'bob@acme-corp.com'],
      ],
    });
    await drop(page, '.dropzone', 'people.xlsx', XLSX_TYPE, workbook);
    await page.getByRole('heading', { name: 'What the server found' }).waitFor();
    expect(await page.locator('dl.facts').first().textContent()).toContain(
      'FormatExcel workbook: its first sheet',
    );
    expect(await page.getByLabel('Email column').locator('option:checked').textContent()).toBe(
      '2 · Mail — holds addresses',
    );
    expect(await page.locator('table.sample tbody tr').count()).toBe(3);
    await page.getByLabel('Deadline').fill('10m');
    await page.getByRole('button', { name: 'Start cleaning' }).click();
    await page.waitForURL(/#\/lists\/[0-9a-f-]{36}$/);
    const id = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'people.xlsx', level: 1 }).waitFor();

    // Two verified, one waiting for a greylisting retry an hour away: said, with until when.
    const progress = page.locator('#list-progress');
    await expect.poll(() => progress.getAttribute('value'), { timeout: 30_000 }).toBe('2');
    expect(await progress.getAttribute('max')).toBe('3');
    const waiting = page.locator('.waiting');
    await waiting.getByText('1 waiting for a greylisting retry').waitFor({ timeout: 15_000 });
    expect(await waiting.textContent()).toMatch(
      // The retry is an hour away; the deadline, in 10 minutes, comes first.
      /1 address\(es\) wait before they can be asked again, until .+ \(in (9|10) min\) at the latest\./,
    );
    expect(await waiting.locator('tbody tr').first().textContent()).toContain('stubborn.net');
    const numbers = (await page.locator('#main dl.facts').first().textContent()) ?? '';
    expect(numbers).toContain('Pending1');
    expect(numbers).toMatch(/Deadline.+\(in (9|10) min\)/);
    expect(numbers).toMatch(/Expected doneby the deadline at the latest \(in (9|10) min\)/);
    const detail = await apiGet<{ status: string; progress: { waiting: { greylisted: number } } }>(
      slow,
      `/v1/lists/${id}`,
    );
    expect(detail).toMatchObject({ status: 'verifying', progress: { waiting: { greylisted: 1 } } });
    await shot(page, '10-list-waiting');
    violations.push(...(await axe(page, 'list-waiting')));

    // What is known so far: report.csv with the waiting row marked pending.
    const [partial] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report.csv so far' }).click(),
    ]);
    expect(partial.suggestedFilename()).toBe('people-partial-report.csv');
    const saved = path.join(ARTIFACTS, 'people-partial-report.csv');
    await partial.saveAs(saved);
    const rows = (await readFile(saved, 'utf8')).split(/\r?\n/).filter((line) => line !== '');
    expect(rows).toHaveLength(4);
    expect(rows.find((row) => row.includes('stu@stubborn.net'))).toContain(',pending,');
    expect(rows.find((row) => row.includes('alice@acme-corp.com'))).toContain(',deliverable,');
    const [summaryTab] = await Promise.all([
      watched.context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open summary.json so far' }).click(),
    ]);
    await summaryTab.waitForLoadState();
    expect(JSON.parse((await summaryTab.textContent('body')) ?? '')).toMatchObject({
      rows: 3,
      pending: 1,
    });
    await summaryTab.close();

    // The index: newest first, this one with its bar part-way.
    await page.getByRole('link', { name: '← All lists' }).click();
    await page.getByRole('link', { name: 'people.xlsx' }).waitFor();
    expect(await page.locator('.list-name').allTextContents()).toEqual([
      'people.xlsx',
      'older.csv',
    ]);
    const card = page.locator('li.list-card', { hasText: 'people.xlsx' });
    expect(await card.locator('.badge').textContent()).toBe('Verifying');
    expect(await card.locator('progress').getAttribute('value')).toBe('2');
    expect(await card.locator('progress').getAttribute('max')).toBe('3');
    await shot(page, '11-lists-waiting');

    // Delete: asked first; cancelled, nothing happens; confirmed, it is gone.
    await page.getByRole('link', { name: 'people.xlsx' }).click();
    await page.getByRole('heading', { name: 'people.xlsx', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete this list…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the list?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('people.xlsx, its reports');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    violations.push(...(await axe(page, 'delete-dialog')));
    await shot(page, '12-delete-dialog', false);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect((await apiCall(slow, `/v1/lists/${id}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete this list…' }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL(/#\/lists$/);
    await page.getByRole('link', { name: 'older.csv' }).waitFor();
    expect(await page.getByRole('link', { name: 'people.xlsx' }).count()).toBe(0);
    expect(await apiCall(slow, `/v1/lists/${id}`)).toMatchObject({
      status: 404,
      body: { error: { code: 'list_not_found' } },
    });

    expect(violations).toEqual([]);
    checkRequests(watched);
    await watched.context.close();
    expect(slow.output()).not.toContain(ACME_KEY);
  }, 90_000);
});
