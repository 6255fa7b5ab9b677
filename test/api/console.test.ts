/**
 * What the web console stands on, over HTTP: its static files at / and /console/* (strict CSP,
 * gzip, ETags; /v1 keeps its auth and 404s), POST /v1/lists/preview (the upload's own
 * detection, before uploading), GET /v1/lists with progress, and signed report links (no key
 * in the URL; expired, tampered, another report or another tenant's list: 401).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/api/logger.ts';
import { checkLink, LINK_TTL_SECONDS, signLink } from '../../src/api/signed-links.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { startWorkers, type WorkerPool } from '../../workers/pool.ts';
import { makeWorkbook } from '../helpers/xlsx.ts';
import { ACME_KEY, type ApiUnderTest, GLOBEX_KEY, startApi, waitForStatus } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;
let pool: WorkerPool;
let done: string;

const CSV = 'Name;E-Mail\nAnn;ann@plain.test\nBob;bob@plain.test\nNo One;nobody@plain.test\n';

async function upload(key: string, body: string, query = 'name=people.csv'): Promise<string> {
  const response = await api.call(`/v1/lists?${query}`, {
    key,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body,
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'plain.test': { mx: [{ host: 'mx.plain.test' }], mailboxes: ['ann', 'bob'] },
      'greyforever.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['gina'],
        greylist: { tries: -1 },
      },
    },
  });
  // Greylisting retries an hour away: a list with a greylisted address stays verifying.
  api = await startApi(world, { GREYLIST_RETRY_DELAYS: '1h' });
  pool = await startWorkers(api.harness.rt);
  done = await upload(ACME_KEY, CSV);
  await waitForStatus(api, done, ACME_KEY, 'done');
}, 60_000);

afterAll(async () => {
  await pool?.close(2000);
  await api?.close();
  await world?.close();
});

describe('the console files', () => {
  it('serves the page at / with a strict CSP, its script and styles under /console/', async () => {
    const page = await api.call('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    // No inline script, nothing from another host.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const script = await api.call('/console/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await script.text();
    expect(code).toContain('/v1/lists');
    // No host but the SVG namespace's name (a placeholder "https://…" names none).
    expect(code.match(/https?:\/\/(?!www\.w3\.org\/)[\w-]+\./g)).toBeNull();
    const styles = await api.call('/console/styles.css');
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const icon = await api.call('/console/icon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('weighs well under 150 KB, gzips, and answers 304 to a known ETag', async () => {
    let total = 0;
    for (const path of ['/', '/console/app.js', '/console/styles.css', '/console/icon.svg']) {
      total += (await (await api.call(path)).arrayBuffer()).byteLength;
    }
    expect(total).toBeLessThan(150 * 1024);
    const { status, headers, body } = await rawGet('/console/app.js', {
      'accept-encoding': 'gzip',
    });
    expect(status).toBe(200);
    expect(headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(body).toString('utf8')).toContain('/v1/lists');
    const etag = String(headers.etag);
    const again = await api.call('/console/app.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('leaves /v1 as it was: keys required, unknown routes and files 404 in the API shape', async () => {
    expect((await api.call('/v1/lists')).status).toBe(401);
    for (const path of ['/console/nope.js', '/console/index.html', '/nothing']) {
      const response = await api.call(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

/** fetch decompresses by itself; the raw bytes need node:http. */
async function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get(`${api.base}${path}`, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

async function preview(
  body: string | Buffer,
  contentType = 'text/csv',
  query = '',
  key = ACME_KEY,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await api.call(`/v1/lists/preview${query}`, {
    key,
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /v1/lists/preview', () => {
  it('says what the upload would detect in the first 64 KiB of examples/contacts.csv', async () => {
    const file = await readFile('examples/contacts.csv');
    const { status, body } = await preview(file.subarray(0, 64 * 1024));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      format: 'csv',
      encoding: 'utf8',
      bom: true,
      delimiter: ';',
      has_header: true,
      columns: ['First Name', 'Last Name', 'E-Mail Address', 'Company', 'Lead Source'],
      address_columns: [3],
      email_column: { number: 3, name: 'E-Mail Address', detected: 'header' },
      email_column_error: null,
      truncated: false,
    });
    const rows = body.rows as string[][];
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual([
      'Greta',
      'Tanaka',
      ' betty.williams@wingtip.io ',
      'Company 0',
      'import 2023',
    ]);
    // The whole file (61 KB): its 974 rows but the one with an unbalanced quote (row 500).
    expect(body.sample_rows).toBe(973);
  });

  it('checks a chosen column as column= would, and names the refusal without failing', async () => {
    const given = await preview(CSV, 'text/csv', '?column=E-Mail');
    expect(given.body.email_column).toEqual({ number: 2, name: 'E-Mail', detected: 'given' });
    const wrong = await preview(CSV, 'text/csv', '?column=1');
    expect(wrong.status).toBe(200);
    expect(wrong.body.email_column).toBeNull();
    expect(wrong.body.email_column_error).toMatchObject({ code: 'column_has_no_addresses' });
    const none = await preview('Name;Phone\nAnn;123\nBob;456\n');
    expect(none.body).toMatchObject({
      email_column: null,
      email_column_error: { code: 'no_email_column' },
      address_columns: [],
      columns: ['Name', 'Phone'],
    });
  });

  it('previews an .xlsx workbook as the CSV it is stored as', async () => {
    const workbook = await makeWorkbook({
      name: 'Contacts',
      rows: [
        ['Name', 'Mail'],
        ['Ann', 'ann@plain.test'],
        ['Bob', 'bob@plain.test'],
      ],
    });
    const { status, body } = await preview(
      workbook,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      format: 'xlsx',
      delimiter: ',',
      has_header: true,
      columns: ['Name', 'Mail'],
      email_column: { number: 2, name: 'Mail' },
      rows: [
        ['Ann', 'ann@plain.test'],
        ['Bob', 'bob@plain.test'],
      ],
    });
  });

  it('reads no more than the sample of a long CSV, and refuses what the upload refuses', async () => {
    const long = `Name,Email\n${'Ann,ann@plain.test\n'.repeat(20_000)}`;
    const big = await preview(long);
    expect(big.status).toBe(200);
    expect(big.body.truncated).toBe(true);
    expect((await preview('')).body).toMatchObject({ error: { code: 'empty_file' } });
    const pdf = await preview(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'));
    expect(pdf).toMatchObject({ status: 400, body: { error: { code: 'not_csv' } } });
    expect((await preview(CSV, 'text/csv', '', 'wrong-key-0123456789')).status).toBe(401);
    const form = await preview('a=b', 'application/x-www-form-urlencoded');
    expect(form).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
  });
});

describe('GET /v1/lists for the console', () => {
  it('gives each list its progress and, once done, its rows by status', async () => {
    const response = await api.call('/v1/lists', { key: ACME_KEY });
    const { lists } = (await response.json()) as {
      lists: Array<{ id: string; progress: unknown; by_status: unknown }>;
    };
    expect(lists.find((list) => list.id === done)).toMatchObject({
      progress: { rows: 3, unique: 3, verified: 3 },
      by_status: { deliverable: 2, undeliverable: 1, risky: 0, unknown: 0 },
    });
  });
});

describe('the riskiest domains for the console to chart', () => {
  it('are in summary.json and the list, ranked as report.html ranks them', async () => {
    const expected = [
      { domain: 'plain.test', rows: 3, undeliverable: 1, unknown: 0, share: 1 / 3 },
    ];
    const detail = await api.call(`/v1/lists/${done}`, { key: ACME_KEY });
    const { summary } = (await detail.json()) as { summary: { riskiest_domains: unknown } };
    expect(summary.riskiest_domains).toEqual(expected);
    const file = await api.call(`/v1/lists/${done}/reports/summary`, { key: ACME_KEY });
    expect(((await file.json()) as { riskiest_domains: unknown }).riskiest_domains).toEqual(
      expected,
    );
    const html = await (await api.call(`/v1/lists/${done}/reports/html`, { key: ACME_KEY })).text();
    expect(html).toContain('plain.test');
  });
});

interface Link {
  url: string;
  expires_at: string;
}

async function link(path: string, key = ACME_KEY): Promise<{ status: number; body: Link }> {
  const response = await api.call(`${path}/link`, { key, method: 'POST' });
  return { status: response.status, body: (await response.json()) as Link };
}

describe('signed report links', () => {
  it('open a report without the key for 60 s, exactly as the key does', async () => {
    const { status, body } = await link(`/v1/lists/${done}/reports/cleaned`);
    expect(status).toBe(200);
    expect(body.url).toMatch(
      new RegExp(`^/v1/lists/${done}/reports/cleaned\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}$`),
    );
    const lifetime = Date.parse(body.expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(50_000);
    expect(lifetime).toBeLessThanOrEqual(LINK_TTL_SECONDS * 1000);
    expect(body.url).not.toContain(ACME_KEY);
    const viaLink = await api.call(body.url);
    expect(viaLink.status).toBe(200);
    expect(viaLink.headers.get('content-disposition')).toContain('people-cleaned.csv');
    const viaKey = await api.call(`/v1/lists/${done}/reports/cleaned`, { key: ACME_KEY });
    expect(await viaLink.text()).toBe(await viaKey.text());
    // A run's reports too, changes.csv included.
    const run = await link(`/v1/lists/${done}/runs/initial/reports/changes`);
    expect(run.status).toBe(200);
    expect((await api.call(run.body.url)).status).toBe(200);
  });

  it('refuse a changed, expired or borrowed link with 401, saying which', async () => {
    const { body } = await link(`/v1/lists/${done}/reports/summary`);
    const url = new URL(body.url, api.base);
    const sig = url.searchParams.get('sig') ?? '';
    const expect401 = async (path: string, code: string) => {
      const response = await api.call(path);
      expect(response.status, path).toBe(401);
      expect(await response.json(), path).toMatchObject({ error: { code } });
    };
    // Another report, partial added, another expiry, a flipped signature.
    await expect401(body.url.replace('/reports/summary', '/reports/report'), 'link_invalid');
    await expect401(`${body.url}&partial=true`, 'link_invalid');
    const later = Number(url.searchParams.get('expires')) + 1;
    await expect401(body.url.replace(/expires=\d+/, `expires=${later}`), 'link_invalid');
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    await expect401(body.url.replace(sig, flipped), 'link_invalid');
    await expect401(`/v1/lists/${done}/reports/summary?sig=${sig}`, 'link_invalid');
    // The same bytes spelt otherwise (the last character's unused bits set): not ours either.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelt = `${sig.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(sig.slice(-1)) + 1]}`;
    expect(Buffer.from(respelt, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    await expect401(body.url.replace(sig, respelt), 'link_invalid');
    // Signed for long ago: expired. Signed for far ahead: not one of ours.
    const keys = api.harness.rt.config.API_KEYS;
    const target = { list: done, kind: 'summary', run: null, partial: false };
    const old = signLink(keys, 'acme', target, Date.now() - 120_000);
    await expect401(old.url, 'link_expired');
    const ahead = signLink(keys, 'acme', target, Date.now() + 3_600_000);
    await expect401(ahead.url, 'link_invalid');
    // Another tenant's key signs nothing for acme's list, and no link is made for it.
    const globex = signLink(keys, 'globex', target);
    await expect401(globex.url, 'link_invalid');
    expect((await link(`/v1/lists/${done}/reports/summary`, GLOBEX_KEY)).status).toBe(404);
    // A list that does not exist answers like a bad signature: ids are not confirmed.
    const missing = signLink(keys, 'acme', { ...target, list: 'no-such-list' });
    await expect401(missing.url, 'link_invalid');
    // The key works alongside a link.
    expect((await api.call(body.url, { key: ACME_KEY })).status).toBe(200);
  });

  it('are only made for reports there are, and partial ones while the list runs', async () => {
    expect((await link(`/v1/lists/${done}/reports/nope`)).status).toBe(404);
    expect((await link(`/v1/lists/${done}/runs/nope/reports/changes`)).status).toBe(404);
    // A list that waits for greylisting: partial links work, final ones are 409 not_ready.
    const slow = await upload(
      ACME_KEY,
      'Email\ngina@greyforever.test\n',
      'name=slow.csv&deadline=0',
    );
    const early = await link(`/v1/lists/${slow}/reports/report`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'not_ready' } });
    const partial = await api.call(`/v1/lists/${slow}/reports/report/link?partial=true`, {
      key: ACME_KEY,
      method: 'POST',
    });
    expect(partial.status).toBe(200);
    const partialLink = (await partial.json()) as Link;
    expect(partialLink.url).toContain('partial=true');
  });

  it('checks signatures in constant time and keeps them out of logs', () => {
    const keys = [
      { tenant: 'acme', key: 'k1-0123456789abcdef' },
      { tenant: 'acme', key: 'k2-0123456789abcdef' },
    ];
    const target = { list: 'L', kind: 'cleaned', run: null, partial: false };
    const signed = signLink(keys, 'acme', target);
    const url = new URL(signed.url, 'http://x');
    const expires = url.searchParams.get('expires') ?? '';
    const sig = url.searchParams.get('sig') ?? '';
    expect(checkLink(keys, 'acme', target, expires, sig)).toBe('ok');
    // Any of the tenant's keys checks it (rotation); a key taken out takes its links along.
    expect(checkLink([...keys].reverse(), 'acme', target, expires, sig)).toBe('ok');
    expect(checkLink(keys.slice(1), 'acme', target, expires, sig)).toBe('invalid');
    expect(checkLink(keys, 'acme', { ...target, run: 'r1' }, expires, sig)).toBe('invalid');
    expect(checkLink(keys, 'acme', target, 'soon', sig)).toBe('invalid');
    expect(redactUrl(signed.url)).not.toContain(sig);
  });
});
