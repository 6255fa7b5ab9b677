/**
 * POST /v1/verify and GET /v1/verify/:id over a real socket against the sandbox world: one
 * address, a batch, greylisting answered pending then final, the verdict cache, tenants kept
 * apart, a server that stops mid-verification, bad requests, the rate limit and the spec.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/index.ts';
import { type SandboxWorld, startWorld } from '../../src/sandbox/index.ts';
import { CLI_CONTRACT_FIELDS } from '../helpers/contract.ts';
import { ACME_KEY, type ApiUnderTest, GLOBEX_KEY, startApi } from './helpers.ts';

let world: SandboxWorld;
let api: ApiUnderTest;

beforeAll(async () => {
  world = await startWorld({
    domains: {
      'acme.test': { mx: [{ host: 'mx.acme.test' }], mailboxes: ['alice', 'bob'] },
      'cached.test': { mx: [{ host: 'mx.cached.test' }], mailboxes: ['carol'] },
      // Each test greylists mailboxes of its own: a triplet that passed is let through for good.
      'grey.test': {
        mx: [{ host: 'mx.grey.test' }],
        mailboxes: ['g1', 'g2'],
        greylist: { tries: 1 },
      },
      'stuck.test': { mx: [{ host: 'mx.grey.test' }], mailboxes: ['s'], greylist: { tries: -1 } },
    },
  });
  api = await startApi(world, { GREYLIST_RETRY_DELAYS: '2s' });
});

afterAll(async () => {
  await api?.close();
  await world?.close();
});

interface Entry {
  email: string;
  email_normalized: string | null;
  status: string;
  reason: string | null;
  rule?: string | null;
  detail: string | null;
  checked_at?: string;
  next_attempt_at?: string | null;
  [field: string]: unknown;
}

interface Batch {
  id: string;
  status: 'pending' | 'done';
  pending: number;
  created_at: string;
  updated_at: string;
  results: Entry[];
}

interface ErrorBody {
  error: { code: string; message: string };
}

function post(
  body: unknown,
  options: { key?: string; query?: string; base?: string } = {},
): Promise<Response> {
  const init: RequestInit = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${options.key ?? ACME_KEY}`,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
  return fetch(`${options.base ?? api.base}/v1/verify${options.query ?? ''}`, init);
}

async function getBatch(id: string, key = ACME_KEY): Promise<{ status: number; body: Batch }> {
  const response = await api.call(`/v1/verify/${id}`, { key });
  return { status: response.status, body: (await response.json()) as Batch };
}

async function until(id: string, done: (batch: Batch) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getBatch(id);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`verification ${id}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

// The contract (docs/DESIGN.md §5) and a few of our own, spelt out here, not taken from the code.
const CONTRACT_FIELDS = CLI_CONTRACT_FIELDS;

describe('POST /v1/verify', () => {
  it('verifies one address: 200, the same object as `listclean verify`, and an id', async () => {
    const response = await post({ email: 'Alice@Acme.test' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Batch;
    expect(body).toMatchObject({ status: 'done', pending: 0 });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.results).toHaveLength(1);
    const [result] = body.results;
    expect(Object.keys(result ?? {}).sort()).toEqual([...CONTRACT_FIELDS].sort());
    expect(result).toMatchObject({
      email: 'Alice@Acme.test',
      email_normalized: 'alice@acme.test',
      status: 'deliverable',
      reason: 'accepted',
      rule: 'accepted',
      mx_host: 'mx.acme.test',
      smtp_code: 250,
    });
    // A done batch can be fetched again too.
    const again = await getBatch(body.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(body);
  });

  it('verifies a batch, one entry per address in the order given (duplicates too)', async () => {
    const emails = [
      'bob@acme.test',
      'nobody@acme.test',
      'not an address',
      'x@no-such-domain.test',
      'BOB@acme.test',
    ];
    const response = await post({ emails }, { query: '?wait=10s' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Batch;
    expect(body.status).toBe('done');
    expect(body.results.map((r) => r.email)).toEqual(emails);
    expect(body.results.map((r) => [r.status, r.reason])).toEqual([
      ['deliverable', 'accepted'],
      ['undeliverable', 'mailbox_not_found'],
      ['undeliverable', 'invalid_syntax'],
      ['undeliverable', 'no_domain'],
      ['deliverable', 'accepted'],
    ]);
    expect(body.results[1]?.rule).toEqual(expect.any(String));
  });

  it('gives an address with CR/LF in it the verdict invalid_syntax, and never sends it', async () => {
    const before = world.stats('mx.acme.test').sessions;
    const response = await post({ email: 'alice@acme.test\r\nRCPT TO:<bob@acme.test>' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Batch;
    expect(body.results[0]).toMatchObject({
      email: 'alice@acme.test\r\nRCPT TO:<bob@acme.test>',
      email_normalized: null,
      status: 'undeliverable',
      reason: 'invalid_syntax',
    });
    expect(body.results[0]?.rule).toMatch(/^syntax-/);
    expect(world.stats('mx.acme.test').sessions).toBe(before);
  });

  it('answers a greylisted address pending (202, Location), then GET gives the final verdict', async () => {
    const response = await post({ emails: ['g1@grey.test', 'alice@acme.test'], wait: '1s' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as Batch;
    expect(response.headers.get('location')).toBe(`/v1/verify/${body.id}`);
    expect(body).toMatchObject({ status: 'pending', pending: 1 });
    expect(body.results[0]).toMatchObject({
      email: 'g1@grey.test',
      email_normalized: 'g1@grey.test',
      status: 'pending',
      reason: null,
    });
    // Its first round was greylisted: the server's words and when it is asked again.
    expect(body.results[0]?.detail).toMatch(/^45\d/);
    expect(Date.parse(String(body.results[0]?.next_attempt_at))).toBeGreaterThan(
      Date.parse(body.created_at),
    );
    // The quick address did not wait for it.
    expect(body.results[1]).toMatchObject({ status: 'deliverable', reason: 'accepted' });

    // The verification goes on after the answer; GET shows it once the retry got through.
    const later = await until(body.id, (batch) => batch.status === 'done');
    expect(later.pending).toBe(0);
    expect(later.results[0]).toMatchObject({
      email: 'g1@grey.test',
      status: 'deliverable',
      reason: 'accepted',
    });
    expect(later.results[1]).toEqual(body.results[1]);
  });

  it('with wait=0 answers at once; only syntax (and the cache) are final then', async () => {
    const response = await post({ emails: ['g2@grey.test', '@x'] }, { query: '?wait=0' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as Batch;
    expect(body.results.map((r) => r.status)).toEqual(['pending', 'undeliverable']);
    const done = await until(body.id, (batch) => batch.status === 'done');
    expect(done.results[0]).toMatchObject({ status: 'deliverable', reason: 'accepted' });
  });

  it('answers a fresh cached verdict from the verdict cache, without a new session', async () => {
    const first = (await (await post({ email: 'carol@cached.test' })).json()) as Batch;
    expect(first.results[0]).toMatchObject({ reason: 'accepted' });
    const sessions = world.stats('mx.cached.test').sessions;
    const second = (await (await post({ email: 'Carol@cached.test' })).json()) as Batch;
    expect(second.results[0]).toMatchObject({
      email: 'Carol@cached.test',
      reason: 'accepted',
      checked_at: first.results[0]?.checked_at,
    });
    expect(world.stats('mx.cached.test').sessions).toBe(sessions);
  });
});

describe('GET /v1/verify/:id', () => {
  it("answers 404 verification_not_found for another tenant's id and for unknown ids", async () => {
    const body = (await (await post({ email: 'bob@acme.test' })).json()) as Batch;
    const other = await api.call(`/v1/verify/${body.id}`, { key: GLOBEX_KEY });
    expect(other.status).toBe(404);
    expect(((await other.json()) as ErrorBody).error.code).toBe('verification_not_found');
    const unknown = await api.call('/v1/verify/00000000-0000-0000-0000-000000000000', {
      key: ACME_KEY,
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('verification_not_found');
    expect((await getBatch(body.id)).status).toBe(200);
  });

  it('reports what a stopped server left pending as unknown / timeout, rule verification-interrupted', async () => {
    // A second API process on the same Redis that stops while an address is still greylisted.
    const other = await buildApp(api.harness.rt, { logger: false });
    let closed = false;
    try {
      const base = await other.listen({ port: 0, host: '127.0.0.1' });
      const response = await post(
        { emails: ['s@stuck.test', 'bob@acme.test'], wait: '1s' },
        { base },
      );
      expect(response.status).toBe(202);
      const body = (await response.json()) as Batch;
      // Still being verified: GET on this process shows it pending.
      const running = await getBatch(body.id);
      expect(running.body.results[0]).toMatchObject({ status: 'pending' });
      await other.close();
      closed = true;
      const after = await getBatch(body.id);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ status: 'done', pending: 0 });
      expect(after.body.results[0]).toMatchObject({
        email: 's@stuck.test',
        status: 'unknown',
        reason: 'timeout',
        rule: 'verification-interrupted',
      });
      expect(after.body.results[0]?.detail).toMatch(/stopped before a verdict/);
      expect(after.body.results[1]).toEqual(body.results[1]);
      // Stored: the next answer is the same.
      expect((await getBatch(body.id)).body.results).toEqual(after.body.results);
    } finally {
      if (!closed) await other.close();
    }
  });
});

describe('authentication and bad requests', () => {
  it('answers 401 without an API key', async () => {
    const response = await fetch(`${api.base}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@acme.test' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe('unauthorized');
    const get = await fetch(`${api.base}/v1/verify/whatever`);
    expect(get.status).toBe(401);
  });

  it.each([
    ['an empty object', {}],
    ['both email and emails', { email: 'a@acme.test', emails: ['b@acme.test'] }],
    ['an empty list', { emails: [] }],
    ['objects for addresses', { emails: [{ email: 'a@acme.test' }] }],
    ['a list of lists', { email: ['a@acme.test', 'b@acme.test'] }],
    ['an array body', ['a@acme.test']],
    ['a wait over 60s', { email: 'a@acme.test', wait: '2m' }],
    ['a wait that is no duration', { email: 'a@acme.test', wait: 'soon' }],
    ['JSON that does not parse', '{"email": '],
  ])('answers 400 invalid_request for %s', async (_what, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_request');
  });

  it('answers 400 invalid_request for more than 100 addresses', async () => {
    const emails = Array.from({ length: 101 }, (_, i) => `user${i}@acme.test`);
    const response = await post({ emails });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/100/);
  });

  it('answers 413 too_large for a body over 64 KiB', async () => {
    const response = await post({ email: `${'a'.repeat(70_000)}@acme.test` });
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe('too_large');
  });

  it('answers 400 for a wait over 60s in the query', async () => {
    const response = await post({ email: 'a@acme.test' }, { query: '?wait=61s' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.message).toMatch(/wait/);
  });

  it('answers 415 for a form, 400 for plain text: the body is JSON', async () => {
    const form = await api.call('/v1/verify', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=alice%40acme.test',
    });
    expect(form.status).toBe(415);
    const formBody = (await form.json()) as ErrorBody;
    expect(formBody.error.code).toBe('unsupported_media_type');
    expect(formBody.error.message).toContain('application/json');
    const text = await api.call('/v1/verify', {
      key: ACME_KEY,
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'alice@acme.test',
    });
    expect(text.status).toBe(400);
    expect(((await text.json()) as ErrorBody).error.code).toBe('invalid_request');
  });

  it('is rate limited per API key like every /v1 route', async () => {
    const { rt } = api.harness;
    const limited = await buildApp(
      { ...rt, config: { ...rt.config, API_RATE_LIMIT: 2 } },
      {
        logger: false,
      },
    );
    try {
      const base = await limited.listen({ port: 0, host: '127.0.0.1' });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i += 1) {
        last = await post({ email: 'not an address' }, { key: GLOBEX_KEY, base });
        statuses.push(last.status);
        if (last.status !== 429) await last.arrayBuffer();
      }
      // The counter lives in Redis: earlier requests of the key in this minute count too.
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 200)).toBe(true);
      const body = (await last?.json()) as ErrorBody | undefined;
      expect(body?.error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI', () => {
  it('describes both routes with their schemas at /docs/json', async () => {
    const response = await api.call('/docs/json');
    expect(response.status).toBe(200);
    const spec = (await response.json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const postOp = spec.paths['/v1/verify']?.post as {
      requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
      responses: Record<string, unknown>;
      parameters?: Array<{ name: string }>;
    };
    expect(postOp).toBeDefined();
    const bodySchema = postOp.requestBody.content['application/json']?.schema;
    expect(Object.keys(bodySchema?.properties ?? {})).toEqual(['email', 'emails', 'wait']);
    expect(bodySchema?.properties.emails).toMatchObject({ maxItems: 100 });
    expect(postOp.parameters?.map((p) => p.name)).toEqual(['wait']);
    expect(Object.keys(postOp.responses)).toEqual(expect.arrayContaining(['200', '202', '400']));
    const getOp = spec.paths['/v1/verify/{id}']?.get as { responses: Record<string, unknown> };
    expect(Object.keys(getOp.responses)).toEqual(expect.arrayContaining(['200', '404']));
    expect(JSON.stringify(getOp.responses['200'])).toContain('next_attempt_at');
  });
});
