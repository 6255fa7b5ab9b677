/**
 * The upload-time check of `webhook_url` resolves the host as the delivery will: through
 * DNS_SERVERS (here the sandbox DNS, which alone knows these names), never the system resolver.
 * A host that resolves to a private address is refused; one that resolves to an allowed
 * address is accepted. No webhook is ever delivered (no worker runs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxDnsServer, startDnsServer } from '../../src/sandbox/index.ts';
import { ACME_KEY, type ApiUnderTest, NO_WORLD, startApi } from './helpers.ts';

const ADDRESSES: Record<string, string> = {
  'hooks.allowed.listclean.test': '127.0.0.1',
  'hooks.private.listclean.test': '10.1.2.3',
};

let dns: SandboxDnsServer;
let api: ApiUnderTest;

beforeAll(async () => {
  dns = await startDnsServer({
    answer: (name, type) => {
      const address = ADDRESSES[name];
      if (address === undefined) return { rcode: 'NXDOMAIN' };
      return {
        rcode: 'NOERROR',
        records: type === 'A' ? [{ type: 'A', name, address }] : [],
      };
    },
  });
  api = await startApi(NO_WORLD, {
    DNS_SERVERS: `${dns.host}:${dns.port}`,
    DNS_TIMEOUT: '1s',
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.0/8',
  });
});

afterAll(async () => {
  await api?.close();
  await dns?.close();
});

function upload(webhookUrl: string) {
  return api.call(`/v1/lists?webhook_url=${encodeURIComponent(webhookUrl)}`, {
    key: ACME_KEY,
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: 'email\nann@acme.test\n',
  });
}

describe('webhook_url at upload, resolved through DNS_SERVERS', () => {
  it('accepts a host only the configured DNS knows, resolving to an allowed address', async () => {
    const response = await upload('http://hooks.allowed.listclean.test:8080/done');
    expect(response.status, await response.clone().text()).toBe(202);
    expect(dns.queries).toContain('A hooks.allowed.listclean.test');
    const { id } = (await response.json()) as { id: string };
    expect((await api.call(`/v1/lists/${id}`, { key: ACME_KEY, method: 'DELETE' })).status).toBe(
      204,
    );
  });

  it('refuses a host the configured DNS resolves to a private address', async () => {
    const response = await upload('https://hooks.private.listclean.test/done');
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('invalid_webhook_url');
    expect(error.message).toContain('10.1.2.3');
    expect(dns.queries).toContain('A hooks.private.listclean.test');
  });
});
