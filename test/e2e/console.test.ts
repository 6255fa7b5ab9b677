/**
 * The web console end to end: Debian's Chromium (headless, through playwright-core) against a
 * real `listclean serve --with-workers` on the sandbox mail world. One tenant signs in, uploads
 * examples/contacts.csv, sees the detected email column, starts it, watches it verified,
 * downloads cleaned.csv, sets a nightly schedule and checks one address; another tenant sees
 * none of it. axe-core checks every screen (no serious or critical violations), no request
 * leaves the server's origin or carries the key in its URL, and the page breaks no CSP rule.
 * Screenshots go to test-artifacts/console/.
 *
 * Chromium is the apt package `chromium` (CI's .ci/run installs it): without it this test
 * fails, saying so, rather than skipping.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

let world: SandboxWorld;
let serve: ChildProcess;
let browser: Browser;
let base: string;
let storage: string;
let serveOutput: () => string = () => '';
const prefix = `lctest-console-${process.pid}`;
/** The list the first test makes: the second must not see it. */
let acmeList = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's end-to-end test needs it. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does so when it is missing).',
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  storage = await mkdtemp(path.join(os.tmpdir(), 'listclean-console-'));
  world = await startWorld(await loadScenario('examples/sandbox-scenario.yaml'));
  const port = await freePort();
  serve = track(
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
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  serveOutput = (await waitForStderr(serve, 'listening on', 30_000)).stderr;
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (serve) await stopChild(serve);
  await world?.close();
  await deleteTestPrefix(prefix);
  if (storage) await rm(storage, { recursive: true, force: true });
}, 30_000);

interface Watched {
  page: Page;
  context: BrowserContext;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors and CSP violations. */
  problems: string[];
}

async function open(options: { viewport?: { width: number; height: number } } = {}) {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  const page = await context.newPage();
  const watched: Watched = { page, context, requests: [], problems: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') watched.problems.push(message.text());
  });
  page.on('pageerror', (error) => watched.problems.push(String(error)));
  await page.goto(`${base}/`);
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
  // axe ran for real: a page this size passes dozens of rules.
  expect(result.passes.length, screen).toBeGreaterThan(15);
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

async function apiGet<T>(route: string, key = ACME_KEY): Promise<T> {
  const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status, route).toBe(200);
  return (await response.json()) as T;
}

/** Requests stay on the server's origin, and no URL carries an API key. */
function checkRequests(watched: Watched): void {
  const foreign = watched.requests.filter((url) => !url.startsWith(`${base}/`));
  expect(foreign).toEqual([]);
  const keyed = watched.requests.filter(
    (url) => url.includes(ACME_KEY) || url.includes(GLOBEX_KEY),
  );
  expect(keyed).toEqual([]);
  expect(watched.problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
}

describe('the web console', () => {
  it('signs in, uploads contacts.csv, watches it, downloads cleaned.csv, schedules, checks an address', async () => {
    const started = Date.now();
    const watched = await open();
    const { page } = watched;
    const violations: string[] = [];

    await shot(page, '01-sign-in');
    violations.push(...(await axe(page, 'sign-in')));
    await signIn(page, ACME_KEY);
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
    await expect
      .poll(() => page.locator('dl.facts').first().textContent())
      .toContain('semicolon (;)');
    expect(await page.locator('th.email-col').textContent()).toBe('E-Mail Addressemail');
    expect(await page.locator('table.sample tbody tr').count()).toBe(10);
    await shot(page, '02-upload-detected');
    violations.push(...(await axe(page, 'upload')));

    // Start, then the list's page follows it live.
    await page.getByRole('button', { name: 'Start cleaning' }).click();
    await page.waitForURL(/#\/lists\/[0-9a-f-]{36}$/);
    acmeList = decodeURIComponent(page.url().split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'contacts.csv', level: 1 }).waitFor();
    const seen = new Set<string>();
    const progress = page.locator('#list-progress');
    let midway = false;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const status = (await page.locator('.status-line').textContent()) ?? '';
      seen.add(status);
      const value = Number(await progress.getAttribute('value'));
      const max = Number(await progress.getAttribute('max'));
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
    // It was watched while running, not only found done.
    expect(seen.size).toBeGreaterThan(1);
    await page.getByRole('heading', { name: 'Downloads' }).waitFor();
    await page.getByRole('img', { name: /^Rows by status: deliverable \d+/ }).waitFor();
    await shot(page, '04-list-done');
    await page.getByRole('heading', { name: 'Summary' }).scrollIntoViewIfNeeded();
    await shot(page, 'console', false);
    violations.push(...(await axe(page, 'list-done')));

    // cleaned.csv: saved by the browser, with the input's header and the summary's row count.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download cleaned.csv', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('contacts-cleaned.csv');
    const saved = path.join(ARTIFACTS, 'contacts-cleaned.csv');
    await download.saveAs(saved);
    const cleaned = (await readFile(saved, 'utf8')).split(/\r?\n/).filter((line) => line !== '');
    const input = (await readFile('examples/contacts.csv', 'utf8')).split(/\r?\n/);
    expect(cleaned[0]).toBe(input[0]);
    const list = await apiGet<{
      summary: { cleaned_rows: number; by_status: { deliverable: number } };
    }>(`/v1/lists/${acmeList}`);
    expect(cleaned.length - 1).toBe(list.summary.cleaned_rows);
    expect(list.summary.cleaned_rows).toBeGreaterThan(300);

    // A nightly schedule at 03:00, Berlin time.
    await page.getByRole('heading', { name: 'Hygiene' }).scrollIntoViewIfNeeded();
    await page.getByText('No schedule').waitFor();
    await page.getByLabel('Repeat').selectOption({ label: 'Nightly at 03:00' });
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Scheduled: Nightly at 03:00 (0 3 * * *), Europe/Berlin').waitFor();
    const schedule = await apiGet<{ cron: string; timezone: string }>(
      `/v1/lists/${acmeList}/schedule`,
    );
    expect(schedule).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    // The first run is listed with its files.
    await page.getByRole('button', { name: 'Download changes.csv of run initial' }).waitFor();
    await shot(page, '05-hygiene');
    violations.push(...(await axe(page, 'hygiene')));

    // One address.
    await page.getByRole('link', { name: 'Check an address' }).click();
    await page.getByLabel('Email address').fill('alice@acme-corp.com');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const verdict = page.locator('.verdict');
    await verdict.getByText('deliverable', { exact: true }).waitFor({ timeout: 25_000 });
    expect(await verdict.textContent()).toContain('Reasonaccepted');
    await shot(page, '06-check');
    violations.push(...(await axe(page, 'check')));

    // Back to the lists: the new one, done, with its counts.
    await page.getByRole('link', { name: 'Lists', exact: true }).click();
    await page.getByRole('link', { name: 'contacts.csv' }).waitFor();
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
  }, 120_000);

  it('shows another tenant none of those lists, and reads well on a phone', async () => {
    expect(acmeList).not.toBe('');
    const watched = await open({ viewport: { width: 390, height: 844 } });
    const { page } = watched;
    await signIn(page, GLOBEX_KEY);
    await page.getByText('No lists yet').waitFor();
    expect(await page.getByRole('link', { name: 'contacts.csv' }).count()).toBe(0);
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '08-other-tenant-phone');
    const violations = await axe(page, 'other-tenant');
    // The first tenant's list, asked for by its id: as if it did not exist, said in words.
    await page.goto(`${base}/#/lists/${acmeList}`);
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
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    checkRequests(watched);
    await watched.context.close();
    // The server logged no key and no link signature.
    expect(serveOutput()).not.toContain(ACME_KEY);
    expect(serveOutput()).not.toMatch(/sig=[A-Za-z0-9_-]{43}/);
  }, 60_000);
});
