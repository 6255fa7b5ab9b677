import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MxAllowance } from '../../src/dns/mx-allowance.ts';
import { type SandboxDnsServer, startDnsServer } from '../../src/sandbox/index.ts';
import { createHostResolver } from '../../src/webhook/resolve.ts';
import { checkWebhookTarget } from '../../src/webhook/target.ts';

const NONE: MxAllowance = { kind: 'none' };
const LOOPBACK: MxAllowance = { kind: 'ranges', ranges: ['127.0.0.0/8'] };
/** Never consulted: these checks must be settled before any DNS. */
const noDns = async (): Promise<string[]> => {
  throw new Error('DNS must not be asked');
};
const answers =
  (table: Record<string, string[]>) =>
  async (host: string): Promise<string[]> =>
    table[host] ?? [];

describe('checkWebhookTarget', () => {
  it.each([
    ['file:///etc/passwd', /http or https, not file/],
    ['ftp://example.com/hook', /http or https, not ftp/],
    ['javascript:alert(1)', /http or https/],
    ['gopher://127.0.0.1:6379/_INFO', /http or https/],
    ['http://user:pass@example.com/hook', /user name or password/],
    ['https://token@example.com/hook', /user name or password/],
    ['not a url', /not a valid absolute URL/],
    ['http://example.com:25/hook', /port must be 80, 443 or from 1024 up, not 25/],
    ['https://example.com:22/', /not 22/],
    [`https://example.com/${'a'.repeat(2100)}`, /at most 2048/],
  ])('refuses %s before any DNS', async (url, reason) => {
    const check = await checkWebhookTarget(url, LOOPBACK, noDns);
    expect(check).toMatchObject({ ok: false, retryable: false });
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it.each([
    ['http://127.0.0.1:8080/hook'],
    ['http://127.1:8080/hook'], // URL turns it into 127.0.0.1; still loopback
    ['http://[::1]:8080/hook'],
    ['http://[::ffff:127.0.0.1]:8080/hook'],
    ['http://0.0.0.0:8080/hook'],
  ])('refuses loopback %s when WEBHOOK_ALLOW_PRIVATE=0', async (url) => {
    expect(await checkWebhookTarget(url, NONE, noDns)).toMatchObject({ ok: false });
  });

  it('allows loopback only when WEBHOOK_ALLOW_PRIVATE opens it', async () => {
    const check = await checkWebhookTarget('http://127.0.0.1:8080/hook', LOOPBACK, noDns);
    expect(check).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://10.0.0.1/hook'],
    ['http://192.168.1.1/hook'],
    ['http://100.64.0.1/hook'],
    ['http://[fd00::1]/hook'],
  ])('refuses %s even with loopback allowed (never connecting to it)', async (url) => {
    const check = await checkWebhookTarget(url, LOOPBACK, noDns);
    expect(check).toMatchObject({ ok: false, retryable: false });
    if (!check.ok) expect(check.reason).toMatch(/not a public address/);
  });

  it('refuses a name when any of its addresses is not allowed', async () => {
    const resolve = answers({ 'hooks.example.com': ['93.184.215.14', '10.0.0.1'] });
    const check = await checkWebhookTarget('https://hooks.example.com/x', NONE, resolve);
    expect(check).toMatchObject({ ok: false, retryable: false });
    if (!check.ok) expect(check.reason).toMatch(/resolves to 10\.0\.0\.1/);
  });

  it('accepts a name whose every address is public, and hands them over', async () => {
    const resolve = answers({ 'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07::1'] });
    const check = await checkWebhookTarget('https://hooks.example.com/x?y=1', NONE, resolve);
    expect(check).toMatchObject({
      ok: true,
      addresses: ['93.184.215.14', '2606:2800:21f:cb07::1'],
    });
    if (check.ok) expect(check.url.href).toBe('https://hooks.example.com/x?y=1');
  });

  it('refuses a name without addresses, and says DNS trouble may pass', async () => {
    expect(await checkWebhookTarget('https://nothing.example/', NONE, answers({}))).toMatchObject({
      ok: false,
      retryable: false,
    });
    const failing = async (): Promise<string[]> => {
      throw new Error('SERVFAIL');
    };
    expect(await checkWebhookTarget('https://x.example/', NONE, failing)).toMatchObject({
      ok: false,
      retryable: true,
    });
  });
});

describe('webhook host resolution through DNS_SERVERS', () => {
  let dns: SandboxDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer({
      answer: (name, type) => {
        if (name === 'hooks.example.test' && type === 'A')
          return { rcode: 'NOERROR', records: [{ type: 'A', name, address: '127.0.0.7' }] };
        if (name === 'metadata.example.test' && type === 'A')
          return { rcode: 'NOERROR', records: [{ type: 'A', name, address: '169.254.169.254' }] };
        if (name === 'broken.example.test') return { rcode: 'SERVFAIL' };
        return name.endsWith('.example.test')
          ? { rcode: 'NOERROR', records: [] }
          : { rcode: 'NXDOMAIN' };
      },
    });
  });
  afterAll(() => dns.close());

  it('asks the configured server, A and AAAA', async () => {
    const resolve = createHostResolver({ servers: [`${dns.host}:${dns.port}`], timeoutMs: 500 });
    expect(await resolve('hooks.example.test')).toEqual(['127.0.0.7']);
    expect(dns.queries).toEqual(
      expect.arrayContaining(['A hooks.example.test', 'AAAA hooks.example.test']),
    );
    const check = await checkWebhookTarget('http://metadata.example.test/', LOOPBACK, resolve);
    expect(check).toMatchObject({ ok: false, retryable: false });
  });

  it('treats a server failure as retryable, never as "no address"', async () => {
    const resolve = createHostResolver({ servers: [`${dns.host}:${dns.port}`], timeoutMs: 500 });
    await expect(resolve('broken.example.test')).rejects.toMatchObject({ code: 'webhook_dns' });
    expect(
      await checkWebhookTarget('http://broken.example.test/', LOOPBACK, resolve),
    ).toMatchObject({ ok: false, retryable: true });
  });
});
